"""Hours given to a project: the resident says them, a coordinator or the sponsor confirms or declines.

Confirming posts the hours from the sponsor's account (the partner's, or the community account) to the
resident's, under the ledger's usual rules: past the sponsor's floor, nothing is written and the message says
what the sponsor can still give. The posting's key is the statement's own, so a form sent twice posts once.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from timebank.database import atomic, lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.idempotency import form_claim
from timebank.ledger import services as ledger
from timebank.ledger.models import Account, TransferKind
from timebank.members.models import Member
from timebank.notifications.services import tell
from timebank.projects.access import check_manage, may_see
from timebank.projects.models import HoursState, Participation, Project, ProjectHours
from timebank.timeutil import utcnow


def sponsor_account(project: Project) -> Account:
    return project.partner.account if project.partner is not None else ledger.community_account()


def hours_state(*, member: Member, participation: Participation, minutes: int, note: str = "",
                key: str | None = None) -> ProjectHours:
    """The resident says she gave ``minutes`` to her task; the project's managers are asked to confirm."""
    if participation.member_id != member.id or not member.is_active_member:
        raise NotAllowed(_l("Only the resident who joined the task can say her hours."))
    ledger.check_amount(minutes)
    project = participation.project
    if not may_see(member, project):
        raise InvalidTransition(_l("This project is paused for now."))

    def work():
        use, replayed = form_claim(member_id=member.id, key=key, action="project_hours", target=participation.id)
        if replayed:
            return db.session.get(ProjectHours, use.target_id)
        row = ProjectHours(participation_id=participation.id, minutes=minutes, note=(note or "").strip()[:300],
                           state=HoursState.STATED, created_at=utcnow())
        db.session.add(row)
        db.session.flush()
        if use is not None:
            use.target_id = row.id
        return row

    return atomic(work)


def _memo(row: ProjectHours) -> str:
    participation = row.participation
    return f"{participation.project.title} — {participation.task.title}"[:500]


def hours_confirm(*, actor: Member, hours: ProjectHours, key: str | None = None) -> ProjectHours:
    """Post the stated hours from the sponsor's account to the resident's; a second sending posts nothing more."""
    project = hours.participation.project
    check_manage(actor, project)

    def work():
        _use, replayed = form_claim(member_id=actor.id, key=key, action="project_confirm", target=hours.id)
        current = lock_fresh(hours)
        if replayed:
            return current
        if current.state is not HoursState.STATED:
            raise InvalidTransition(_l("These hours were already confirmed or declined."))
        if project.hidden:
            raise NotAllowed(_l("The sponsor of this project is suspended: its hours cannot be paid for now."))
        resident = current.participation.member
        credit = ledger.account_of(resident)
        if credit is None:
            raise InvalidTransition(_l("%(name)s cannot receive hours now.", name=resident.display_name))
        transfer = ledger.transfer_post_in_transaction(
            debit=sponsor_account(project), credit=credit, minutes=current.minutes, kind=TransferKind.PROJECT,
            key=f"project-hours:{current.id}", actor=actor, memo=_memo(current))
        current.state, current.decided_at, current.decided_by_id = HoursState.CONFIRMED, utcnow(), actor.id
        current.transfer_id = transfer.id
        params = {"title": project.title, "minutes": current.minutes}
        tell(member=resident, kind="project_hours_confirmed", params=params, link=f"/projects/{project.id}",
             topic="hours", subject=_l("Your hours for the project %(title)s are confirmed", title=project.title))
        return current

    return atomic(work)


def hours_decline(*, actor: Member, hours: ProjectHours, reason: str, key: str | None = None) -> ProjectHours:
    """Decline stated hours, with a reason the resident reads; nothing moves."""
    project = hours.participation.project
    check_manage(actor, project)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Please write the reason."), field="reason")

    def work():
        _use, replayed = form_claim(member_id=actor.id, key=key, action="project_decline", target=hours.id)
        current = lock_fresh(hours)
        if replayed:
            return current
        if current.state is not HoursState.STATED:
            raise InvalidTransition(_l("These hours were already confirmed or declined."))
        current.state, current.decided_at, current.decided_by_id = HoursState.DECLINED, utcnow(), actor.id
        current.reason = reason[:500]
        params = {"title": project.title, "minutes": current.minutes, "reason": current.reason}
        tell(member=current.participation.member, kind="project_hours_declined", params=params,
             link=f"/projects/{project.id}", topic="hours",
             subject=_l("Your hours for the project %(title)s were not confirmed", title=project.title))
        return current

    return atomic(work)


# Reading ---------------------------------------------------------------------------------------------------------


def _hours_query(project: Project):
    return (sa.select(ProjectHours).join(Participation, ProjectHours.participation_id == Participation.id)
            .where(Participation.project_id == project.id)
            .options(joinedload(ProjectHours.participation).joinedload(Participation.member),
                     joinedload(ProjectHours.participation).joinedload(Participation.task)))


def hours_waiting(project: Project) -> list[ProjectHours]:
    """Stated hours waiting for a decision, oldest first."""
    return list(db.session.scalars(_hours_query(project).where(ProjectHours.state == HoursState.STATED)
                                   .order_by(ProjectHours.id)))


def hours_of(*, member: Member, project: Project) -> list[ProjectHours]:
    return list(db.session.scalars(_hours_query(project).where(Participation.member_id == member.id)
                                   .order_by(ProjectHours.id.desc())))


def progress(project: Project) -> dict:
    """Hours given (confirmed) toward the goal, and the people taking part, in numbers."""
    given = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ProjectHours.minutes), 0))
                              .join(Participation, ProjectHours.participation_id == Participation.id)
                              .where(Participation.project_id == project.id,
                                     ProjectHours.state == HoursState.CONFIRMED))
    people = db.session.scalar(sa.select(sa.func.count(sa.distinct(Participation.member_id)))
                               .where(Participation.project_id == project.id))
    percent = min(100, given * 100 // project.goal_minutes) if project.goal_minutes else 0
    return {"given": given, "goal": project.goal_minutes, "people": people, "percent": percent}


def shown_names(project: Project) -> list[str]:
    """The residents taking part who agreed that their name is shown on the project's page."""
    return list(db.session.scalars(
        sa.select(Member.display_name).join(Participation, Participation.member_id == Member.id)
        .where(Participation.project_id == project.id, Participation.shown.is_(True))
        .group_by(Member.id, Member.display_name).order_by(Member.display_name)))
