"""The exchange state machine: every step checked here, each one transaction with its ledger effect.

    proposed ──accept──▶ agreed ──mark done──▶ done ──confirm / auto-confirm──▶ completed
       │ ▲ counter          │                    │
       └─decline / cancel───┴──cancel (void)─────┘

The recipient pays: accepting reserves the hours from the recipient's account
(two-phase transfer), confirming posts them, cancelling voids them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from timebank.audit import audit
from timebank.database import atomic, begin_write, insert_on_conflict, lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.exchanges.models import (
    OPEN_STATES,
    Dispute,
    DisputeResolution,
    Exchange,
    ExchangeEvent,
    ExchangeMessage,
    ExchangeRead,
    ExchangeState,
)
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.idempotency import form_claim
from timebank.ledger import services as ledger
from timebank.ledger.errors import AboveCeiling, BelowFloor
from timebank.ledger.models import Transfer, TransferKind
from timebank.listings.models import Listing, ListingType
from timebank.members.models import Member
from timebank.notifications.services import mail_queue, notify
from timebank.timeutil import months_after, utcnow

MESSAGE_MAX = 2000


@dataclass(frozen=True)
class Terms:
    title: str
    minutes: int
    on_date: date
    at_time: time | None


_lock = lock_fresh


def _event(exchange: Exchange, actor: Member | None, kind: str, **detail) -> None:
    db.session.add(ExchangeEvent(exchange_id=exchange.id, actor_id=actor.id if actor else None, kind=kind,
                                 detail=detail, created_at=utcnow()))
    exchange.updated_at = utcnow()


def _tell(member: Member, exchange: Exchange, kind: str, subject, **extra) -> None:
    """An in-app notice and an e-mail for one party, in that member's language."""
    params = {"title": exchange.title, "name": extra.pop("name", ""), **extra}
    notify(member=member, kind=f"exchange_{kind}", params=params, link=f"/exchanges/{exchange.id}")
    mail_queue(member=member, subject=subject, template="exchange_update", exchange=exchange, kind=kind,
               topic="messages" if kind == "message" else "exchanges",
               text=lambda: exchange_notice(f"exchange_{kind}", params))


def exchange_notice(kind: str, params: dict) -> str:
    from timebank.notifications.messages import notification_text

    return notification_text(kind, params)


def _check_member(member: Member) -> None:
    if not member.is_active_member:
        raise NotAllowed(_l("Only active members can take part in exchanges."))


def check_verified_for(*, category_id: int | None, provider: Member) -> None:
    """Refuse a service in a "verified only" category (childcare…) whose provider no coordinator vouched for.

    Every path that names a category checks it: a listing, a proposal, a gift, a coordinator's record, a group.
    """
    if category_id is None:
        return
    from timebank.listings.models import Category

    category = db.session.get(Category, category_id)
    if category is not None and category.requires_verified and not provider.is_verified:
        raise NotAllowed(_l("This service needs a provider verified by a coordinator."))


def plan_horizon() -> date:
    """The latest date an exchange may be planned for today (the setting "how far ahead", in months)."""
    return months_after(utcnow().date(), current_app.config["TIMEBANK_PLAN_AHEAD_MONTHS"])


def check_horizon(on_date: date) -> None:
    """Refuse a date so far ahead that the payer's hours would be held for months (e.g. 31 December 9999)."""
    latest = plan_horizon()
    if on_date > latest:
        raise DomainError(_l("An exchange can be planned %(months)s months ahead at most, until %(date)s. Please "
                             "choose an earlier date; you can plan the next one later.",
                             months=current_app.config["TIMEBANK_PLAN_AHEAD_MONTHS"],
                             date=format_date(latest, "long")), field="on_date")


def _check_terms(terms: Terms, *, provider: Member, listing: Listing | None) -> None:
    if not terms.title.strip():
        raise DomainError(_l("Please say what the exchange is about."), field="title")
    ledger.check_amount(terms.minutes)
    if terms.on_date < utcnow().date():
        raise DomainError(_l("The date is already past. For a service already done, use “Give time”."),
                          field="on_date")
    check_horizon(terms.on_date)
    check_verified_for(category_id=listing.category_id if listing else None, provider=provider)


# Proposing and agreeing ------------------------------------------------------------------


def check_not_oneself(*, proposer: Member, counterpart: Member, listing: Listing | None) -> None:
    if counterpart.id == proposer.id:
        raise NotAllowed(_l("This is your own listing: other members propose exchanges to you from it.")
                         if listing is not None else _l("You cannot propose an exchange to yourself."))


