"""One inbox: the threads of my exchanges and my direct conversations, what waits for me first.

It only reads: each thread still opens on its own page (``/exchanges/<id>``, ``/messages/<id>``),
with that page's permission checks.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from datetime import datetime

import sqlalchemy as sa

from timebank.exchanges.cards import CardParty, ExchangeCard, card_of, cards_statement
from timebank.exchanges.models import PROVIDER, RECIPIENT, Exchange, ExchangeMessage, ExchangeRead, ExchangeState, taking_part
from timebank.extensions import db
from timebank.members.models import Member
from timebank.messages.services import conversations


@dataclass(frozen=True)
class Thread:
    """One line of the inbox: an exchange's thread (``exchange`` set) or a direct conversation."""

    other: Member | CardParty
    name: str  # the other side as I read it: a member, or a partner with the representative who speaks for it
    last_at: datetime
    last_body: str
    unread: int
    exchange: ExchangeCard | None = None
    waits_for_me: bool = False  # a proposal to answer, or a service to confirm

    @property
    def first(self) -> bool:
        return bool(self.unread or self.waits_for_me)


def threads_statement(member_id: int):
    """Each exchange of the member with its last message and how many messages from others she has not read.

    The last messages and the unread counts are taken among her exchanges' messages only (through the
    exchange's index), never by grouping every message of the timebank.
    """
    return _threads().params(me=member_id)


@cache
def _threads():
    """Built once, for any member (``me``): its cache key is worked out once too. Each exchange comes as a card
    record (``exchanges.cards``) with its last message's text and time and its unread count."""
    me = sa.bindparam("me", type_=sa.Integer)
    mine = taking_part(me)
    my_exchanges = sa.select(Exchange.id).where(mine)
    last = (sa.select(ExchangeMessage.exchange_id, sa.func.max(ExchangeMessage.id).label("last_id"))
            .where(ExchangeMessage.exchange_id.in_(my_exchanges))
            .group_by(ExchangeMessage.exchange_id).subquery())
    read = (sa.select(ExchangeRead.exchange_id, ExchangeRead.last_message_id)
            .where(ExchangeRead.member_id == me).subquery())
    unread = (sa.select(ExchangeMessage.exchange_id, sa.func.count().label("unread"))
              .outerjoin(read, read.c.exchange_id == ExchangeMessage.exchange_id)
              .where(ExchangeMessage.exchange_id.in_(my_exchanges), ExchangeMessage.author_id != me,
                     ExchangeMessage.id > sa.func.coalesce(read.c.last_message_id, 0))
              .group_by(ExchangeMessage.exchange_id).subquery())
    exchange, message = Exchange.__table__, ExchangeMessage.__table__
    return (cards_statement().add_columns(message.c.body, message.c.created_at, unread.c.unread)
            .outerjoin(last, last.c.exchange_id == exchange.c.id)
            .outerjoin(message, message.c.id == last.c.last_id)
            .outerjoin(unread, unread.c.exchange_id == exchange.c.id)
            .where(mine))


def inbox(*, member: Member) -> list[Thread]:
    """My threads: those with something unread or waiting for me first, then the newest activity first.

    An exchange appears once it has a message or waits for me; a finished one with no message stays in
    "My exchanges" only.
    """
    threads = []
    for row in db.session.execute(_threads(), {"me": member.id}):
        exchange, (body, written_at, count) = card_of(row), row[-3:]
        side = exchange.side_of(member)
        waits = ((exchange.state is ExchangeState.PROPOSED and exchange.turn_side == side)
                 or (exchange.state is ExchangeState.DONE and side == RECIPIENT))
        if written_at is None and not waits:
            continue
        last_at = max(written_at, exchange.updated_at) if written_at else exchange.updated_at
        other = RECIPIENT if side == PROVIDER else PROVIDER
        threads.append(Thread(other=exchange.party(other), name=exchange.side_name(other), last_at=last_at,
                              last_body=body or "", unread=int(count or 0), exchange=exchange, waits_for_me=waits))
    threads += [Thread(other=c.other, name=c.other.display_name, last_at=c.last_at, last_body=c.last_body, unread=c.unread)
                for c in conversations(member=member)]
    threads.sort(key=lambda thread: thread.last_at, reverse=True)
    threads.sort(key=lambda thread: not thread.first)  # stable: newest first within each group
    return threads
