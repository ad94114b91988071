"""The impact report's figures computed from the transfers themselves, over any set of days.

``services`` reads a period from the monthly rollups where it can and from here for the rest (the days at
its edges, the months touched since the rollups' watermark); ``rollups`` builds the rollups with the same
queries, one month at a time, so that both ways give the same figures by construction.

``Ranges`` are half-open ``[start, end)`` datetimes. ``upto`` (a transfer id) and ``events_upto`` (an
exchange event id), when given, leave out what was written after them: the rollups' watermark.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from timebank.exchanges.models import Exchange, ExchangeEvent, GroupParticipant, GroupSession
from timebank.extensions import db
from timebank.ledger.models import Account, AccountKind, Transfer, TransferKind, TransferState

Ranges = Sequence[tuple[datetime, datetime]]
# Every day there is, as ranges: no condition on the dates at all, so that the databases read the whole table
# rather than walk the index on dates (``ledger verify`` recomputes all of it).
ALL_TIME: Ranges = ((datetime.min, datetime.max),)

EXCHANGE_KINDS = (TransferKind.EXCHANGE, TransferKind.DIRECT)
COMMUNITY_KINDS = (TransferKind.DONATION, TransferKind.GRANT)  # to the community account, and from it
BROKERED_EVENT = "brokered"
ONE, ZERO = sa.literal_column("1"), sa.literal_column("0")  # written in the SQL: no parameter to type


class year_month(FunctionElement):
    """'2026-03' for a timestamp column: ``strftime`` on SQLite, ``to_char`` on PostgreSQL.

    Written without bound parameters, so the same expression can be grouped on by PostgreSQL.
    """

    type = sa.String()
    inherit_cache = True


@compiles(year_month)
def _year_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(year_month, "postgresql")
def _year_month_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


def in_ranges(column, ranges: Ranges):
    if ranges is ALL_TIME:
        return sa.true()
    return sa.or_(*[sa.and_(column >= start, column < end) for start, end in ranges])


def movements(ranges: Ranges, kinds, *, upto: int | None = None, accounts=None):
    """Posted movements of these kinds made in the ranges, and after each the corrections made to it since.

    Every row carries the movement's id, time, exchange, reservation and
    accounts; its minutes are the movement's, or a correction's (+ when made
    the same way, − the other way). Summed per movement, or per exchange, they
    give what the movements finally amount to.

    ``kinds`` never include corrections (the ledger gives every transfer that
    corrects another a correction kind). Filtering on the kind rather than on
    ``corrects_id IS NULL`` matters: SQLite would walk the index on
    ``corrects_id`` over nearly the whole ledger instead of the period's rows.
    ``accounts`` (a subquery of account ids), when given, keeps the movements
    touching them only, found through the ledger's indexes per account.
    """
    in_period = [Transfer.reservation.is_(False), Transfer.state == TransferState.POSTED, Transfer.kind.in_(kinds),
                 in_ranges(Transfer.created_at, ranges)]
    carried = (Transfer.id, Transfer.created_at, Transfer.exchange_id, Transfer.pending_id, Transfer.debit_account_id,
               Transfer.credit_account_id, Transfer.kind)
    correction = aliased(Transfer)
    same_way = correction.debit_account_id == Transfer.debit_account_id
    corrections = [correction.reservation.is_(False)]
    if accounts is not None:
        in_period.append(sa.or_(Transfer.debit_account_id.in_(accounts), Transfer.credit_account_id.in_(accounts)))
    if upto is not None:
        in_period.append(Transfer.id <= upto)
        corrections.append(correction.id <= upto)
    return sa.union_all(
        sa.select(*carried, Transfer.minutes.label("minutes")).where(*in_period),
        sa.select(*carried, sa.case((same_way, correction.minutes), else_=-correction.minutes))
        .join(correction, correction.corrects_id == Transfer.id)
        .where(*in_period, *corrections),
    )


def exchanges(ranges: Ranges, *, upto: int | None = None, events_upto: int | None = None):
    """One row per exchange and month of the ranges that still amounts to something.

    Columns: unit (the exchange), payer and provider (accounts), month,
    category_id (0: none), minutes, brokered (1 or 0). The movements of one
    exchange are made at once; should they fall in two months (a confirmation
    at midnight at a month's end), the exchange counts in each, so that a
    period's figures are the sum of its months'.
    """
    moved = movements(ranges, EXCHANGE_KINDS, upto=upto).subquery("movements")
    # A group session share has no exchange row: the transfer itself is the exchange.
    unit = sa.case((moved.c.exchange_id.is_not(None), moved.c.exchange_id), else_=-moved.c.id)
    month = year_month(moved.c.created_at)
    grouped = (
        sa.select(unit.label("unit"), moved.c.debit_account_id.label("payer"),
                  moved.c.credit_account_id.label("provider"), month.label("month"),
                  sa.func.min(moved.c.exchange_id).label("exchange_id"),
                  sa.func.min(moved.c.pending_id).label("pending_id"),
                  sa.func.sum(moved.c.minutes).label("minutes"))
        .group_by(unit, moved.c.debit_account_id, moved.c.credit_account_id, month)
        .subquery("grouped")
    )
    brokered = sa.exists().where(
        ExchangeEvent.exchange_id == grouped.c.exchange_id,
        sa.or_(ExchangeEvent.kind == BROKERED_EVENT, ExchangeEvent.detail["by_role"].as_string() == "coordinator"),
        *([ExchangeEvent.id <= events_upto] if events_upto is not None else []),
    )
    # The category of a group share is its session's, found through the reservation the share posted. A derived
    # table, so that the databases build it once and look each share up in it (group_participant has no index on
    # reservation_id).
    shares = (sa.select(GroupParticipant.reservation_id, GroupSession.category_id)
              .join(GroupSession, GroupSession.id == GroupParticipant.session_id).subquery("shares"))
    return (
        sa.select(grouped.c.unit, grouped.c.payer, grouped.c.provider, grouped.c.minutes, grouped.c.month,
                  sa.func.coalesce(Exchange.category_id, shares.c.category_id, ZERO).label("category_id"),
                  sa.case((brokered, ONE), else_=ZERO).label("brokered"))
        .select_from(grouped)
        .outerjoin(Exchange, Exchange.id == grouped.c.exchange_id)
        .outerjoin(shares, sa.and_(grouped.c.exchange_id.is_(None), shares.c.reservation_id == grouped.c.pending_id))
        .where(grouped.c.minutes > 0)
        .cte("exchanges")
    )


def sides(exchange_rows) -> list:
    """Both sides of each exchange, as two selects of (month, category_id, account_id, paid, gave)."""
    return [
        sa.select(exchange_rows.c.month, exchange_rows.c.category_id, exchange_rows.c.payer.label("account_id"),
                  ONE.label("paid"), ZERO.label("gave")),
        sa.select(exchange_rows.c.month, exchange_rows.c.category_id, exchange_rows.c.provider, ZERO, ONE),
    ]


def exchange_months(ranges: Ranges, *, upto: int | None = None, events_upto: int | None = None):
    """Per month and category: exchanges, minutes, brokered — what ``report_month_exchanges`` holds."""
    rows = exchanges(ranges, upto=upto, events_upto=events_upto)
    return (sa.select(rows.c.month, rows.c.category_id, sa.func.count().label("exchanges"),
                      sa.func.sum(rows.c.minutes).label("minutes"), sa.func.sum(rows.c.brokered).label("brokered"))
            .group_by(rows.c.month, rows.c.category_id))


def member_months(ranges: Ranges, *, upto: int | None = None, events_upto: int | None = None):
    """Per month, category and account: paid, gave (1 or 0) — what ``report_month_members`` holds."""
    both = sa.union_all(*sides(exchanges(ranges, upto=upto, events_upto=events_upto))).subquery("sides")
    return (sa.select(both.c.month, both.c.category_id, both.c.account_id, sa.func.max(both.c.paid).label("paid"),
                      sa.func.max(both.c.gave).label("gave"))
            .group_by(both.c.month, both.c.category_id, both.c.account_id))


def community_months(ranges: Ranges, *, upto: int | None = None) -> dict[str, tuple[int, int]]:
    """Month → minutes given to the community account, and granted from it, corrections included."""
    if not ranges:
        return {}
    community = sa.select(Account.id).where(Account.kind == AccountKind.COMMUNITY).scalar_subquery()
    moved = movements(ranges, COMMUNITY_KINDS, upto=upto).subquery("movements")
    month = year_month(moved.c.created_at)
    rows = db.session.execute(sa.select(
        month,
        sa.func.sum(sa.case((moved.c.credit_account_id == community, moved.c.minutes), else_=0)),
        sa.func.sum(sa.case((moved.c.debit_account_id == community, moved.c.minutes), else_=0)),
    ).group_by(month))
    return {key: (int(given or 0), int(granted or 0)) for key, given, granted in rows}


# Balance bands, in minutes, bounds included: integer minutes make them exact.
BALANCE_BANDS = (
    ("below", None, -601),  # less than −10 h
    ("owing", -600, -60),  # from −10 h to −1 h
    ("even", -59, 59),  # less than 1 h either way
    ("ahead", 60, 600),  # from 1 h to 10 h
    ("above", 601, None),  # more than 10 h
)


_HIGHS = [high for _key, _low, high in BALANCE_BANDS if high is not None]


def band_of(balance) -> str:
    """The band of a balance in minutes, as ``balance_counts`` tells it in SQL."""
    return BALANCE_BANDS[bisect_left(_HIGHS, balance)][0]  # the first band whose upper bound is not below it


def balance_counts(end_at: datetime) -> dict[str, int]:
    """Band → member accounts whose balance at ``end_at`` falls in it: today's balance less what moved since."""
    moved = Transfer.reservation.is_(False), Transfer.state == TransferState.POSTED, Transfer.created_at >= end_at
    later = sa.union_all(
        sa.select(Transfer.credit_account_id.label("account_id"), Transfer.minutes.label("minutes")).where(*moved),
        sa.select(Transfer.debit_account_id, -Transfer.minutes).where(*moved),
    ).subquery("later")
    since = (sa.select(later.c.account_id, sa.func.sum(later.c.minutes).label("minutes"))
             .group_by(later.c.account_id).subquery("since"))
    balance = Account.posted - sa.func.coalesce(since.c.minutes, 0)
    band = sa.case(*[(balance <= high, key) for key, _low, high in BALANCE_BANDS if high is not None],
                   else_=BALANCE_BANDS[-1][0])
    banded = (sa.select(band.label("band"))
              .select_from(Account).outerjoin(since, since.c.account_id == Account.id)
              .where(Account.kind == AccountKind.MEMBER, Account.created_at < end_at)
              .subquery("banded"))
    return dict(db.session.execute(sa.select(banded.c.band, sa.func.count()).group_by(banded.c.band)).all())