def exchange_propose(*, proposer: Member, counterpart: Member, proposer_provides: bool, terms: Terms,
                     message: str = "", listing: Listing | None = None, key: str | None = None) -> Exchange:
    """Propose an exchange to another member; the counterpart answers.

    ``key`` is the form's idempotency key: sending the same form twice makes one proposal.
    """
    scoped = f"{proposer.id}:{key}" if key else None

    def work():
        if scoped is not None:
            existing = db.session.scalar(sa.select(Exchange).where(Exchange.client_key == scoped))
            if existing is not None:
                return existing
        _check_member(proposer)
        check_not_oneself(proposer=proposer, counterpart=counterpart, listing=listing)
        if not counterpart.is_active_member:
            raise NotAllowed(_l("%(name)s cannot take part in exchanges at the moment.",
                                name=counterpart.display_name))
        from timebank.messages.services import check_may_contact

        check_may_contact(sender=proposer, recipient=counterpart)
        provider, recipient = (proposer, counterpart) if proposer_provides else (counterpart, proposer)
        _check_terms(terms, provider=provider, listing=listing)
        exchange = Exchange(
            listing=listing, category_id=listing.category_id if listing else None,
            provider=provider, recipient=recipient, proposer=proposer, turn_id=counterpart.id,
            title=terms.title.strip(), minutes=terms.minutes, on_date=terms.on_date, at_time=terms.at_time,
            state=ExchangeState.PROPOSED, created_at=utcnow(), updated_at=utcnow(), client_key=scoped,
        )
        db.session.add(exchange)
        db.session.flush()
        _event(exchange, proposer, "proposed", minutes=terms.minutes, on_date=terms.on_date.isoformat())
        if message.strip():
            _add_message(exchange, proposer, message)
        _tell(counterpart, exchange, "proposed",
              lambda: _("%(name)s proposes an exchange: %(title)s", name=proposer.display_name,
                        title=exchange.title), name=proposer.display_name)
        return exchange

    return atomic(work)


def _agent(current: Exchange, actor: Member, by: Member | None) -> dict:
    """When ``by`` acts for ``actor`` (a coordinator or a trusted helper): check it, and return the timeline's marks."""
    if by is None:
        return {}
    from timebank.coordination.acting import check_may_act_for

    role = check_may_act_for(agent=by, member=actor)
    if current.involves(by):
        raise NotAllowed(_l("You take part in this exchange: you cannot also act for the other person."))
    return {"by": by.id, "by_name": by.display_name, "by_role": role}


def _step(current: Exchange, actor: Member, kind: str, *, by: Member | None, marks: dict, **detail) -> None:
    """Write the step in the timeline; when someone acted for ``actor``, mark it and tell ``actor``."""
    _event(current, actor, kind, **detail, **marks)
    if by is not None:
        from timebank.coordination.acting import acted_for

        acted_for(member=actor, agent=by, role=marks["by_role"], target=f"exchange {current.id}", step=kind,
                  title=current.title, link=f"/exchanges/{current.id}")


def _seen(current: Exchange, step: str, *, actor: Member, by: Member | None, key: str | None) -> bool:
    """Was this very form (same key, same step, same person) already handled? Then the step is not done again."""
    sender = by or actor
    _, replayed = form_claim(member_id=sender.id, key=key, action=f"exchange_{step}", target=f"{current.id}:{actor.id}")
    return replayed


def _check_turn(exchange: Exchange, actor: Member) -> None:
    _check_member(actor)
    if not exchange.involves(actor):
        raise NotAllowed(_l("This exchange is not yours."))
    if exchange.state is not ExchangeState.PROPOSED:
        raise InvalidTransition(_l("This proposal has already been answered."))
    if exchange.turn_id != actor.id:
        raise InvalidTransition(_l("It is the other person's turn to answer."))


def exchange_counter(*, exchange: Exchange, actor: Member, minutes: int, on_date: date,
                     at_time: time | None, by: Member | None = None, key: str | None = None) -> Exchange:
    """Answer a proposal with another duration or date; the other person then answers."""
    def work():
        current = _lock(exchange)
        if _seen(current, "counter", actor=actor, by=by, key=key):
            return current
        _check_turn(current, actor)
        marks = _agent(current, actor, by)
        terms = Terms(current.title, minutes, on_date, at_time)
        _check_terms(terms, provider=current.provider, listing=current.listing)
        if (minutes, on_date, at_time) == (current.minutes, current.on_date, current.at_time):
            raise InvalidTransition(_l("Nothing changed: accept the proposal as it is, or change the duration "
                                       "or the date."))
        current.minutes, current.on_date, current.at_time = minutes, on_date, at_time
        other = current.counterpart(actor)
        current.turn_id = other.id
        _step(current, actor, "countered", by=by, marks=marks, minutes=minutes, on_date=on_date.isoformat())
        _tell(other, current, "countered",
              lambda: _("%(name)s suggests a change: %(title)s", name=actor.display_name, title=current.title),
              name=actor.display_name)
        return current

    return atomic(work)


