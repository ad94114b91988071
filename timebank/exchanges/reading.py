"""Reading exchanges: a member's list, one exchange as its page shows it, what she may do next, the calendar
file (and the coordinators' long reservations, ``HeldReservation``, read by ``coordination.queues``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from timebank.exchanges.cards import ExchangeCard, cards_statement, exchange_cards
from timebank.exchanges.disputes import dispute_can_open
from timebank.exchanges.models import (
    OPEN_STATES,
    PROVIDER,
    RECIPIENT,
    Dispute,
    Exchange,
    ExchangeEvent,
    ExchangeMessage,
    ExchangeRead,
    ExchangeState,
    taking_part,
)
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.members.models import Member
from timebank.timeutil import utcnow


@cache
def _mine() -> sa.Select:
    """Built once for any member (``me``), as the home page and "My exchanges" read it on every view: its cache
    key is worked out once too."""
    exchange = Exchange.__table__
    return cards_statement().where(taking_part(sa.bindparam("me", type_=sa.Integer))).order_by(
        exchange.c.on_date, exchange.c.id)


def exchange_as_shown(*, exchange_id: int, reader: Member) -> tuple[Exchange, int, bool] | None:
    """An exchange as its page shows it, with its parties, partner and listing; how far the reader has read its
    thread (0: not at all) and whether a disagreement is open: one statement, built once. The page checks who may
    see it, then reads its thread and steps (``exchange_thread_read``)."""
    row = db.session.execute(_as_shown()[0], {"exchange": exchange_id, "me": reader.id}).one_or_none()
    if row is None:
        return None
    exchange, seen, disputed = row
    return exchange, seen or 0, bool(disputed)


def exchange_thread_read(exchange: Exchange) -> None:
    """Read the exchange's thread and steps by statements built once, rather than by the relationships' lazy loads
    (a quarter of a millisecond each); their authors are the parties, read with it by ``exchange_as_shown``."""
    _, messages, events = _as_shown()
    set_committed_value(exchange, "messages", list(db.session.scalars(messages, {"exchange": exchange.id})))
    set_committed_value(exchange, "events", list(db.session.scalars(events, {"exchange": exchange.id})))


@cache
def _as_shown() -> tuple[sa.Select, sa.Select, sa.Select]:
    me, exchange = sa.bindparam("me", type_=sa.Integer), sa.bindparam("exchange", type_=sa.Integer)
    seen = (sa.select(ExchangeRead.last_message_id)
            .where(ExchangeRead.exchange_id == Exchange.id, ExchangeRead.member_id == me).scalar_subquery())
    disputed = sa.exists().where(Dispute.exchange_id == Exchange.id, Dispute.resolved_at.is_(None))
    shown = (sa.select(Exchange, seen, disputed).where(Exchange.id == exchange)
             .options(joinedload(Exchange.provider), joinedload(Exchange.recipient), joinedload(Exchange.partner),
                      joinedload(Exchange.listing)))
    return (shown,
            sa.select(ExchangeMessage).where(ExchangeMessage.exchange_id == exchange).order_by(ExchangeMessage.id),
            sa.select(ExchangeEvent).where(ExchangeEvent.exchange_id == exchange).order_by(ExchangeEvent.id))


def has_exchanged(me) -> sa.ColumnElement[bool]:
    """SQL: whether the member ``me`` (an id or a parameter) has completed an exchange yet: until then her home
    page shows where to start."""
    return sa.exists().where(sa.or_(Exchange.provider_id == me, Exchange.recipient_id == me),
                             Exchange.state == ExchangeState.COMPLETED)


def my_exchanges(*, member: Member) -> dict[str, list[ExchangeCard]]:
    """My exchanges, grouped the way I act on them: as card records (``exchanges.cards``)."""
    rows = exchange_cards(_mine(), {"me": member.id})
    groups: dict[str, list[ExchangeCard]] = {"answer": [], "waiting": [], "upcoming": [], "confirm": [], "disputed": [],
                                         "history": []}
    for exchange in rows:
        side = exchange.side_of(member)
        if exchange.state is ExchangeState.PROPOSED:
            groups["answer" if exchange.turn_side == side else "waiting"].append(exchange)
        elif exchange.state is ExchangeState.AGREED:
            groups["upcoming"].append(exchange)
        elif exchange.state is ExchangeState.DONE:
            groups["confirm" if side == RECIPIENT else "waiting"].append(exchange)
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
    side = exchange.side_of(member)
    if side is None:
        mediating = member.is_coordinator and exchange.state is ExchangeState.DISPUTED
        return ["write", "resolve"] if mediating else []
    actions = []
    if exchange.state is ExchangeState.PROPOSED and exchange.turn_side == side:
        actions += ["accept", "counter", "decline"]
    if exchange.state is ExchangeState.AGREED and side == PROVIDER \
            and exchange.on_date <= utcnow().date():
        actions.append("done")
    if exchange.state is ExchangeState.DONE and side == RECIPIENT:
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


def minutes_text(minutes: int) -> str:
    return format_minutes(minutes)


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
