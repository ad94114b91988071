"""Exchange cards read as plain records: what a card in "My exchanges" and on the home page shows, in one statement,
without the ORM's objects (an exchange with its two parties as ``Member`` objects of thirty-odd columns each).

The records answer what ``_partials/exchange_card.html`` and ``reading.my_exchanges`` read (``side_of``,
``party_name``, ``turn_side``…) with the model's own methods, so a card says the same either way (a test renders
both for every exchange of a neighbourhood).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache

import sqlalchemy as sa

from timebank.exchanges.models import Exchange, ExchangeState
from timebank.extensions import db
from timebank.listings.cards import CardPartner
from timebank.members.models import Member, Status
from timebank.partners.models import Partner


@dataclass(frozen=True, slots=True)
class CardParty:
    """A party as a card names her; ``status``: whether a partner's side still counts her (``represents``)."""
    id: int
    display_name: str
    status: Status

    first_name = Member.first_name
    is_active_member = Member.is_active_member
    is_authenticated = True


@dataclass(frozen=True, slots=True)
class ExchangeCard:
    id: int
    title: str
    minutes: int
    on_date: date
    at_time: time | None
    state: ExchangeState
    provider_id: int
    recipient_id: int
    turn_id: int | None
    partner_id: int | None
    partner_side: str | None
    finished_at: datetime | None
    updated_at: datetime
    provider: CardParty
    recipient: CardParty
    partner: CardPartner | None

    side_of = Exchange.side_of
    party = Exchange.party
    party_name = Exchange.party_name
    side_name = Exchange.side_name
    provider_name = Exchange.provider_name
    recipient_name = Exchange.recipient_name
    turn_side = Exchange.turn_side
    involves = Exchange.involves


@cache
def cards_statement() -> sa.Select:
    """The exchanges' columns a card reads, with their parties' names and their partner's: a statement to finish
    with a condition and an order (``reading.my_exchanges`` builds its own once)."""
    exchange, partner = Exchange.__table__, Partner.__table__
    provider, recipient = Member.__table__.alias("provider"), Member.__table__.alias("recipient")
    return (sa.select(exchange.c.id, exchange.c.title, exchange.c.minutes, exchange.c.on_date, exchange.c.at_time,
                      exchange.c.state, exchange.c.provider_id, exchange.c.recipient_id, exchange.c.turn_id,
                      exchange.c.partner_id, exchange.c.partner_side, exchange.c.finished_at, exchange.c.updated_at,
                      provider.c.display_name, provider.c.status, recipient.c.display_name, recipient.c.status,
                      partner.c.name)
            .select_from(exchange.join(provider, provider.c.id == exchange.c.provider_id)
                         .join(recipient, recipient.c.id == exchange.c.recipient_id)
                         .outerjoin(partner, partner.c.id == exchange.c.partner_id)))


def exchange_cards(statement: sa.Select, params: dict) -> list[ExchangeCard]:
    """The cards a statement made from ``cards_statement()`` finds, in its order."""
    return [card_of(row) for row in db.session.execute(statement, params)]


def card_of(row) -> ExchangeCard:
    """The card of a row of ``cards_statement()`` (the columns it adds after its own are left out)."""
    (id_, title, minutes, on_date, at_time, state, provider_id, recipient_id, turn_id, partner_id, partner_side,
     finished_at, updated_at, provider_name, provider_status, recipient_name, recipient_status, partner_name) = row[:18]
    return ExchangeCard(id_, title, minutes, on_date, at_time, state, provider_id, recipient_id, turn_id, partner_id,
                        partner_side, finished_at, updated_at,
                        CardParty(provider_id, provider_name, provider_status),
                        CardParty(recipient_id, recipient_name, recipient_status),
                        CardPartner(partner_id, partner_name) if partner_id is not None else None)
