"""Disputes: opening one, and what coordinators see of exchanges that need them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.database import atomic
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.exchanges.models import OPEN_STATES, Dispute, Exchange, ExchangeEvent, ExchangeState
from timebank.exchanges.resolution import _exchange_total
from timebank.exchanges.sides import acting_name, named
from timebank.exchanges.steps import MESSAGE_MAX, _check_member, _event, _lock, _seen, _tell_other, plan_horizon
from timebank.extensions import db
from timebank.ledger.models import Transfer
from timebank.members.models import Member
from timebank.timeutil import months_after, utcnow


def dispute_can_open(exchange: Exchange, member: Member) -> bool:
    """Either party, before confirmation, or within the window after it."""
    if not exchange.involves(member) or not member.is_active_member:
        return False
    if exchange.state in (ExchangeState.AGREED, ExchangeState.DONE):
        return True
    if exchange.state is ExchangeState.COMPLETED and exchange.finished_at is not None:
        window = timedelta(days=current_app.config["TIMEBANK_DISPUTE_WINDOW_DAYS"])
        return utcnow() <= exchange.finished_at + window
    return False


def dispute_open(*, exchange: Exchange, actor: Member, reason: str, key: str | None = None) -> Dispute:
    """Say what went wrong; the exchange is frozen (no confirmation, no automatic one) until resolved."""
    def work():
        current = _lock(exchange)
        if _seen(current, "dispute", actor=actor, by=None, key=key):
            return dispute_latest(current)
        _check_member(actor)
        if not current.involves(actor):
            raise NotAllowed(_l("This exchange is not yours."))
        if not dispute_can_open(current, actor):
            raise InvalidTransition(_l("A disagreement can be raised before the confirmation, or within "
                                       "%(days)s days after it.",
                                       days=current_app.config["TIMEBANK_DISPUTE_WINDOW_DAYS"]))
        if not reason.strip():
            raise DomainError(_l("Please say what went wrong."), field="reason")
        dispute = Dispute(exchange_id=current.id, opened_by_id=actor.id, reason=reason.strip()[:MESSAGE_MAX],
                          state_before=current.state.value, opened_at=utcnow())
        db.session.add(dispute)
        current.state = ExchangeState.DISPUTED
        _event(current, actor, "disputed", reason=dispute.reason)
        _tell_other(current, actor, "disputed",
                    lambda: _("%(name)s raised a disagreement: %(title)s", name=acting_name(current, actor),
                              title=current.title), **named(current, actor))
        return dispute

    return atomic(work)


@dataclass(frozen=True)
class Unpaid:
    """Marked done for more than agreed, confirmed automatically: only the agreed hours moved."""

    paid: int
    done: int
    extra: int
    dispute_until: datetime


def exchange_unpaid_extra(exchange: Exchange) -> Unpaid | None:
    """What an automatic confirmation left unpaid (the hours marked done beyond those agreed), if anything."""
    if exchange.state is not ExchangeState.COMPLETED:
        return None
    event = next((e for e in reversed(exchange.events) if e.kind == "auto_confirmed"), None)
    if event is None or not event.detail.get("extra"):
        return None
    moved, _ = _exchange_total(exchange)
    if moved >= event.detail["done"]:
        return None  # paid since (a disagreement settled, for example)
    window = timedelta(days=current_app.config["TIMEBANK_DISPUTE_WINDOW_DAYS"])
    return Unpaid(moved, event.detail["done"], event.detail["done"] - moved, exchange.finished_at + window)


def coordinators_concerned(exchange: Exchange) -> bool:
    """Did this exchange come to the coordinators: a disagreement (open or settled), or recorded by one of them?"""
    disputed = sa.exists().where(Dispute.exchange_id == exchange.id)
    brokered = sa.exists().where(ExchangeEvent.exchange_id == exchange.id, ExchangeEvent.kind == "brokered")
    return bool(db.session.scalar(sa.select(sa.or_(disputed, brokered)))) or _held_long(exchange)


def _held_long(exchange: Exchange) -> bool:
    """Is this exchange in the coordinators' queue of hours reserved for a long time?"""
    if exchange.reservation_id is None or exchange.state not in OPEN_STATES:
        return False
    reservation = db.session.get(Transfer, exchange.reservation_id)
    if reservation.state.value != "pending":
        return False
    months = current_app.config["TIMEBANK_PLAN_AHEAD_MONTHS"]
    now = utcnow()
    return exchange.on_date > plan_horizon() or \
        reservation.created_at <= datetime.combine(months_after(now.date(), -months), now.time())


def dispute_of(exchange: Exchange) -> Dispute | None:
    """The open dispute of an exchange, if any."""
    return db.session.scalar(sa.select(Dispute).where(Dispute.exchange_id == exchange.id,
                                                      Dispute.resolved_at.is_(None)))


def dispute_latest(exchange: Exchange) -> Dispute | None:
    """The last disagreement of an exchange, settled or not."""
    return db.session.scalar(sa.select(Dispute).where(Dispute.exchange_id == exchange.id)
                             .order_by(Dispute.id.desc()).limit(1))
