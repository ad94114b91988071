"""Monthly rollups of the impact report, kept up to a watermark by the ``reports-rollup`` job.

The job reads the transfers (and exchange timeline events) written since its last watermark, finds the
months they touch — the month of a new movement, the month of the movement a new correction corrects,
the months of an exchange a coordinator newly stepped into — and recomputes those months whole, with
the very queries the report runs on the transfers (``queries``), up to the new watermark. Balance bands
are kept for finished months. The watermark stays a few minutes behind the clock, so that a posting
still being committed when the job runs is read next time rather than skipped.

The report (``plan``) reads a month from the rollups only when nothing written after the watermark
touches it, and computes the rest from the transfers: its figures are the same whether the job ran a
minute or a month ago, or never. ``timebank ledger verify`` recomputes every month and compares
(``rollups_check.rollups_check``, registered with the ledger's checks at app creation).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from timebank.database import driver_rows
from timebank.exchanges.models import ExchangeEvent
from timebank.extensions import db
from timebank.ledger.models import Account, AccountKind, Transfer, TransferState
from timebank.reports import queries
from timebank.reports.models import MonthBalances, MonthCommunity, MonthExchanges, MonthMembers, RollupState
from timebank.reports.queries import BALANCE_BANDS, COMMUNITY_KINDS, EXCHANGE_KINDS, year_month
from timebank.timeutil import utcnow

SETTLE = timedelta(minutes=5)  # how far behind the clock the watermark stays


# Months ------------------------------------------------------------------------------------------------------


def month_key(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def month_start(key: str) -> datetime:
    return datetime(int(key[:4]), int(key[5:7]), 1)


def next_month(moment: datetime) -> datetime:
    return datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1)


def month_ranges(keys) -> list[tuple[datetime, datetime]]:
    """The months as few ranges as possible (neighbouring months merged)."""
    ranges: list[list[datetime]] = []
    for key in sorted(keys):
        start = month_start(key)
        if ranges and ranges[-1][1] == start:
            ranges[-1][1] = next_month(start)
        else:
            ranges.append([start, next_month(start)])
    return [(start, end) for start, end in ranges]


def _coordinator_stepped_in():
    return sa.or_(ExchangeEvent.kind == queries.BROKERED_EVENT,
                  ExchangeEvent.detail["by_role"].as_string() == "coordinator")


def touched_months(*, after: int, events_after: int, upto: int | None = None,
                   events_upto: int | None = None) -> set[str]:
    """The months whose figures what was written after the watermarks (and up to ``upto``) may change."""
    window = [Transfer.id > after, *([Transfer.id <= upto] if upto is not None else [])]
    counted = [Transfer.reservation.is_(False), Transfer.state == TransferState.POSTED]
    moved = sa.select(year_month(Transfer.created_at)).where(
        *window, *counted, Transfer.kind.in_(EXCHANGE_KINDS + COMMUNITY_KINDS))
    original = aliased(Transfer)
    corrected = (sa.select(year_month(original.created_at)).select_from(Transfer)
                 .join(original, original.id == Transfer.corrects_id).where(*window))
    events = sa.select(ExchangeEvent.exchange_id).where(
        ExchangeEvent.id > events_after, *([ExchangeEvent.id <= events_upto] if events_upto is not None else []),
        _coordinator_stepped_in())
    stepped_in = sa.select(year_month(Transfer.created_at)).where(
        Transfer.exchange_id.in_(events), *counted, Transfer.kind.in_(EXCHANGE_KINDS))
    return set(db.session.scalars(sa.union(moved, corrected, stepped_in)))


# What the report reads from where ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    live: list[tuple[datetime, datetime]]  # computed from the transfers
    rolled: list[str]  # months read from the rollups
    balances: dict[str, int] | None  # band → members at the period's end, when the rollups have it


def plan(start_at: datetime, end_at: datetime, *, use_rollups: bool = True) -> Plan:
    """Which months of ``[start_at, end_at)`` the rollups give exactly, and the days left to compute."""
    state = db.session.get(RollupState, 1) if use_rollups else None
    if state is None:
        return Plan([(start_at, end_at)], [], None)
    touched = touched_months(after=state.transfer_id, events_after=state.event_id)
    rolled, month = [], start_at if start_at.day == 1 else next_month(start_at)
    while next_month(month) <= end_at:
        if month_key(month) not in touched:
            rolled.append(month_key(month))
        month = next_month(month)
    live, cursor = [], start_at
    for key in rolled:
        if cursor < month_start(key):
            live.append((cursor, month_start(key)))
        cursor = next_month(month_start(key))
    if cursor < end_at:
        live.append((cursor, end_at))
    return Plan(live, rolled, _balances_rolled(state, end_at))


def _balances_rolled(state: RollupState, end_at: datetime) -> dict[str, int] | None:
    if end_at.day != 1 or end_at != datetime(end_at.year, end_at.month, 1):
        return None
    key = month_key(end_at - timedelta(days=1))
    rows = dict(db.session.execute(sa.select(MonthBalances.band, MonthBalances.members)
                                   .where(MonthBalances.month == key)).all())
    # The tail is read by id only (the primary key): a bare min(created_at) would walk the index on dates instead.
    earliest_later = db.session.scalar(sa.select(sa.func.min(sa.func.coalesce(Transfer.created_at, None)))
                                       .where(Transfer.id > state.transfer_id))
    return rows if rows and (earliest_later is None or earliest_later >= end_at) else None


# The job ------------------------------------------------------------------------------------------------------


def rollups_update(*, now: datetime | None = None, settle: timedelta = SETTLE) -> str:
    """Bring the rollups up to the transfers written until ``settle`` ago; a second run finds nothing to do."""
    cutoff = (now or utcnow()) - settle
    state = db.session.get(RollupState, 1)
    if state is None:
        state = RollupState(id=1, transfer_id=0, event_id=0)
        db.session.add(state)
    old, old_events = state.transfer_id, state.event_id
    upto = max(old, db.session.scalar(sa.select(sa.func.max(Transfer.id)).where(Transfer.created_at <= cutoff)) or 0)
    events_upto = max(old_events, db.session.scalar(
        sa.select(sa.func.max(ExchangeEvent.id)).where(ExchangeEvent.created_at <= cutoff)) or 0)
    months = touched_months(after=old, events_after=old_events, upto=upto, events_upto=events_upto)
    if months:
        _rewrite_months(months, upto=upto, events_upto=events_upto)
    banded = _rewrite_balances(old=old, upto=upto, cutoff=cutoff)
    state.transfer_id, state.event_id, state.updated_at = upto, events_upto, utcnow()
    db.session.commit()
    return (f"months recomputed: {len(months)}, balance months: {banded}, watermark: transfer {upto}, "
            f"event {events_upto}")


def _rewrite_months(months: set[str], *, upto: int, events_upto: int) -> None:
    ranges, keys = month_ranges(months), sorted(months)
    for model in (MonthExchanges, MonthMembers, MonthCommunity):
        db.session.execute(sa.delete(model).where(model.month.in_(keys)))
    db.session.execute(sa.insert(MonthExchanges).from_select(
        ["month", "category_id", "exchanges", "minutes", "brokered"],
        queries.exchange_months(ranges, upto=upto, events_upto=events_upto)))
    db.session.execute(sa.insert(MonthMembers).from_select(
        ["month", "category_id", "account_id", "paid", "gave"],
        queries.member_months(ranges, upto=upto, events_upto=events_upto)))
    community = queries.community_months(ranges, upto=upto)
    if community:
        db.session.execute(sa.insert(MonthCommunity), [
            {"month": key, "given": given, "granted": granted} for key, (given, granted) in community.items()])


def _first_member_month() -> str | None:
    first = db.session.scalar(sa.select(sa.func.min(Account.created_at)).where(Account.kind == AccountKind.MEMBER))
    return month_key(first) if first else None


def _rewrite_balances(*, old: int, upto: int, cutoff: datetime) -> int:
    """Recompute the bands of the finished months that are missing or that new transfers reach back into."""
    first = _first_member_month()
    if first is None:
        return 0
    finished, month = [], month_start(first)
    while next_month(month) <= cutoff:
        finished.append(month_key(month))
        month = next_month(month)
    have = set(db.session.scalars(sa.select(MonthBalances.month).distinct()))
    earliest_new = db.session.scalar(sa.select(sa.func.min(Transfer.created_at))
                                     .where(Transfer.id > old, Transfer.id <= upto))
    needed = [key for key in finished
              if key not in have or (earliest_new is not None and next_month(month_start(key)) > earliest_new)]
    if not needed:
        return 0
    counts = balance_months(needed, upto=upto)
    db.session.execute(sa.delete(MonthBalances).where(MonthBalances.month.in_(needed)))
    db.session.execute(sa.insert(MonthBalances), [{"month": key, "band": band, "members": members}
                                                  for key in needed for band, members in counts[key].items()])
    return len(needed)


def balance_months(keys: list[str], *, upto: int) -> dict[str, dict[str, int]]:
    """Month → band → member accounts in that band at the month's end, from the transfers up to ``upto``."""
    last = max(keys)
    opened = defaultdict(list)
    for account_id, created in db.session.execute(sa.select(Account.id, Account.created_at).where(
            Account.kind == AccountKind.MEMBER, Account.created_at < next_month(month_start(last)))):
        opened[month_key(created)].append(account_id)
    members = {account_id for ids in opened.values() for account_id in ids}
    flows = _flows(upto=upto, last=last)
    # Walk the months in order, keeping each account's balance and the count of each band as they change.
    wanted, balances, counted, result = set(keys), {}, Counter(), {}
    early: dict[int, int] = {}  # moved before the account's recorded opening: counted from its opening
    for key in sorted(set(opened) | set(flows) | wanted):
        for account_id in opened.get(key, ()):
            balances[account_id] = early.pop(account_id, 0)
            counted[queries.band_of(balances[account_id])] += 1
        for account_id, minutes in flows.get(key, ()):
            if account_id not in members:
                continue
            if account_id not in balances:
                early[account_id] = early.get(account_id, 0) + minutes
                continue
            before = balances[account_id]
            balances[account_id] = before + minutes
            counted[queries.band_of(before)] -= 1
            counted[queries.band_of(before + minutes)] += 1
        if key in wanted:
            result[key] = {band: counted.get(band, 0) for band, _low, _high in BALANCE_BANDS}
    return result


