"""The check ``timebank ledger verify`` runs on the impact report's monthly rollups (registered with the
ledger's checks at app creation): every month up to the watermark recomputed from the transfers and compared,
each rollup that differs named."""
from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import sqlalchemy as sa

from timebank.extensions import db
from timebank.reports import queries
from timebank.reports.models import MonthBalances, MonthCommunity, MonthExchanges, MonthMembers, RollupState
from timebank.reports.queries import ALL_TIME, ONE, ZERO
from timebank.reports.rollups import balance_months, month_start, next_month


def rollups_check() -> list[str]:
    """Recompute every month up to the watermark and name each rollup that differs.

    One statement recomputes the exchanges of every month and category and counts their member rows
    (``_months_recomputed``); a month whose member rows do not count the same as the stored ones is
    recomputed once more, alone, to name the rows that differ.
    """
    state = db.session.get(RollupState, 1)
    if state is None:
        return []
    upto, events_upto = state.transfer_id, state.event_id
    expected, members_given = _months_recomputed(upto=upto, events_upto=events_upto)
    stored = {(r.month, r.category_id): (r.exchanges, r.minutes, r.brokered)
              for r in db.session.scalars(sa.select(MonthExchanges))}
    problems = _differences("exchanges", expected, stored)
    members_stored = _members_stored()
    for month in sorted({month for month, category in members_given.keys() | members_stored.keys()
                         if members_given.get((month, category)) != members_stored.get((month, category))}):
        problems += _member_rows_differing(month, upto=upto, events_upto=events_upto)
    community = {m: v for m, v in queries.community_months(ALL_TIME, upto=upto).items() if v != (0, 0)}
    problems += _differences("community", community, {
        r.month: (r.given, r.granted) for r in db.session.scalars(sa.select(MonthCommunity)) if (r.given, r.granted)
        != (0, 0)})
    kept_bands = defaultdict(dict)
    for row in db.session.scalars(sa.select(MonthBalances)):
        kept_bands[row.month][row.band] = row.members
    if kept_bands:
        problems += _differences("balances", balance_months(sorted(kept_bands), upto=upto), dict(kept_bands))
    return problems


class MemberSides(NamedTuple):
    """The member rows of one month and category, counted the same way from the transfers and from the table.

    ``paid`` and ``gave``: how many accounts paid, and gave. ``held``: how many of those sides a stored row
    holds with its flag (from the transfers), or holds at all (from the table). ``odd``: stored rows with
    neither flag or a flag other than 0 or 1 (never from the transfers). The sides from the transfers are
    distinct and the stored rows have a primary key: when the counts agree, every side given is stored,
    among as many stored, and nothing else is, so the rows are the same.
    """

    paid: int
    gave: int
    held: int
    odd: int


_EXCHANGES, _MEMBERS = sa.literal_column("'exchanges'"), sa.literal_column("'members'")  # which rows are which


def _months_recomputed(*, upto: int, events_upto: int) -> tuple[dict, dict[tuple[str, int], MemberSides]]:
    """Per month and category: the exchanges recomputed from the transfers, and their member rows counted.

    One statement, the exchanges computed once: grouping them by month and category, and their distinct
    sides compared with the stored rows, is what a million transfers cost.
    """
    exchanges = queries.exchanges(ALL_TIME, upto=upto, events_upto=events_upto)
    # Distinct sides: an account that paid twice in a month and category is one side. SQLite builds them as an
    # index, filled cheaply in the order the exchanges come (by month); PostgreSQL sorts them, faster when the
    # integers come first.
    order = ("month", "category_id", "account_id")
    if db.session.get_bind().dialect.name == "postgresql":
        order = order[::-1]
    payer, provider = ({"month": exchanges.c.month, "category_id": exchanges.c.category_id, "account_id": account}
                       for account in (exchanges.c.payer, exchanges.c.provider))
    sides = sa.union(sa.select(*[payer[name].label(name) for name in order], ONE.label("paid")),
                     sa.select(*[provider[name] for name in order], ZERO)).subquery("sides")
    row_of_side = sa.and_(MonthMembers.month == sides.c.month, MonthMembers.category_id == sides.c.category_id,
                          MonthMembers.account_id == sides.c.account_id)
    held = sa.case((sa.or_(sa.and_(sides.c.paid == 1, MonthMembers.paid == 1),
                           sa.and_(sides.c.paid == 0, MonthMembers.gave == 1)), ONE), else_=ZERO)
    rows = db.session.execute(sa.union_all(
        sa.select(_EXCHANGES, exchanges.c.month, exchanges.c.category_id, sa.func.count(),
                  sa.func.sum(exchanges.c.minutes), sa.func.sum(exchanges.c.brokered))
        .group_by(exchanges.c.month, exchanges.c.category_id),
        sa.select(_MEMBERS, sides.c.month, sides.c.category_id, sa.func.sum(sides.c.paid),
                  sa.func.sum(ONE - sides.c.paid), sa.func.sum(held))
        .select_from(sides).outerjoin(MonthMembers, row_of_side).group_by(sides.c.month, sides.c.category_id),
    )).all()
    expected = {(m, c): (int(n), int(minutes), int(b)) for what, m, c, n, minutes, b in rows if what == "exchanges"}
    members = {(m, c): MemberSides(int(paid), int(gave), int(held), 0)
               for what, m, c, paid, gave, held in rows if what == "members"}
    return expected, members


def _members_stored() -> dict[tuple[str, int], MemberSides]:
    flags = (MonthMembers.paid, MonthMembers.gave)
    well_formed = sa.and_(*[flag.in_((0, 1)) for flag in flags], sa.or_(*[flag == 1 for flag in flags]))
    counted = [sa.func.sum(sa.case((flag == 1, ONE), else_=ZERO)) for flag in flags]
    odd = sa.func.sum(sa.case((well_formed, ZERO), else_=ONE))
    return {(m, c): MemberSides(int(paid), int(gave), int(paid) + int(gave), int(odd))
            for m, c, paid, gave, odd in db.session.execute(
                sa.select(MonthMembers.month, MonthMembers.category_id, *counted, odd)
                .group_by(MonthMembers.month, MonthMembers.category_id))}


def _member_rows_differing(month: str, *, upto: int, events_upto: int, named: int = 5) -> list[str]:
    """Name the member rows of ``month`` that differ from the transfers: the first few, then how many more."""
    start = month_start(month)
    given = {(c, a): (paid, gave) for _m, c, a, paid, gave in db.session.execute(
        queries.member_months([(start, next_month(start))], upto=upto, events_upto=events_upto))}
    kept = {(r.category_id, r.account_id): (r.paid, r.gave)
            for r in db.session.scalars(sa.select(MonthMembers).where(MonthMembers.month == month))}

    def flags(row):
        return "no row" if row is None else f"paid {row[0]}, gave {row[1]}"

    differing = sorted(key for key in given.keys() | kept.keys() if given.get(key) != kept.get(key))
    problems = [f"report rollups: member row of {month}, category {category}, account {account}: stored "
                f"{flags(kept.get((category, account)))}; transfers give {flags(given.get((category, account)))}"
                for category, account in differing[:named]]
    if len(differing) > named:
        problems.append(f"report rollups: {len(differing) - named} more member row(s) of {month} differ")
    return problems


def _differences(what: str, expected: dict, stored: dict) -> list[str]:
    return [f"report rollups: {what} of {key}: stored {stored.get(key)}, transfers give {expected.get(key)}"
            for key in sorted(set(expected) | set(stored), key=str) if expected.get(key) != stored.get(key)]
