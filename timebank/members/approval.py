"""Applications to join: the coordinators' queue, approving and declining (the applicant is told by e-mail)."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from timebank.audit import audit
from timebank.database import Page, atomic, lock_fresh, page_of
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.members.services import member_welcome_send
from timebank.notifications.services import mail_queue
from timebank.timeutil import utcnow


def member_pending_page(*, page: int, per_page: int) -> Page:
    """The applications waiting, oldest first, one page at a time."""
    return page_of(sa.select(Member).where(Member.status == Status.PENDING).order_by(Member.created_at, Member.id)
                   .options(selectinload(Member.languages)), page=page, per_page=per_page)


def member_pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Member.id)).where(Member.status == Status.PENDING))


def member_approve(*, member: Member, actor: Member, message: str = "", orientation_on: date | None = None) -> Member:
    """Approve a pending application, open the account and tell the applicant.

    Who approved and when are kept on the member; ``orientation_on`` is the day of the welcome meeting, if any.
    """
    if orientation_on is not None and orientation_on > utcnow().date() + timedelta(days=366):
        # An appointment (today or later) or a meeting recorded after the fact; a year ahead at most.
        raise DomainError(_l("Please choose a day within a year."), field="orientation_on")
    return _decide(member=member, actor=actor, message=message, status=Status.ACTIVE, action="member_approved",
                   subject=_l("Welcome to the timebank: your membership is approved"), template="member_approved",
                   orientation_on=orientation_on)


def member_decline(*, member: Member, actor: Member, message: str = "") -> Member:
    """Decline a pending application and tell the applicant why: the reason is required."""
    return _decide(member=member, actor=actor, message=message, status=Status.DECLINED, action="member_declined",
                   subject=_l("About your application to the timebank"), template="member_declined")


def _decide(*, member: Member, actor: Member, message: str, status: Status, action: str, subject,
            template: str, orientation_on: date | None = None) -> Member:
    applicant = member
    def work():
        member = lock_fresh(applicant)  # two coordinators (or two clicks) at once: the second sees the decision
        _check_can_decide(member=member, actor=actor)
        if status is Status.DECLINED and not message.strip():
            raise DomainError(_l("Please write the reason: the applicant reads it in the e-mail."), field="message")
        member.status, member.decided_at, member.decided_by = status, utcnow(), actor
        if orientation_on is not None:  # otherwise the appointment set while she waited stays
            member.orientation_on = orientation_on
        if status is Status.ACTIVE:
            member_welcome_send(member, actor=actor)
        audit(actor=actor, action=action, member=member, reason=message,
              **({"orientation_on": orientation_on.isoformat()} if orientation_on else {}))
        mail_queue(member=member, subject=subject, template=template, message=message.strip(), coordinator=actor)
        return member

    return atomic(work)


def _check_can_decide(*, member: Member, actor: Member) -> None:
    if not actor.is_coordinator or actor.status is not Status.ACTIVE:
        raise NotAllowed(_l("Only coordinators can approve or decline members."))
    if member.status is not Status.PENDING:
        raise InvalidTransition(_l("This application has already been decided."))
