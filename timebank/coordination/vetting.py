"""Vetting and verification: who approved a member and when they met a coordinator; who vouched for them, after
checking what, and until when."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from timebank.audit import audit
from timebank.coordination.models import Verification
from timebank.coordination.permissions import check_coordinator, check_may_manage
from timebank.database import atomic
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member
from timebank.notifications.services import tell
from timebank.timeutil import utcnow

CHECKED_MAX = 500
# Members are told this many days before their verification lapses.
REMIND_DAYS = 14


def orientation_set(*, member: Member, actor: Member, on: date | None) -> Member:
    """Write down the day of the member's welcome meeting with a coordinator (or clear it).

    It is an appointment (shown on an applicant's waiting page), so it may be ahead, a year at most; or a
    meeting that took place, recorded after the fact.
    """
    def work():
        check_coordinator(actor)
        if on is not None and on > utcnow().date() + timedelta(days=366):
            raise DomainError(_l("Please choose a day within a year."), field="on")
        member.orientation_on = on
        audit(actor=actor, action="orientation_recorded", member=member, on=on.isoformat() if on else None)
        return member

    return atomic(work)


def verification_current(member: Member) -> Verification | None:
    return db.session.scalar(sa.select(Verification).where(Verification.member_id == member.id,
                                                           Verification.ended_at.is_(None))
                             .order_by(Verification.id.desc()).limit(1))


def verifications_of(member: Member) -> list[Verification]:
    return list(db.session.scalars(sa.select(Verification).where(Verification.member_id == member.id)
                                   .order_by(Verification.id.desc())
                                   .options(joinedload(Verification.verified_by), joinedload(Verification.ended_by))))


def _end(record: Verification | None, *, by: Member | None, reason: str) -> None:
    if record is not None:
        record.ended_at, record.ended_by_id, record.end_reason = utcnow(), by.id if by else None, reason


def verification_grant(*, member: Member, actor: Member, checked: str, expires_on: date | None) -> Verification:
    """Vouch for a member for sensitive services (childcare), after checking what is written down.

    A new verification replaces the current one (a renewal); the old record stays, ended.
    """
    def work():
        check_coordinator(actor)
        if member.id == actor.id:
            raise NotAllowed(_l("Another coordinator must verify you: nobody vouches for themselves."))
        check_may_manage(actor=actor, member=member)
        if not member.is_active_member:
            raise InvalidTransition(_l("Only an active member can be verified."))
        if not checked.strip():
            raise DomainError(_l("Please write what you checked."), field="checked")
        if expires_on is not None and expires_on <= utcnow().date():
            raise DomainError(_l("The end of the verification must be a day after today."), field="expires_on")
        current = verification_current(member)
        _end(current, by=actor, reason=str(_l("Renewed")))
        record = Verification(member_id=member.id, verified_by_id=actor.id, checked=checked.strip()[:CHECKED_MAX],
                              expires_on=expires_on, created_at=utcnow())
        db.session.add(record)
        member.verified_at, member.verified_by_id, member.verified_until = utcnow(), actor.id, expires_on
        audit(actor=actor, action="member_verified", member=member, reason=record.checked,
              expires_on=expires_on.isoformat() if expires_on else None)
        tell(member=member, kind="verified", subject=_l("You are verified by the timebank"),
             params={"until": format_date(expires_on, "long") if expires_on else ""})
        return record

    return atomic(work)


def verification_withdraw(*, member: Member, actor: Member, reason: str) -> Member:
    """Withdraw a verification: the member's sensitive offers are hidden at once."""
    def work():
        check_may_manage(actor=actor, member=member)
        if member.verified_at is None:
            raise InvalidTransition(_l("This member is not verified."))
        if not reason.strip():
            raise DomainError(_l("Please write the reason."), field="reason")
        _end(verification_current(member), by=actor, reason=reason.strip()[:CHECKED_MAX])
        member.verified_at, member.verified_by_id, member.verified_until = None, None, None
        audit(actor=actor, action="verification_withdrawn", member=member, reason=reason)
        tell(member=member, kind="verification_withdrawn", params={}, subject=_l("Your verification is withdrawn"))
        return member

    return atomic(work)


def verifications_check(*, now: datetime | None = None) -> tuple[int, int]:
    """Tell members whose verification ends soon, and end the ones that lapsed; safe to run twice.

    The badge itself lapses at the end of the day even if this never runs
    (``Member.is_verified`` reads the date); this writes the record down and tells the member.
    Returns (reminded, lapsed).
    """
    now = now or utcnow()
    today = now.date()
    soon = list(db.session.scalars(sa.select(Verification.id).where(
        Verification.ended_at.is_(None), Verification.reminded_at.is_(None), Verification.expires_on.is_not(None),
        Verification.expires_on >= today, Verification.expires_on <= today + timedelta(days=REMIND_DAYS))))
    lapsed = list(db.session.scalars(sa.select(Verification.id).where(
        Verification.ended_at.is_(None), Verification.expires_on < today)))

    def remind(record_id: int) -> None:
        record = db.session.get(Verification, record_id)
        if record.ended_at is not None or record.reminded_at is not None:
            return
        member = db.session.get(Member, record.member_id)
        record.reminded_at = now
        tell(member=member, kind="verification_ends_soon", subject=_l("Your verification ends soon"), topic="reminders",
             params={"date": format_date(record.expires_on, "long")})

    def lapse(record_id: int) -> None:
        record = db.session.get(Verification, record_id)
        if record.ended_at is not None:
            return
        member = db.session.get(Member, record.member_id)
        record.ended_at, record.end_reason = now, "lapsed"
        if member.verified_until == record.expires_on:
            member.verified_at, member.verified_by_id, member.verified_until = None, None, None
        audit(actor=None, action="verification_lapsed", member=member, expires_on=record.expires_on.isoformat())
        tell(member=member, kind="verification_lapsed", params={}, subject=_l("Your verification has ended"))

    for record_id in soon:
        atomic(lambda: remind(record_id))
    for record_id in lapsed:
        atomic(lambda: lapse(record_id))
    return len(soon), len(lapsed)


def verification_status_text(member: Member) -> str:
    if not member.is_verified:
        return _("Not verified")
    if member.verified_until:
        return _("Verified until %(date)s", date=format_date(member.verified_until, "long"))
    return _("Verified")
