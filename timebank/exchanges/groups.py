"""Group sessions: one provider, several recipients, each paying a share; all shares post together or none."""
from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from timebank.database import atomic, lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.exchanges.models import GroupParticipant, GroupSession, GroupState
from timebank.extensions import db
from timebank.idempotency import form_claim
from timebank.ledger import services as ledger
from timebank.ledger.models import Transfer, TransferKind
from timebank.members.models import Member
from timebank.notifications.messages import glance_text, notification_plain, notification_text
from timebank.notifications.services import mail_queue, notify
from timebank.timeutil import utcnow

MAX_PARTICIPANTS = 50


_lock = lock_fresh


def _tell(member: Member, session: GroupSession, kind: str, subject, **params) -> None:
    params = {"title": session.title, **params}
    notify(member=member, kind=f"group_{kind}", params=params, link=f"/groups/{session.id}")
    mail_queue(member=member, topic="exchanges", subject=subject, template="group_update", session=session,
               text=lambda: notification_plain(f"group_{kind}", params),
               short=lambda: notification_text(f"group_{kind}", params), link=f"/groups/{session.id}",
               glance=lambda: glance_text(f"group_{kind}", params))


def group_create(*, provider: Member, title: str, description: str, on_date: date, at_time: time | None,
                 share_minutes: int, max_participants: int, category_id: int | None = None,
                 key: str | None = None) -> GroupSession:
    """Announce a session; ``key`` is the form's: the same form sent twice announces one session."""
    def work():
        use, replayed = form_claim(member_id=provider.id, key=key, action="group_new")
        if replayed:
            return db.session.get(GroupSession, use.target_id)
        if not provider.is_active_member:
            raise NotAllowed(_l("Only active members can organise a group session."))
        if not title.strip():
            raise DomainError(_l("Please give a title."), field="title")
        ledger.check_amount(share_minutes)
        if on_date < utcnow().date():
            raise DomainError(_l("The date is already past."), field="on_date")
        from timebank.exchanges.steps import check_horizon, check_verified_for

        check_verified_for(category_id=category_id, provider=provider)
        check_horizon(on_date)
        if not 1 <= max_participants <= MAX_PARTICIPANTS:
            raise DomainError(_l("Between 1 and %(most)s participants.", most=MAX_PARTICIPANTS),
                              field="max_participants")
        session = GroupSession(provider=provider, title=title.strip()[:100], description=description.strip()[:2000],
                               on_date=on_date, at_time=at_time, share_minutes=share_minutes,
                               max_participants=max_participants, category_id=category_id, state=GroupState.OPEN,
                               created_at=utcnow())
        db.session.add(session)
        db.session.flush()
        if use is not None:
            use.target_id = session.id
        return session

    return atomic(work)


def _seen(current: GroupSession, step: str, *, actor: Member, key: str | None, target: object = "") -> bool:
    """Was this very form already handled (same key, step, person and session)? Then nothing is done again."""
    _, replayed = form_claim(member_id=actor.id, key=key, action=f"group_{step}", target=f"{current.id}:{target}")
    return replayed


def group_join(*, session: GroupSession, member: Member, key: str | None = None) -> GroupParticipant | None:
    """Join a session: the share is reserved from the member's account."""
    def work():
        current = _lock(session)
        if _seen(current, "join", actor=member, key=key):
            return None
        if not member.is_active_member:
            raise NotAllowed(_l("Only active members can join a group session."))
        if member.id == current.provider_id:
            raise NotAllowed(_l("You organise this session: you cannot join it as a participant."))
        if current.state is not GroupState.OPEN:
            raise InvalidTransition(_l("This session is no longer open."))
        if any(p.member_id == member.id for p in current.joined):
            raise InvalidTransition(_l("You have already joined this session."))
        if len(current.joined) >= current.max_participants:
            raise InvalidTransition(_l("This session is full."))
        rejoin = sum(1 for p in current.participants if p.member_id == member.id)
        reservation = ledger.transfer_reserve_in_transaction(
            debit=ledger.account_of(member), credit=ledger.account_of(current.provider),
            minutes=current.share_minutes, kind=TransferKind.EXCHANGE,
            key=f"group:{current.id}:member:{member.id}:{rejoin}", actor=member, memo=current.title)
        db.session.flush()
        participant = GroupParticipant(session_id=current.id, member_id=member.id, reservation_id=reservation.id,
                                       joined_at=utcnow())
        db.session.add(participant)
        _tell(current.provider, current, "joined", lambda: _("%(name)s joins: %(title)s", name=member.display_name,
                                                              title=current.title), name=member.display_name)
        return participant

    return atomic(work)


def _participant(current: GroupSession, member: Member) -> GroupParticipant:
    for participant in current.joined:
        if participant.member_id == member.id:
            return participant
    raise InvalidTransition(_l("This member is not taking part in the session."))