def exchange_accept(*, exchange: Exchange, actor: Member, by: Member | None = None,
                    key: str | None = None) -> Exchange:
    """Agree the exchange: the hours are reserved from the recipient's account.

    ``by``: a coordinator or trusted helper who accepts for ``actor``.
    """
    def work():
        current = _lock(exchange)
        if _seen(current, "accept", actor=actor, by=by, key=key):
            return current
        _check_turn(current, actor)
        marks = _agent(current, actor, by)
        if current.listing is not None and current.listing.category.requires_verified \
                and not current.provider.is_verified:
            raise NotAllowed(_l("This service needs a provider verified by a coordinator."))
        try:
            reservation = ledger.transfer_reserve_in_transaction(
                debit=ledger.account_of(current.recipient), credit=ledger.account_of(current.provider),
                minutes=current.minutes, kind=TransferKind.EXCHANGE, key=f"exchange:{current.id}:reserve",
                actor=by or actor, memo=current.title, exchange_id=current.id)
        except BelowFloor as error:
            if actor.id == current.recipient_id:
                raise BelowFloor(_l("%(reason)s Ask for fewer hours, or earn hours by offering your help first.",
                                    reason=error.message)) from None
            raise BelowFloor(_l("%(name)s does not have enough hours for this exchange just now. Suggest fewer "
                                "hours, or wait until they have offered their help.",
                                name=current.recipient.display_name)) from None
        except AboveCeiling:
            if actor.id == current.provider_id:
                raise
            # The provider's balance is hers: say only that this is too much for her now.
            raise AboveCeiling(_l("%(name)s cannot receive this many hours just now: their account is close to "
                                  "its upper limit.", name=current.provider.display_name)) from None
        db.session.flush()
        current.reservation_id = reservation.id
        current.state, current.turn_id = ExchangeState.AGREED, None
        _step(current, actor, "accepted", by=by, marks=marks)
        other = current.counterpart(actor)
        _tell(other, current, "accepted",
              lambda: _("%(name)s agreed: %(title)s", name=actor.display_name, title=current.title),
              name=actor.display_name)
        return current

    return atomic(work)


def exchange_decline(*, exchange: Exchange, actor: Member, message: str = "", by: Member | None = None,
                     key: str | None = None) -> Exchange:
    def work():
        current = _lock(exchange)
        if _seen(current, "decline", actor=actor, by=by, key=key):
            return current
        _check_turn(current, actor)
        marks = _agent(current, actor, by)
        current.state, current.turn_id, current.finished_at = ExchangeState.DECLINED, None, utcnow()
        _step(current, actor, "declined", by=by, marks=marks)
        if message.strip():
            _add_message(current, by or actor, message)
        other = current.counterpart(actor)
        _tell(other, current, "declined",
              lambda: _("%(name)s declined: %(title)s", name=actor.display_name, title=current.title),
              name=actor.display_name)
        return current

    return atomic(work)


def exchange_cancel_in_transaction(*, exchange: Exchange, actor: Member, reason: str, force: bool = False,
                                   by: Member | None = None) -> Exchange:
    """Cancel and release the reserved hours. ``force``: a coordinator suspending a member, whatever the state."""
    current = _lock(exchange)
    marks = _agent(current, actor, by)
    if not force:
        _check_member(actor)
        if not current.involves(actor):
            raise NotAllowed(_l("This exchange is not yours."))
        if current.state not in (ExchangeState.PROPOSED, ExchangeState.AGREED):
            raise InvalidTransition(_l("This exchange can no longer be cancelled."))
    if not reason.strip():
        raise DomainError(_l("Please say why you cancel: the other person will read it."), field="reason")
    if current.reservation_id is not None and current.state in (ExchangeState.AGREED, ExchangeState.DONE):
        ledger.transfer_void_in_transaction(pending=db.session.get(Transfer, current.reservation_id),
                                            actor=by or actor)
    current.state, current.turn_id, current.finished_at = ExchangeState.CANCELLED, None, utcnow()
    _step(current, actor, "cancelled", by=by, marks=marks, reason=reason.strip()[:MESSAGE_MAX])
    for member in (current.provider, current.recipient):
        if member.id != actor.id:
            _tell(member, current, "cancelled",
                  lambda: _("%(name)s cancelled: %(title)s", name=actor.display_name, title=current.title),
                  name=actor.display_name, reason=reason.strip()[:300])
    return current


def exchange_cancel(*, exchange: Exchange, actor: Member, reason: str, by: Member | None = None,
                    key: str | None = None) -> Exchange:
    """Either party cancels before the service is marked done; reserved hours are released."""
    def work():
        current = _lock(exchange)
        if _seen(current, "cancel", actor=actor, by=by, key=key):
            return current
        return exchange_cancel_in_transaction(exchange=current, actor=actor, reason=reason, by=by)

    return atomic(work)


def exchange_record_past_in_transaction(*, recipient: Member, provider: Member, minutes: int, title: str,
                                        category_id: int | None, by_recipient: bool = True) -> Exchange:
    """Write down a service already received ("Karim helped me 2 h"), completed at once.

    The caller posts the hours with ``exchange_id`` set to this exchange; the
    provider is told and may raise a disagreement within the window.
    """
    check_verified_for(category_id=category_id, provider=provider)
    exchange = Exchange(
        provider=provider, recipient=recipient, proposer=recipient, turn_id=None, category_id=category_id,
        title=(title.strip() or str(_l("Service received")))[:100], minutes=minutes, on_date=utcnow().date(),
        state=ExchangeState.COMPLETED, done_minutes=minutes, done_at=utcnow(), finished_at=utcnow(),
        created_at=utcnow(), updated_at=utcnow(),
    )
    db.session.add(exchange)
    db.session.flush()
    if by_recipient:
        _event(exchange, recipient, "recorded", minutes=minutes)
    return exchange


