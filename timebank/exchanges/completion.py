"""Doing and confirming: the helper marks the service done, the recipient confirms, the hours move."""
from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.database import atomic
from timebank.errors import InvalidTransition, NotAllowed
from timebank.exchanges.models import PROVIDER, RECIPIENT, Exchange, ExchangeState
from timebank.exchanges.sides import acting_name, exchange_accounts, named, side_account
from timebank.exchanges.steps import _agent, _check_member, _event, _lock, _seen, _step, _tell_other, _tell_side
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.ledger import services as ledger
from timebank.ledger.errors import BelowFloor
from timebank.ledger.models import Transfer, TransferKind
from timebank.members.models import Member
from timebank.timeutil import utcnow


def exchange_mark_done(*, exchange: Exchange, actor: Member, minutes: int, by: Member | None = None,
                       key: str | None = None) -> Exchange:
    """The provider says the service happened, with the real duration."""
    def work():
        current = _lock(exchange)
        if _seen(current, "done", actor=actor, by=by, key=key):
            return current
        _check_member(actor)
        marks = _agent(current, actor, by)
        if current.side_of(actor) != PROVIDER:
            raise NotAllowed(_l("Only the person who gives the service marks it done."))
        if current.state is not ExchangeState.AGREED:
            raise InvalidTransition(_l("Only an agreed exchange can be marked done."))
        if current.on_date > utcnow().date():
            raise InvalidTransition(_l("The exchange is planned for %(date)s: mark it done after it happens.",
                                       date=format_date(current.on_date, "long")))
        ledger.check_amount(minutes)
        current.state, current.done_minutes, current.done_at = ExchangeState.DONE, minutes, utcnow()
        _step(current, actor, "done", by=by, marks=marks, minutes=minutes)
        _tell_side(current, RECIPIENT, "done",
                   lambda: _("Please confirm: %(title)s", title=current.title), minutes=minutes,
                   **named(current, actor))
        return current

    return atomic(work)


def _post(current: Exchange, actor: Member | None, *, allow_extra: bool = False,
          key_prefix: str | None = None, by: Member | None = None) -> None:
    """Post the reserved hours (at most what was reserved), and any extra the recipient (or a coordinator) agreed."""
    prefix = key_prefix or f"exchange:{current.id}"
    reservation = db.session.get(Transfer, current.reservation_id)
    posted = min(current.done_minutes, current.minutes)
    ledger.transfer_post_pending_in_transaction(pending=reservation, minutes=posted, key=f"{prefix}:post",
                                                actor=by or actor)
    extra = current.done_minutes - current.minutes
    if extra > 0 and (allow_extra or (actor is not None and current.side_of(actor) == RECIPIENT)):
        debit, credit = exchange_accounts(current)
        try:
            ledger.transfer_post_in_transaction(
                debit=debit, credit=credit,
                minutes=extra, kind=TransferKind.EXCHANGE, key=f"{prefix}:extra", actor=by or actor,
                memo=current.title, exchange_id=current.id)
        except BelowFloor as error:
            raise _payer_cannot_pay(current, paid=posted, error=error, by=by or actor) from None


def _payer_cannot_pay(current: Exchange, *, paid: int, error: BelowFloor, by: Member | None) -> BelowFloor:
    """The recipient's floor stops what this exchange would cost: say the most it can cost in all.

    The hours already reserved (or posted) for this exchange count: they are
    part of what the recipient can pay, which the ledger, seeing only the
    extra transfer, cannot know.
    """
    most = paid + error.most
    floor = format_minutes(side_account(current, RECIPIENT).floor)
    if by is not None and current.partner_side != RECIPIENT and by.id == current.recipient_id:
        message = _l("You can pay at most %(amount)s for this exchange now: your account cannot go below "
                     "%(floor)s. Raise a disagreement and a coordinator will settle the duration.",
                     amount=format_minutes(most), floor=floor)
    else:
        message = _l("%(name)s can pay at most %(amount)s for this exchange now: their account cannot go below "
                     "%(floor)s.", name=current.recipient_name, amount=format_minutes(most), floor=floor)
    return BelowFloor(message, field="minutes", most=most)


def exchange_settle_in_transaction(*, exchange: Exchange, actor: Member, partner: str | None = None) -> Exchange:
    """Settle an exchange marked done when one of its members (or its partner, named by ``partner``) is suspended:
    the service took place, so the hours both agreed move now (not more), rather than stay reserved on an account
    that can no longer confirm. The side that is still active may raise a disagreement within the usual window."""
    current = _lock(exchange)
    if current.state is not ExchangeState.DONE:
        raise InvalidTransition(_l("This exchange is not waiting for a confirmation."))
    _post(current, None, by=actor)
    minutes = min(current.done_minutes, current.minutes)
    current.state, current.finished_at = ExchangeState.COMPLETED, utcnow()
    why = {"suspended_partner": partner} if partner else {}  # "as the participation of … is suspended"
    _event(current, actor, "settled", minutes=minutes, **why)
    for side in (PROVIDER, RECIPIENT):
        _tell_side(current, side, "settled", lambda: _("Settled: %(title)s", title=current.title),
                   name=actor.display_name, minutes=minutes, **why)
    return current


def exchange_confirm(*, exchange: Exchange, actor: Member, by: Member | None = None,
                     key: str | None = None) -> Exchange:
    """The recipient confirms: the hours move to the provider (``by``: someone who confirms for them)."""
    def work():
        current = _lock(exchange)
        if _seen(current, "confirm", actor=actor, by=by, key=key):
            return current
        _check_member(actor)
        marks = _agent(current, actor, by)
        if current.side_of(actor) != RECIPIENT:
            raise NotAllowed(_l("Only the person who received the service confirms it."))
        if current.state is not ExchangeState.DONE:
            raise InvalidTransition(_l("This exchange is not waiting for a confirmation."))
        _post(current, actor, by=by)
        current.state, current.finished_at = ExchangeState.COMPLETED, utcnow()
        _step(current, actor, "confirmed", by=by, marks=marks, minutes=current.done_minutes)
        _tell_other(current, actor, "confirmed",
                    lambda: _("%(name)s confirmed: %(title)s", name=acting_name(current, actor), title=current.title),
                    minutes=current.done_minutes, **named(current, actor))
        return current

    return atomic(work)