def group_leave(*, session: GroupSession, actor: Member, member: Member, key: str | None = None) -> None:
    """A participant leaves (or the provider removes someone who did not come): the share is released."""
    def work():
        current = _lock(session)
        if _seen(current, "leave", actor=actor, key=key, target=member.id):
            return
        if actor.id not in (member.id, current.provider_id) or not actor.is_active_member:
            raise NotAllowed(_l("Only the participant or the organiser can do this."))
        if current.state is not GroupState.OPEN:
            raise InvalidTransition(_l("This session is no longer open."))
        participant = _participant(current, member)
        ledger.transfer_void_in_transaction(pending=db.session.get(Transfer, participant.reservation_id), actor=actor)
        participant.left_at = utcnow()

    atomic(work)


def group_complete(*, session: GroupSession, actor: Member, key: str | None = None) -> GroupSession:
    """The organiser confirms the session took place: every share posts in one transaction, or none does."""
    def work():
        current = _lock(session)
        if _seen(current, "complete", actor=actor, key=key):
            return current
        if actor.id != current.provider_id or not actor.is_active_member:
            raise NotAllowed(_l("Only the organiser confirms the session."))
        if current.state is not GroupState.OPEN:
            raise InvalidTransition(_l("This session is no longer open."))
        if current.on_date > utcnow().date():
            raise InvalidTransition(_l("Confirm the session after it took place."))
        if not current.joined:
            raise InvalidTransition(_l("Nobody joined this session: cancel it instead."))
        for participant in current.joined:
            try:
                ledger.transfer_post_pending_in_transaction(
                    pending=db.session.get(Transfer, participant.reservation_id),
                    key=f"group:{current.id}:post:{participant.id}", actor=actor)
            except DomainError as error:
                raise DomainError(_l("Nothing was posted: the share of %(name)s cannot move (%(reason)s). Remove "
                                     "this participant or ask a coordinator.",
                                     name=participant.member.display_name, reason=error.message)) from None
        current.state, current.finished_at = GroupState.COMPLETED, utcnow()
        for participant in current.joined:
            _tell(participant.member, current, "completed",
                  lambda: _("Thank you for coming: %(title)s", title=current.title), name=actor.display_name)
        return current

    return atomic(work)


def group_cancel(*, session: GroupSession, actor: Member, key: str | None = None) -> GroupSession:
    def work():
        current = _lock(session)
        if _seen(current, "cancel", actor=actor, key=key):
            return current
        if actor.id != current.provider_id or not actor.is_active_member:
            raise NotAllowed(_l("Only the organiser can cancel the session."))
        if current.state is not GroupState.OPEN:
            raise InvalidTransition(_l("This session is no longer open."))
        return _cancel(current, actor=actor, kind="cancelled")

    return atomic(work)


def _cancel(current: GroupSession, *, actor: Member, kind: str) -> GroupSession:
    for participant in current.joined:
        ledger.transfer_void_in_transaction(pending=db.session.get(Transfer, participant.reservation_id),
                                            actor=actor)
        _tell(participant.member, current, kind,
              lambda: _("Cancelled: %(title)s", title=current.title), name=actor.display_name)
    current.state, current.finished_at = GroupState.CANCELLED, utcnow()
    return current


def groups_cancel_of_suspended_in_transaction(*, organiser: Member, actor: Member) -> list[int]:
    """Cancel every session a suspended member organises and not yet confirmed: she can no longer lead or confirm
    it, so each participant's share is released and each participant is told. Returns the sessions' ids."""
    ids = list(db.session.scalars(sa.select(GroupSession.id).where(GroupSession.provider_id == organiser.id,
                                                                   GroupSession.state == GroupState.OPEN)
                                  .order_by(GroupSession.id)))
    for session_id in ids:
        current = _lock(db.session.get(GroupSession, session_id))
        if current.state is GroupState.OPEN:
            _cancel(current, actor=actor, kind="cancelled_organiser_suspended")
    return ids


def groups_open() -> list[GroupSession]:
    return list(db.session.scalars(
        sa.select(GroupSession).where(GroupSession.state == GroupState.OPEN, GroupSession.on_date >= utcnow().date())
        .order_by(GroupSession.on_date, GroupSession.id)
        .options(joinedload(GroupSession.provider), selectinload(GroupSession.participants))
    ))


def group_with_people(session_id: int) -> GroupSession | None:
    """One session with its organiser and participants loaded together (no query per participant)."""
    return db.session.scalar(
        sa.select(GroupSession).where(GroupSession.id == session_id)
        .options(joinedload(GroupSession.provider),
                 selectinload(GroupSession.participants).joinedload(GroupParticipant.member))
    )


def groups_of(*, member: Member) -> list[GroupSession]:
    """Sessions I organise or take part in."""
    mine = sa.select(GroupParticipant.session_id).where(GroupParticipant.member_id == member.id,
                                                         GroupParticipant.left_at.is_(None))
    return list(db.session.scalars(
        sa.select(GroupSession).where(sa.or_(GroupSession.provider_id == member.id, GroupSession.id.in_(mine)))
        .order_by(GroupSession.on_date.desc(), GroupSession.id.desc()).options(joinedload(GroupSession.provider))
    ))
