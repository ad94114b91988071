"""The daily run: reminders the day before, and confirming what the recipient left unconfirmed."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from timebank.database import atomic
from timebank.errors import DomainError
from timebank.exchanges.completion import _post
from timebank.exchanges.models import PROVIDER, RECIPIENT, Exchange, ExchangeState
from timebank.exchanges.steps import _event, _lock, _tell_side
from timebank.extensions import db
from timebank.timeutil import utcnow


def exchanges_remind_tomorrow(*, now: datetime | None = None) -> int:
    """Remind both people of an agreed exchange the day before it (once)."""
    now = now or utcnow()
    tomorrow = (now + timedelta(days=1)).date()
    ids = list(db.session.scalars(sa.select(Exchange.id).where(
        Exchange.state == ExchangeState.AGREED, Exchange.on_date == tomorrow, Exchange.date_reminded_at.is_(None))))
    db.session.commit()
    count = 0
    for exchange_id in ids:
        def work():
            current = _lock(db.session.get(Exchange, exchange_id))
            if current.state is not ExchangeState.AGREED or current.date_reminded_at is not None:
                return 0
            current.date_reminded_at = now
            for side in (PROVIDER, RECIPIENT):
                other = current.party_name(RECIPIENT if side == PROVIDER else PROVIDER)
                _tell_side(current, side, "tomorrow", lambda: _("Tomorrow: %(title)s", title=current.title),
                           name=other)
            return 1

        count += atomic(work)
    return count


def exchanges_auto_confirm(*, now: datetime | None = None) -> tuple[int, int]:
    """Confirm exchanges left unconfirmed too long, and remind recipients the day before.

    Safe to run twice at once: each exchange is re-read under the write lock
    and the ledger keys make a second posting impossible.
    Returns (reminded, confirmed).
    """
    now = now or utcnow()
    days = current_app.config["TIMEBANK_AUTO_CONFIRM_DAYS"]
    due_before = now - timedelta(days=days)
    remind_before = now - timedelta(days=max(days - 1, 0))
    ids = list(db.session.scalars(
        sa.select(Exchange.id).where(Exchange.state == ExchangeState.DONE, Exchange.done_at <= remind_before)
        .order_by(Exchange.id)))
    db.session.commit()
    reminded = confirmed = 0
    for exchange_id in ids:
        def work():
            current = _lock(db.session.get(Exchange, exchange_id))
            if current.state is not ExchangeState.DONE:
                return None
            if current.done_at <= due_before:
                # Only what was agreed moves by itself: more than that needs the recipient (or a coordinator).
                _post(current, None)
                paid = min(current.done_minutes, current.minutes)
                extra = current.done_minutes - paid
                current.state, current.finished_at = ExchangeState.COMPLETED, now
                _event(current, None, "auto_confirmed", minutes=paid, done=current.done_minutes, extra=extra)
                for side in (PROVIDER, RECIPIENT):
                    _tell_side(current, side, "auto_confirmed_extra" if extra else "auto_confirmed",
                               lambda: _("Confirmed automatically: %(title)s", title=current.title),
                               paid=paid, done=current.done_minutes, extra=extra, provider=current.provider_name,
                               recipient=current.recipient_name)
                return "confirmed"
            if current.reminded_at is None:
                current.reminded_at = now
                _tell_side(current, RECIPIENT, "reminder",
                           lambda: _("Tomorrow your exchange will be confirmed automatically: %(title)s",
                                     title=current.title))
                return "reminded"
            return None

        try:
            outcome = atomic(work)
        except DomainError as error:  # e.g. a member was suspended meanwhile: a coordinator will look
            current_app.logger.warning("exchange %s not auto-confirmed: %s", exchange_id, error.message)
            continue
        reminded += outcome == "reminded"
        confirmed += outcome == "confirmed"
    return reminded, confirmed