def exchange_record_brokered(*, coordinator: Member, provider: Member, recipient: Member, minutes: int,
                             title: str, category_id: int | None = None, key: str | None = None) -> Exchange:
    """A coordinator records, on behalf of a member without phone or internet, a service they received.

    The recipient must have asked the coordinators to act for them. The hours
    move at once; both people are told, and either can raise a disagreement.
    ``key`` is the form's: the same form sent twice records one exchange and moves the hours once.
    """
    def work():
        use, replayed = form_claim(member_id=coordinator.id, key=key, action="exchange_brokered", target=recipient.id)
        if replayed:
            return db.session.get(Exchange, use.target_id)
        if not (coordinator.is_coordinator and coordinator.is_active_member):
            raise NotAllowed(_l("Only coordinators can record an exchange for a member."))
        if coordinator.id in (provider.id, recipient.id):
            raise NotAllowed(_l("Another coordinator must record an exchange you are part of."))
        if not recipient.brokered:
            raise NotAllowed(_l("%(name)s has not asked the coordinators to act for them.",
                                name=recipient.display_name))
        if provider.id == recipient.id:
            raise NotAllowed(_l("Choose two different members."))
        debit, credit = ledger.account_of(recipient), ledger.account_of(provider)
        if debit is None or credit is None:
            raise NotAllowed(_l("Both members need an active account."))
        ledger.transfer_check(debit=debit, credit=credit, minutes=minutes, actor=None)
        exchange = exchange_record_past_in_transaction(recipient=recipient, provider=provider, minutes=minutes,
                                                       title=title, category_id=category_id, by_recipient=False)
        exchange.proposer_id = coordinator.id
        _event(exchange, coordinator, "brokered", minutes=minutes, on_behalf_of=recipient.display_name)
        transfer = ledger.transfer_post_in_transaction(
            debit=debit, credit=credit, minutes=minutes, kind=TransferKind.EXCHANGE,
            key=f"exchange:{exchange.id}:brokered", actor=coordinator, memo=exchange.title, exchange_id=exchange.id)
        audit(actor=coordinator, action="exchange_brokered", member=recipient, target=f"exchange {exchange.id}",
              minutes=minutes, provider=provider.id)
        for member in (provider, recipient):
            _tell(member, exchange, "brokered",
                  lambda: _("Recorded for you: %(title)s", title=exchange.title), name=coordinator.display_name,
                  minutes=minutes)
        assert transfer.exchange_id == exchange.id
        if use is not None:
            use.target_id = exchange.id
        return exchange

    return atomic(work)


# Doing and confirming ----------------------------------------------------------------------