def _flows(*, upto: int, last: str) -> dict[str, list[tuple[int, int]]]:
    """Month → (account, minutes it received less what it paid) for each account that moved, up to month ``last``.

    One statement a month, through the index on dates: SQLite sorts one month's debits and credits by
    account in memory, and those of every month at once three times slower.
    """
    first = db.session.scalar(sa.select(sa.func.min(Transfer.created_at)))
    if first is None:
        return {}
    start, end = sa.bindparam("start", type_=sa.DateTime), sa.bindparam("end", type_=sa.DateTime)
    moved = (Transfer.reservation.is_(False), Transfer.state == TransferState.POSTED, Transfer.id <= upto,
             Transfer.created_at >= start, Transfer.created_at < end)
    legs = sa.union_all(
        sa.select(Transfer.credit_account_id.label("account_id"), Transfer.minutes.label("minutes")).where(*moved),
        sa.select(Transfer.debit_account_id, -Transfer.minutes).where(*moved),
    ).subquery("legs")
    by_account = sa.select(legs.c.account_id, sa.func.sum(legs.c.minutes)).group_by(legs.c.account_id)
    flows, month = {}, month_start(month_key(first))
    while month_key(month) <= last:
        flows[month_key(month)] = driver_rows(by_account, {"start": month, "end": next_month(month)})
        month = next_month(month)
    return flows
