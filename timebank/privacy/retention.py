"""Keep nothing longer than the association said: the daily sweep of the retention periods (safe to run twice).

- a declined application, after ``TIMEBANK_RETENTION_DECLINED_MONTHS``: the applicant is erased;
- a member who has not signed in for ``TIMEBANK_RETENTION_INACTIVE_YEARS``: warned by e-mail (or by text
  message when she has only a phone), then erased by
  ``erase-due`` after the grace period unless she signs in (members without e-mail are counted for the
  coordinators to call, never erased unwarned);
- sign-in records and form keys, after ``TIMEBANK_RETENTION_SIGN_IN_MONTHS`` (rate-limit counters live at most a
  day in the limiter's own storage);
- the text of e-mails sent, after ``TIMEBANK_RETENTION_OUTBOX_MONTHS``: the subject and body are blanked, the row
  (to whom, when) stays.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import lazy_gettext as _l

from timebank.database import atomic
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.privacy.models import ErasureRequest, SignIn
from timebank.timeutil import utcnow


@dataclass(frozen=True)
class SweepReport:
    declined_erased: int
    inactive_warned: int
    inactive_without_email: int
    inactive_back: int
    sign_ins_deleted: int
    form_keys_deleted: int
    outbox_blanked: int

    def summary(self) -> str:
        return (f"declined applications erased: {self.declined_erased}; inactive members warned: "
                f"{self.inactive_warned} (without e-mail, for the coordinators to call: "
                f"{self.inactive_without_email}); inactive members who came back: {self.inactive_back}; "
                f"sign-in records deleted: {self.sign_ins_deleted}; form keys deleted: {self.form_keys_deleted}; "
                f"e-mail texts blanked: {self.outbox_blanked}")


def _months(months: int, now: datetime) -> datetime:
    return now - relativedelta(months=int(months))


def _declined(now: datetime) -> int:
    from timebank.privacy.erasure import _after, _erase

    cutoff = _months(current_app.config["TIMEBANK_RETENTION_DECLINED_MONTHS"], now)
    ids = db.session.scalars(sa.select(Member.id).where(
        Member.status == Status.DECLINED, sa.func.coalesce(Member.decided_at, Member.created_at) < cutoff)
        .order_by(Member.id)).all()
    db.session.rollback()
    erased = [atomic(lambda member_id=member_id: _erase(db.session.get(Member, member_id), actor=None, reason="",
                                                       why="declined")) for member_id in ids]
    _after(erased)
    return len(erased)


def _inactive(now: datetime) -> tuple[int, int, int]:
    """Warn who has been away too long; close the warnings of those who came back."""
    from flask_babel import format_date
    from flask_babel import gettext as _

    from timebank.notifications.channels import can_text
    from timebank.notifications.services import mail_queue

    config = current_app.config
    cutoff = now - relativedelta(years=int(config["TIMEBANK_RETENTION_INACTIVE_YEARS"]))
    grace = timedelta(days=int(config["TIMEBANK_ERASURE_GRACE_DAYS"]))

    def work():
        back = 0
        for request in db.session.scalars(sa.select(ErasureRequest).join(Member, Member.id == ErasureRequest.member_id)
                                          .where(ErasureRequest.reason == "inactive",
                                                 ErasureRequest.cancelled_at.is_(None),
                                                 ErasureRequest.done_at.is_(None),
                                                 Member.last_seen_at > ErasureRequest.created_at)):
            request.cancelled_at = now
            back += 1
        waiting = sa.select(ErasureRequest.member_id).where(ErasureRequest.cancelled_at.is_(None),
                                                            ErasureRequest.done_at.is_(None))
        away = db.session.scalars(sa.select(Member).where(
            Member.status.in_((Status.ACTIVE, Status.SUSPENDED)),
            sa.func.coalesce(Member.last_seen_at, Member.created_at) < cutoff,
            Member.id.not_in(waiting)).order_by(Member.id)).all()
        warned = without_email = 0
        for member in away:
            # Warned by e-mail, or by text message when she has only a phone. A member the coordinators record
            # exchanges for never signs in, and one nobody can write to cannot answer: coordinators call them.
            by_text = not member.email and can_text(member) and not member.brokered
            if not member.email and not by_text:
                without_email += 1
                continue
            request = ErasureRequest(member_id=member.id, reason="inactive", created_at=now, due_at=now + grace)
            db.session.add(request)
            due = request.due_at.date()
            mail_queue(member=member, subject=_l("Your data at the timebank will be erased"),
                       template="privacy_inactive", due=due,
                       short=lambda due=due: _("You have not signed in to the timebank for a long time: your data "
                                               "will be erased on %(date)s unless you sign in.",
                                               date=format_date(due, "short")))
            warned += 1
        return warned, without_email, back

    return atomic(work)


def _old_rows(now: datetime) -> tuple[int, int, int]:
    from timebank.idempotency import FormUse
    from timebank.notifications.models import OutboxMessage

    config = current_app.config
    sign_in_cutoff = _months(config["TIMEBANK_RETENTION_SIGN_IN_MONTHS"], now)
    outbox_cutoff = _months(config["TIMEBANK_RETENTION_OUTBOX_MONTHS"], now)

    def work():
        sign_ins = db.session.execute(sa.delete(SignIn).where(SignIn.created_at < sign_in_cutoff)).rowcount
        keys = db.session.execute(sa.delete(FormUse).where(FormUse.created_at < sign_in_cutoff)).rowcount
        blanked = db.session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < outbox_cutoff,
            sa.or_(OutboxMessage.body != "", OutboxMessage.subject != "")).values(body="", subject="")).rowcount
        return sign_ins, keys, blanked

    return atomic(work)


def retention_sweep(*, now: datetime | None = None) -> SweepReport:
    now = now or utcnow()
    declined = _declined(now)
    warned, without_email, back = _inactive(now)
    sign_ins, keys, blanked = _old_rows(now)
    return SweepReport(declined, warned, without_email, back, sign_ins, keys, blanked)