def exchange_mark_done(*, exchange: Exchange, actor: Member, minutes: int, by: Member | None = None,
                       key: str | None = None) -> Exchange:
    """The provider says the service happened, with the real duration."""
    def work():
        current = _lock(exchange)
        if _seen(current, "done", actor=actor, by=by, key=key):
            return current
        _check_member(actor)
        marks = _agent(current, actor, by)
        if actor.id != current.provider_id:
            raise NotAllowed(_l("Only the person who gives the service marks it done."))
        if current.state is not ExchangeState.AGREED:
            raise InvalidTransition(_l("Only an agreed exchange can be marked done."))
        if current.on_date > utcnow().date():
            raise InvalidTransition(_l("The exchange is planned for %(date)s: mark it done after it happens.",
                                       date=format_date(current.on_date, "long")))
        ledger.check_amount(minutes)
        current.state, current.done_minutes, current.done_at = ExchangeState.DONE, minutes, utcnow()
        _step(current, actor, "done", by=by, marks=marks, minutes=minutes)
        _tell(current.recipient, current, "done",
              lambda: _("Please confirm: %(title)s", title=current.title), name=actor.display_name,
              minutes=minutes)
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
    if extra > 0 and (allow_extra or (actor is not None and actor.id == current.recipient_id)):
        try:
            ledger.transfer_post_in_transaction(
                debit=ledger.account_of(current.recipient), credit=ledger.account_of(current.provider),
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
    floor = format_minutes(ledger.account_of(current.recipient).floor)
    if by is not None and by.id == current.recipient_id:
        message = _l("You can pay at most %(amount)s for this exchange now: your account cannot go below "
                     "%(floor)s. Raise a disagreement and a coordinator will settle the duration.",
                     amount=format_minutes(most), floor=floor)
    else:
        message = _l("%(name)s can pay at most %(amount)s for this exchange now: their account cannot go below "
                     "%(floor)s.", name=current.recipient.display_name, amount=format_minutes(most), floor=floor)
    return BelowFloor(message, field="minutes", most=most)


def exchange_settle_in_transaction(*, exchange: Exchange, actor: Member) -> Exchange:
    """Settle an exchange marked done when one of its members is suspended: the service took place, so the hours
    both agreed move now (not more), rather than stay reserved on an account that can no longer confirm. The
    member who is still active may raise a disagreement within the usual window."""
    current = _lock(exchange)
    if current.state is not ExchangeState.DONE:
        raise InvalidTransition(_l("This exchange is not waiting for a confirmation."))
    _post(current, None, by=actor)
    minutes = min(current.done_minutes, current.minutes)
    current.state, current.finished_at = ExchangeState.COMPLETED, utcnow()
    _event(current, actor, "settled", minutes=minutes)
    for member in (current.provider, current.recipient):
        _tell(member, current, "settled", lambda: _("Settled: %(title)s", title=current.title),
              name=actor.display_name, minutes=minutes)
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
        if actor.id != current.recipient_id:
            raise NotAllowed(_l("Only the person who received the service confirms it."))
        if current.state is not ExchangeState.DONE:
            raise InvalidTransition(_l("This exchange is not waiting for a confirmation."))
        _post(current, actor, by=by)
        current.state, current.finished_at = ExchangeState.COMPLETED, utcnow()
        _step(current, actor, "confirmed", by=by, marks=marks, minutes=current.done_minutes)
        _tell(current.provider, current, "confirmed",
              lambda: _("%(name)s confirmed: %(title)s", name=actor.display_name, title=current.title),
              name=actor.display_name, minutes=current.done_minutes)
        return current

    return atomic(work)


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
            for member in (current.provider, current.recipient):
                other = current.counterpart(member)
                _tell(member, current, "tomorrow", lambda: _("Tomorrow: %(title)s", title=current.title),
                      name=other.display_name)
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
                for member in (current.provider, current.recipient):
                    _tell(member, current, "auto_confirmed_extra" if extra else "auto_confirmed",
                          lambda: _("Confirmed automatically: %(title)s", title=current.title),
                          paid=paid, done=current.done_minutes, extra=extra, provider=current.provider.display_name,
                          recipient=current.recipient.display_name)
                return "confirmed"
            if current.reminded_at is None:
                current.reminded_at = now
                _tell(current.recipient, current, "reminder",
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


# Messages ----------------------------------------------------------------------------------


def _add_message(exchange: Exchange, author: Member, body: str) -> ExchangeMessage:
    message = ExchangeMessage(exchange_id=exchange.id, author_id=author.id, body=body.strip()[:MESSAGE_MAX],
                              created_at=utcnow())
    db.session.add(message)
    return message


def exchange_write(*, exchange: Exchange, author: Member, body: str) -> ExchangeMessage:
    """Write in an exchange's thread; the other person is told."""
    def work():
        current = _lock(exchange)
        _check_member(author)
        mediating = author.is_coordinator and current.state is ExchangeState.DISPUTED
        if not current.involves(author) and not mediating:
            raise NotAllowed(_l("This exchange is not yours."))
        if not body.strip():
            raise DomainError(_l("Please write a message."), field="body")
        message = _add_message(current, author, body)
        readers = [current.counterpart(author)] if current.involves(author) else [current.provider, current.recipient]
        for reader in readers:
            _tell(reader, current, "message",
                  lambda: _("New message from %(name)s: %(title)s", name=author.display_name, title=current.title),
                  name=author.display_name)
        return message

    return atomic(work)


def exchange_mark_read(*, exchange: Exchange, member: Member) -> None:
    last = max((message.id for message in exchange.messages), default=0)
    begin_write()
    # One statement: two first views at the same moment (two tabs, a double tap) cannot both insert.
    statement = insert_on_conflict(ExchangeRead).values(exchange_id=exchange.id, member_id=member.id,
                                                        last_message_id=last)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["exchange_id", "member_id"], set_={"last_message_id": statement.excluded.last_message_id},
        where=ExchangeRead.last_message_id < statement.excluded.last_message_id))
    db.session.commit()


def unread_messages_query(*, member: Member):
    """Messages from others in my exchanges that I have not read (a count)."""
    read = sa.select(ExchangeRead.last_message_id).where(
        ExchangeRead.exchange_id == ExchangeMessage.exchange_id, ExchangeRead.member_id == member.id
    ).scalar_subquery()
    mine = sa.select(Exchange.id).where(sa.or_(Exchange.provider_id == member.id, Exchange.recipient_id == member.id))
    return sa.select(sa.func.count()).select_from(ExchangeMessage).where(
        ExchangeMessage.exchange_id.in_(mine), ExchangeMessage.author_id != member.id,
        ExchangeMessage.id > sa.func.coalesce(read, 0))


def unread_messages(*, member: Member) -> int:
    return db.session.scalar(unread_messages_query(member=member))


# Reading -----------------------------------------------------------------------------------


def my_exchanges(*, member: Member) -> dict[str, list[Exchange]]:
    """My exchanges, grouped the way I act on them."""
    rows = db.session.scalars(
        sa.select(Exchange).where(sa.or_(Exchange.provider_id == member.id, Exchange.recipient_id == member.id))
        .order_by(Exchange.on_date, Exchange.id)
        .options(joinedload(Exchange.provider), joinedload(Exchange.recipient))
    ).unique().all()
    groups: dict[str, list[Exchange]] = {"answer": [], "waiting": [], "upcoming": [], "confirm": [], "disputed": [],
                                         "history": []}
    for exchange in rows:
        if exchange.state is ExchangeState.PROPOSED:
            groups["answer" if exchange.turn_id == member.id else "waiting"].append(exchange)
        elif exchange.state is ExchangeState.AGREED:
            groups["upcoming"].append(exchange)
        elif exchange.state is ExchangeState.DONE:
            groups["confirm" if exchange.recipient_id == member.id else "waiting"].append(exchange)
        elif exchange.state is ExchangeState.DISPUTED:
            groups["disputed"].append(exchange)
        else:
            groups["history"].append(exchange)
    groups["history"].sort(key=lambda e: e.finished_at or e.updated_at, reverse=True)
    return groups


