"""Proposing and agreeing: propose, counter, accept, decline, cancel.

The recipient pays: accepting reserves the hours from the recipient's account (two-phase transfer), cancelling
voids them.
"""
from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.database import atomic
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.exchanges.models import PROVIDER, RECIPIENT, Exchange, ExchangeState
from timebank.exchanges.steps import (
    MESSAGE_MAX,
    Terms,
    _add_message,
    _agent,
    _check_member,
    _check_terms,
    _check_turn,
    _event,
    _lock,
    _seen,
    _step,
    _tell_other,
)
from timebank.exchanges.sides import acting_name, exchange_accounts, named
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.errors import AboveCeiling, BelowFloor
from timebank.ledger.models import Transfer, TransferKind
from timebank.listings.models import Listing
from timebank.members.models import Member
from timebank.partners.access import representatives, represents
from timebank.partners.models import Partner
from timebank.timeutil import utcnow


def check_not_oneself(*, proposer: Member, counterpart: Member, listing: Listing | None) -> None:
    if counterpart.id == proposer.id:
        raise NotAllowed(_l("This is your own listing: other members propose exchanges to you from it.")
                         if listing is not None else _l("You cannot propose an exchange to yourself."))


def _partner_answers(partner: Partner, *, proposer: Member, author: Member) -> Member:
    """Who answers for the partner whose listing ``proposer`` answers: its author while she represents it, else
    another of its representatives."""
    if not partner.is_active:
        raise NotAllowed(_l("%(partner)s is suspended: its listings cannot be answered for now.", partner=partner.name))
    if represents(proposer, partner):
        raise NotAllowed(_l("You represent %(partner)s: other members answer its listings.", partner=partner.name))
    if represents(author, partner):
        return author
    for row in representatives(partner=partner):
        if row.member.is_active_member:
            return row.member
    raise NotAllowed(_l("%(partner)s has no representative to answer just now.", partner=partner.name))


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
        answerer = counterpart
        partner = listing.partner if listing is not None and listing.partner_id is not None else None
        if partner is not None:  # a partner's listing: the partner is the other side
            answerer = _partner_answers(partner, proposer=proposer, author=counterpart)
        check_not_oneself(proposer=proposer, counterpart=answerer, listing=listing)
        if not answerer.is_active_member:
            raise NotAllowed(_l("%(name)s cannot take part in exchanges at the moment.",
                                name=answerer.display_name))
        from timebank.messages.services import check_may_contact

        check_may_contact(sender=proposer, recipient=answerer)
        provider, recipient = (proposer, answerer) if proposer_provides else (answerer, proposer)
        _check_terms(terms, provider=provider, listing=listing)
        exchange = Exchange(
            listing=listing, category_id=listing.category_id if listing else None,
            provider=provider, recipient=recipient, proposer=proposer, turn_id=answerer.id,
            title=terms.title.strip(), minutes=terms.minutes, on_date=terms.on_date, at_time=terms.at_time,
            state=ExchangeState.PROPOSED, created_at=utcnow(), updated_at=utcnow(), client_key=scoped,
            partner=partner, partner_side=(RECIPIENT if proposer_provides else PROVIDER) if partner else None,
        )
        db.session.add(exchange)
        db.session.flush()
        _event(exchange, proposer, "proposed", minutes=terms.minutes, on_date=terms.on_date.isoformat())
        if message.strip():
            _add_message(exchange, proposer, message)
        _tell_other(exchange, proposer, "proposed",
                    lambda: _("%(name)s proposes an exchange: %(title)s", name=proposer.display_name,
                              title=exchange.title), name=proposer.display_name)
        return exchange

    return atomic(work)


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
        _tell_other(current, actor, "countered",
                    lambda: _("%(name)s suggests a change: %(title)s", name=acting_name(current, actor),
                              title=current.title), **named(current, actor))
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
        debit, credit = exchange_accounts(current)
        side = current.side_of(actor)
        try:
            reservation = ledger.transfer_reserve_in_transaction(
                debit=debit, credit=credit,
                minutes=current.minutes, kind=TransferKind.EXCHANGE, key=f"exchange:{current.id}:reserve",
                actor=by or actor, memo=current.title, exchange_id=current.id)
        except BelowFloor as error:
            if current.partner_side == RECIPIENT:
                raise  # the ledger names the partner's account and its lower limit
            if side == RECIPIENT:
                raise BelowFloor(_l("%(reason)s Ask for fewer hours, or earn hours by offering your help first.",
                                    reason=error.message)) from None
            raise BelowFloor(_l("%(name)s does not have enough hours for this exchange just now. Suggest fewer "
                                "hours, or wait until they have offered their help.",
                                name=current.recipient.display_name)) from None
        except AboveCeiling:
            if side == PROVIDER or current.partner_side == PROVIDER:
                raise
            # The provider's balance is hers: say only that this is too much for her now.
            raise AboveCeiling(_l("%(name)s cannot receive this many hours just now: their account is close to "
                                  "its upper limit.", name=current.provider.display_name)) from None
        db.session.flush()
        current.reservation_id = reservation.id
        current.state, current.turn_id = ExchangeState.AGREED, None
        _step(current, actor, "accepted", by=by, marks=marks)
        _tell_other(current, actor, "accepted",
                    lambda: _("%(name)s agreed: %(title)s", name=acting_name(current, actor), title=current.title),
                    **named(current, actor))
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
        _tell_other(current, actor, "declined",
                    lambda: _("%(name)s declined: %(title)s", name=acting_name(current, actor), title=current.title),
                    **named(current, actor))
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
    _tell_other(current, actor, "cancelled",
                lambda: _("%(name)s cancelled: %(title)s", name=acting_name(current, actor), title=current.title),
                reason=reason.strip()[:300], **named(current, actor))
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