def actions_for(exchange: Exchange, member: Member) -> list[str]:
    """The steps this member may take now (the services check them again)."""
    if not member.is_active_member:
        return []
    if not exchange.involves(member):
        mediating = member.is_coordinator and exchange.state is ExchangeState.DISPUTED
        return ["write", "resolve"] if mediating else []
    actions = []
    if exchange.state is ExchangeState.PROPOSED and exchange.turn_id == member.id:
        actions += ["accept", "counter", "decline"]
    if exchange.state is ExchangeState.AGREED and member.id == exchange.provider_id \
            and exchange.on_date <= utcnow().date():
        actions.append("done")
    if exchange.state is ExchangeState.DONE and member.id == exchange.recipient_id:
        actions.append("confirm")
    if exchange.state in (ExchangeState.PROPOSED, ExchangeState.AGREED):
        actions.append("cancel")
    if exchange.state in OPEN_STATES:
        actions.append("write")
    if dispute_can_open(exchange, member):
        actions.append("dispute")
    return actions


@dataclass(frozen=True)
class HeldReservation:
    """Hours reserved for an exchange or a group session, held for a long time (a coordinator's queue)."""

    title: str
    payer: Member
    receiver: Member
    minutes: int
    on_date: date
    reserved_at: datetime
    link: str


def reservations_held_long(*, limit: int = 200) -> list[HeldReservation]:
    """Reserved hours held too long, the oldest reservation first.

    "Too long" uses the setting of how far ahead an exchange may be planned (N
    months): hours reserved N months ago or more and still neither paid nor
    released, or reserved for an exchange dated more than N months from today
    (planned before the limit existed, e.g. 31 December 9999).
    """
    from timebank.exchanges.models import GroupParticipant, GroupSession, GroupState

    months = current_app.config["TIMEBANK_PLAN_AHEAD_MONTHS"]
    now = utcnow()
    reserved_before = datetime.combine(months_after(now.date(), -months), now.time())
    horizon = plan_horizon()
    pending = sa.and_(Transfer.reservation.is_(True), Transfer.state == "pending")
    exchanges = db.session.execute(
        sa.select(Exchange, Transfer).join(Transfer, Transfer.id == Exchange.reservation_id)
        .where(pending, Exchange.state.in_(OPEN_STATES),
               sa.or_(Transfer.created_at <= reserved_before, Exchange.on_date > horizon))
        .order_by(Transfer.id).limit(limit)
        .options(joinedload(Exchange.provider), joinedload(Exchange.recipient))).all()
    sessions = db.session.execute(
        sa.select(GroupParticipant, GroupSession, Transfer)
        .join(GroupSession, GroupSession.id == GroupParticipant.session_id)
        .join(Transfer, Transfer.id == GroupParticipant.reservation_id)
        .where(pending, GroupSession.state == GroupState.OPEN, GroupParticipant.left_at.is_(None),
               sa.or_(Transfer.created_at <= reserved_before, GroupSession.on_date > horizon))
        .order_by(Transfer.id).limit(limit)
        .options(joinedload(GroupParticipant.member), joinedload(GroupSession.provider))).all()
    held = [(t.id, HeldReservation(e.title, e.recipient, e.provider, t.minutes, e.on_date, t.created_at,
                                   f"/exchanges/{e.id}")) for e, t in exchanges]
    held += [(t.id, HeldReservation(s.title, p.member, s.provider, t.minutes, s.on_date, t.created_at,
                                    f"/groups/{s.id}")) for p, s, t in sessions]
    return [item for _, item in sorted(held, key=lambda pair: (pair[1].reserved_at, pair[0]))][:limit]


def minutes_text(minutes: int) -> str:
    return format_minutes(minutes)


# Disputes ----------------------------------------------------------------------------------


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
        other = current.counterpart(actor)
        _tell(other, current, "disputed",
              lambda: _("%(name)s raised a disagreement: %(title)s", name=actor.display_name, title=current.title),
              name=actor.display_name)
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


def disputes_open() -> list[Dispute]:
    return list(db.session.scalars(
        sa.select(Dispute).where(Dispute.resolved_at.is_(None)).order_by(Dispute.opened_at, Dispute.id)
        .options(joinedload(Dispute.exchange), joinedload(Dispute.opened_by))
    ).unique())


def _exchange_total(current: Exchange) -> tuple[int, Transfer | None]:
    """Minutes that moved from recipient to provider for this exchange, and the posting transfer."""
    provider_account = ledger.account_of(current.provider)
    moved, posting = 0, None
    for transfer in db.session.scalars(sa.select(Transfer).where(Transfer.exchange_id == current.id,
                                                                  Transfer.reservation.is_(False))
                                       .order_by(Transfer.id)):
        moved += transfer.minutes if transfer.credit_account_id == provider_account.id else -transfer.minutes
        if transfer.pending_id is not None or posting is None:
            posting = transfer  # the posting of the reservation, or the first transfer of a recorded exchange
    return moved, posting


SHORTFALL_PARTIAL = "partial"  # take back only what the helper can give back now
SHORTFALL_COMMUNITY = "community"  # take back all: the community account gives what the helper cannot


class ReversalShortfall(BelowFloor):
    """Taking hours back would take the helper below her lower limit: the coordinator chooses what to do."""

    def __init__(self, message, *, room: int, cover: int, community_can: bool):
        super().__init__(message, field="shortfall")
        self.room, self.cover, self.community_can = room, cover, community_can


@dataclass(frozen=True)
class ReversalRoom:
    """For a disagreement after confirmation: how much can go back from the helper now, and from the community."""

    moved: int  # what the exchange moved to the helper
    room: int  # what the helper can give back now without going below her lower limit
    community: int  # what the community account can give

    @property
    def short(self) -> bool:
        """Would taking back all of it go below the helper's lower limit?"""
        return self.room < self.moved


def _can_give(account) -> int:
    return ledger.balance_of(account).can_give if account.floor is not None else 10 ** 9


def dispute_reversal_room(dispute: Dispute) -> ReversalRoom | None:
    """What a full reversal of a confirmed exchange would meet now (None before confirmation: nothing to take back)."""
    if dispute.resolved_at is not None or dispute.state_before != ExchangeState.COMPLETED.value:
        return None
    moved, _ = _exchange_total(dispute.exchange)
    if moved <= 0:
        return None
    return ReversalRoom(moved, min(moved, _can_give(ledger.account_of(dispute.exchange.provider))),
                        _can_give(ledger.community_account()))


def dispute_resolve(*, dispute: Dispute, actor: Member, resolution: DisputeResolution, reason: str,
                    minutes: int | None = None, key: str | None = None, shortfall: str | None = None) -> Dispute:
    """A coordinator settles a disagreement; the ledger gets the matching entries, nothing is rewritten.

    When hours must go back from a helper who has already spent them, ``shortfall`` says what the coordinator
    chose: take back only what she can give back now (``"partial"``), or all of it, with the community account
    giving the difference (``"community"``); without a choice, ``ReversalShortfall`` says what is possible.
    """
    def work():
        if not (actor.is_coordinator and actor.is_active_member):
            raise NotAllowed(_l("Only coordinators can settle a disagreement."))
        current = _lock(dispute.exchange)
        fresh = lock_fresh(dispute)
        if _seen(current, f"resolve:{fresh.id}", actor=actor, by=None, key=key):
            return fresh
        if fresh.resolved_at is not None or current.state is not ExchangeState.DISPUTED:
            raise InvalidTransition(_l("This disagreement has already been settled."))
        if current.involves(actor):
            raise NotAllowed(_l("Another coordinator must settle a disagreement you are part of."))
        if not reason.strip():
            raise DomainError(_l("Please write the reason: both people will read it."), field="reason")
        before = ExchangeState(fresh.state_before)
        target = {
            DisputeResolution.UPHELD: current.done_minutes if before is ExchangeState.DONE else current.minutes,
            DisputeResolution.CHANGED: minutes,
            DisputeResolution.CANCELLED: 0,
        }[resolution]
        if resolution is DisputeResolution.CHANGED:
            if minutes is None:
                raise DomainError(_l("Please give the number of hours decided."), field="minutes")
            ledger.check_amount(minutes)
        ledger_key = f"exchange:{current.id}:dispute:{fresh.id}"
        outcome = {}
        if before is ExchangeState.COMPLETED:
            outcome = _correct_posted(current, target, actor=actor, reason=reason, key=ledger_key,
                                      shortfall=shortfall)
            target = outcome.get("target", target)
            current.state = ExchangeState.COMPLETED if target else ExchangeState.CANCELLED
        elif resolution is DisputeResolution.CANCELLED:
            ledger.transfer_void_in_transaction(pending=db.session.get(Transfer, current.reservation_id), actor=actor)
            current.state = ExchangeState.CANCELLED
        elif resolution is DisputeResolution.UPHELD and before is ExchangeState.AGREED:
            current.state = ExchangeState.AGREED
        else:
            current.done_minutes = target
            _post(current, actor, allow_extra=True, key_prefix=ledger_key)
            current.state = ExchangeState.COMPLETED
        if current.state is not ExchangeState.AGREED:
            current.finished_at = current.finished_at or utcnow()
        fresh.resolved_at, fresh.resolved_by_id = utcnow(), actor.id
        fresh.resolution, fresh.resolution_minutes = resolution.value, target
        fresh.resolution_reason = reason.strip()[:MESSAGE_MAX]
        taken, covered = outcome.get("taken", 0), outcome.get("covered", 0)
        marks = {"taken": taken, "covered": covered, "shortfall": shortfall} if outcome.get("short") else {}
        _event(current, actor, "resolved", resolution=resolution.value, minutes=target, reason=fresh.resolution_reason,
               **marks)
        audit(actor=actor, action="dispute_resolved", member=fresh.opened_by, target=f"exchange {current.id}",
              reason=fresh.resolution_reason, resolution=resolution.value, minutes=target, **marks)
        if covered:
            audit(actor=actor, action="community_cover", member=current.recipient, target=f"exchange {current.id}",
                  reason=fresh.resolution_reason, minutes=covered, provider=current.provider_id)
        kind = ("resolved_covered" if covered else "resolved_partly") if marks else "resolved"
        for member in (current.provider, current.recipient):
            _tell(member, current, kind,
                  lambda: _("A coordinator settled the disagreement: %(title)s", title=current.title),
                  name=actor.display_name, reason=fresh.resolution_reason[:300], taken=taken, covered=covered,
                  provider=current.provider.display_name, recipient=current.recipient.display_name)
        return fresh

    return atomic(work)


def _fresh(account):
    """The account as the database has it now (the write lock is held)."""
    return db.session.scalars(sa.select(type(account)).where(type(account).id == account.id)
                              .execution_options(populate_existing=True)).one()


def _correct_posted(current: Exchange, target: int, *, actor: Member, reason: str, key: str,
                    shortfall: str | None = None) -> dict:
    """Bring what this exchange moved to ``target`` minutes with one correcting transfer (two with the community).

    Returns what happened: ``target`` reached, ``taken`` back from the helper, ``covered`` by the community
    account, and ``short`` when the helper could not give back all of it.
    """
    moved, posting = _exchange_total(current)
    delta = target - moved
    if delta == 0:
        return {"target": target}
    memo = reason.strip()[:500]
    provider, recipient = _fresh(ledger.account_of(current.provider)), _fresh(ledger.account_of(current.recipient))
    kind = TransferKind.REVERSAL if target == 0 else TransferKind.ADJUSTMENT
    if delta > 0:
        try:
            ledger.transfer_post_in_transaction(debit=recipient, credit=provider, minutes=delta, kind=kind, key=key,
                                                actor=actor, memo=memo, exchange_id=current.id, corrects=posting)
        except BelowFloor as error:
            raise _payer_cannot_pay(current, paid=moved, error=error, by=actor) from None
        return {"target": target}
    need, room = -delta, min(-delta, _can_give(provider))
    if room >= need:
        ledger.transfer_post_in_transaction(debit=provider, credit=recipient, minutes=need, kind=kind, key=key,
                                            actor=actor, memo=memo, exchange_id=current.id, corrects=posting)
        return {"target": target, "taken": need}
    community = _fresh(ledger.community_account())
    cover = need - room
    community_can = _can_give(community) >= cover
    if shortfall == SHORTFALL_PARTIAL and room > 0:
        ledger.transfer_post_in_transaction(debit=provider, credit=recipient, minutes=room,
                                            kind=TransferKind.ADJUSTMENT, key=key, actor=actor, memo=memo,
                                            exchange_id=current.id, corrects=posting)
        return {"target": moved - room, "taken": room, "short": True}
    if shortfall == SHORTFALL_COMMUNITY and community_can:
        if room:
            ledger.transfer_post_in_transaction(debit=provider, credit=recipient, minutes=room, kind=kind, key=key,
                                                actor=actor, memo=memo, exchange_id=current.id, corrects=posting)
        ledger.transfer_post_in_transaction(debit=community, credit=recipient, minutes=cover,
                                            kind=TransferKind.ADJUSTMENT, key=f"{key}:community", actor=actor,
                                            memo=memo, exchange_id=current.id, corrects=posting)
        return {"target": target, "taken": room, "covered": cover, "short": True}
    name, floor = current.provider.display_name, format_minutes(provider.floor)
    said = (_l("%(name)s has already used these hours: none can be taken back now (the account cannot "
               "go below %(floor)s).", name=name, floor=floor) if room == 0 else
            _l("%(name)s has already used some of these hours: at most %(room)s can be taken back "
               "now (the account cannot go below %(floor)s).", name=name, room=format_minutes(room), floor=floor))
    if community_can:
        choice = (_l("Choose below: the community account gives the %(cover)s.", cover=format_minutes(cover))
                  if room == 0 else
                  _l("Choose below: take back %(room)s only, or take back all %(need)s with the community account "
                     "giving the other %(cover)s.", room=format_minutes(room), need=format_minutes(need),
                     cover=format_minutes(cover)))
    else:
        choice = (_l("The community account cannot give %(cover)s either: settle for fewer hours taken back, or "
                     "ask an admin to add hours to the community account.", cover=format_minutes(cover))
                  if room == 0 else
                  _l("The community account cannot give the other %(cover)s: choose below to take back %(room)s "
                     "only.", cover=format_minutes(cover), room=format_minutes(room)))
    raise ReversalShortfall(f"{said} {choice}", room=room, cover=cover, community_can=community_can)


def exchange_calendar(*, exchange: Exchange, viewer: Member, url: str) -> bytes:
    """An iCalendar event: a timed slot of the agreed length, or a whole day when no time was given."""
    import icalendar

    event = icalendar.Event()
    other = exchange.counterpart(viewer) if exchange.involves(viewer) else exchange.provider
    event.add("uid", f"exchange-{exchange.id}@timebank")
    event.add("dtstamp", utcnow())
    event.add("summary", f"{exchange.title} · {other.display_name}")
    event.add("description", url)
    event.add("url", url)
    if exchange.at_time is not None:
        start = datetime.combine(exchange.on_date, exchange.at_time)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=exchange.minutes))
    else:
        event.add("dtstart", exchange.on_date)
        event.add("dtend", exchange.on_date + timedelta(days=1))
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Timebank//exchanges//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return calendar.to_ical()
