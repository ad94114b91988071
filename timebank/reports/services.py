"""The impact report: what the timebank did in a period, for the association and its funders.

Every figure is aggregated by the database (GROUP BY), in a fixed number of
queries whatever the size of the instance, and nothing in the report names or
points at a person: people are only ever counted, and a count of people from
1 to 4 is kept as a ``People`` value that the pages show as "< 5".

What counts as **hours exchanged** (and as an **exchange**)
-----------------------------------------------------------

- Posted movements of kind ``exchange`` (an agreed exchange, a group session
  share, an exchange a coordinator recorded for a member) and ``direct`` ("X
  helped me 2 h": giving time records a completed exchange). Both only ever
  move hours between two member accounts. Donations, community grants, welcome
  hours and opening balances are not exchanges.
- Reservations are never counted, whatever their state: a reservation that
  was posted produced a separate posted row pointing at it (``pending_id``),
  and that row is the one counted, with the minutes actually confirmed; a
  voided reservation moved nothing.
- A correction (an ``adjustment`` or a ``reversal``) is not counted on its
  own: it is added to (same way) or taken from (the other way) the transfer it
  corrects, and counts in the period of that transfer. A period's figures thus
  say what its exchanges finally amounted to; they change if an exchange of
  the period is corrected later.
- The movements of one exchange (the confirmed reservation and the extra
  minutes the recipient accepted) make one exchange; each share of a group
  session is one exchange. An exchange counts in the month of its movements
  (made at once; should they fall in two months, it counts in each), and only
  if it still amounts to more than zero (a fully reversed exchange is not an
  exchange).
- Periods and months are calendar days in UTC, as times are stored.

Where the figures are read
--------------------------

The whole months of a period come from the monthly rollups (``rollups``, kept by
``timebank cron``) when nothing written since the rollups' watermark touches
them; the other days are computed from the transfers (``queries``). Either way
gives the same figures, whenever the job last ran.

Members who are **active** gave or received a service in one of those
exchanges; a member **gave and received** (reciprocity) when they did both in
the period.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from timebank.exchanges.models import Dispute, Exchange
from timebank.extensions import db
from timebank.listings.models import Category, Listing, ListingType
from timebank.members.models import Member, Status
from timebank.reports import queries, rollups
from timebank.reports.models import MonthCommunity, MonthExchanges, MonthMembers
from timebank.reports.periods import period_months
from timebank.reports.queries import EXCHANGE_KINDS  # noqa: F401  (what counts as an exchange, said here too)
from timebank.reports.queries import BALANCE_BANDS, ONE, year_month

# Figures ---------------------------------------------------------------------------------

SMALL_GROUP = 5  # counts of people from 1 to SMALL_GROUP - 1 are never shown


@dataclass(frozen=True)
class People:
    """A number of people. From 1 to 4 it is shown as "< 5", so that nobody can be singled out."""

    count: int

    @property
    def hidden(self) -> bool:
        return 0 < self.count < SMALL_GROUP


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    exchanges: int
    minutes: int
    active_members: People
    new_members: People


@dataclass(frozen=True)
class CategoryFigures:
    category: Category | None  # None: exchanges recorded without a category
    exchanges: int
    minutes: int
    members: People  # members who gave or received a service of this category


@dataclass(frozen=True)
class BalanceBand:
    key: str
    low: int | None  # minutes, included; None: no lower bound
    high: int | None
    members: People


@dataclass(frozen=True)
class ImpactReport:
    """Every figure of the report for ``start``–``end`` (days included)."""

    start: date
    end: date
    exchanges: int
    minutes: int
    months: list[MonthFigures]
    active_members: People
    new_members: People
    reciprocal_members: People  # both gave and received
    categories: list[CategoryFigures]  # most hours first
    to_community_minutes: int  # donated to the community account
    from_community_minutes: int  # granted from it
    requests: int  # requests published in the period
    unanswered_requests: int  # of which no exchange came
    balances: list[BalanceBand]  # members' balances at the end of the period
    brokered_exchanges: int  # recorded or helped along by a coordinator
    disputes_opened: int
    disputes_resolved: int

    @property
    def brokered_share(self) -> float | None:
        return self.brokered_exchanges / self.exchanges if self.exchanges else None

    @property
    def reciprocal_share(self) -> float | None:
        """Of the active members, the share who both gave and received; none when either count is hidden."""
        both, active = self.reciprocal_members, self.active_members
        if both.hidden or active.hidden or not active.count:
            return None  # a share of a hidden count would give the count away
        return both.count / active.count


@dataclass
class _ExchangeFigures:
    by_month: dict[str, tuple[int, int, int]]  # month → exchanges, minutes, brokered
    by_category: dict[int, tuple[int, int]]  # category id (0: none) → exchanges, minutes
    active_by_month: dict[str, int]
    people_by_category: dict[int, int]
    active: int = 0
    reciprocal: int = 0


def _exchange_figures(plan: rollups.Plan) -> _ExchangeFigures:
    """Every figure about the period's exchanges and the members in them, in one query.

    The exchanges (one row per exchange computed from the transfers, one per
    month and category read from the rollups) and both sides of each (one row
    per side, or per month, category and account from the rollups) are common
    table expressions that the databases compute once per statement (SQLite ≥
    3.35, PostgreSQL ≥ 12); each figure is a GROUP BY over them, and the
    figures are stacked with UNION ALL as rows (figure, month, category, a, b, c).
    """
    rows, side_rows = [], []
    if plan.live:
        live = queries.exchanges(plan.live)
        rows.append(sa.select(live.c.month, live.c.category_id, ONE.label("n"), live.c.minutes, live.c.brokered))
        side_rows += queries.sides(live)
    if plan.rolled:
        rows.append(sa.select(MonthExchanges.month, MonthExchanges.category_id, MonthExchanges.exchanges.label("n"),
                              MonthExchanges.minutes, MonthExchanges.brokered)
                    .where(MonthExchanges.month.in_(plan.rolled)))
        side_rows.append(sa.select(MonthMembers.month, MonthMembers.category_id, MonthMembers.account_id,
                                   MonthMembers.paid, MonthMembers.gave).where(MonthMembers.month.in_(plan.rolled)))
    exchanges = sa.union_all(*rows).cte("exchange_rows")
    sides = sa.union_all(*side_rows).cte("sides")
    members = (sa.select(sides.c.account_id, sa.func.max(sides.c.paid).label("paid"),
                         sa.func.max(sides.c.gave).label("gave"))
               .group_by(sides.c.account_id).subquery("members"))
    no_month, no_category, nothing = (sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.Integer),
                                      sa.cast(sa.null(), sa.Integer))

    def figure(name: str):
        return sa.literal_column(f"'{name}'").label("figure")

    people = sa.func.count(sa.distinct(sides.c.account_id))
    count, minutes = sa.func.sum(exchanges.c.n), sa.func.sum(exchanges.c.minutes)
    result = db.session.execute(sa.union_all(
        sa.select(figure("month"), exchanges.c.month, no_category, count, minutes, sa.func.sum(exchanges.c.brokered))
        .group_by(exchanges.c.month),
        sa.select(figure("category"), no_month, exchanges.c.category_id, count, minutes, nothing)
        .group_by(exchanges.c.category_id),
        sa.select(figure("active"), sides.c.month, no_category, people, nothing, nothing).group_by(sides.c.month),
        sa.select(figure("people"), no_month, sides.c.category_id, people, nothing, nothing)
        .group_by(sides.c.category_id),
        sa.select(figure("members"), no_month, no_category, sa.func.count(),
                  sa.func.count(sa.case((sa.and_(members.c.paid == ONE, members.c.gave == ONE), members.c.account_id))),
                  nothing).select_from(members),
    ))
    figures = _ExchangeFigures({}, {}, {}, {})
    for name, month, category, a, b, c in result:
        if name == "month":
            figures.by_month[month] = (int(a), int(b or 0), int(c or 0))
        elif name == "category":
            figures.by_category[category] = (int(a), int(b or 0))
        elif name == "active":
            figures.active_by_month[month] = a
        elif name == "people":
            figures.people_by_category[category] = a
        else:
            figures.active, figures.reciprocal = a, b or 0
    return figures


def _community(plan: rollups.Plan) -> tuple[int, int]:
    """Minutes given to the community account, and granted from it, corrections included."""
    months = list(queries.community_months(plan.live).values())
    if plan.rolled:
        months += db.session.execute(sa.select(MonthCommunity.given, MonthCommunity.granted)
                                     .where(MonthCommunity.month.in_(plan.rolled))).all()
    return sum(given for given, _ in months), sum(granted for _, granted in months)


def _new_by_month(start_at: datetime, end_at: datetime) -> dict[str, int]:
    """Month → members approved that month (and still members: not declined since, suspended or not)."""
    month = year_month(Member.decided_at)
    return dict(db.session.execute(
        sa.select(month, sa.func.count())
        .where(Member.decided_at >= start_at, Member.decided_at < end_at,
               Member.status.in_((Status.ACTIVE, Status.SUSPENDED)))
        .group_by(month)
    ).all())


def _requests(start_at: datetime, end_at: datetime) -> tuple[int, int]:
    """Requests published in the period (not hidden by a coordinator), and those no exchange came from."""
    answered = sa.exists().where(Exchange.listing_id == Listing.id)
    total, unanswered = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.case((~answered, Listing.id))))
        .where(Listing.type == ListingType.REQUEST, Listing.hidden_at.is_(None),
               Listing.created_at >= start_at, Listing.created_at < end_at)
    ).one()
    return total, unanswered


def _balances(end_at: datetime, plan: rollups.Plan) -> list[BalanceBand]:
    """Members' balances at the end of the period, from the rollups or from today's balances less what moved since."""
    counts = plan.balances if plan.balances is not None else queries.balance_counts(end_at)
    return [BalanceBand(key, low, high, People(counts.get(key, 0))) for key, low, high in BALANCE_BANDS]


def _disputes(start_at: datetime, end_at: datetime) -> tuple[int, int]:
    opened = sa.and_(Dispute.opened_at >= start_at, Dispute.opened_at < end_at)
    resolved = sa.and_(Dispute.resolved_at >= start_at, Dispute.resolved_at < end_at)
    row = db.session.execute(
        sa.select(sa.func.count(sa.case((opened, Dispute.id))), sa.func.count(sa.case((resolved, Dispute.id))))
        .where(sa.or_(opened, resolved))
    ).one()
    return row[0], row[1]


def _categories(figures: _ExchangeFigures) -> list[CategoryFigures]:
    """The figures of each category that had exchanges, most hours first."""
    known = {category.id: category for category in db.session.scalars(sa.select(Category))}
    rows = [CategoryFigures(known.get(category_id), count, minutes,
                            People(figures.people_by_category.get(category_id, 0)))
            for category_id, (count, minutes) in figures.by_category.items()]
    return sorted(rows, key=lambda row: (-row.minutes, row.category.position if row.category else -1))


def impact_report(*, start: date, end: date, use_rollups: bool = True) -> ImpactReport:
    """Compute every figure of the impact report for the days from ``start`` to ``end``, both included.

    A dozen queries, each GROUP BY in the database (one reads the period's
    exchanges once for all their figures), whatever the number of members and
    transfers (and, on PostgreSQL, one SET). Whole months are read from the
    rollups unless ``use_rollups`` is false; see the module's docstring.
    """
    start_at, end_at = datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)
    if db.session.get_bind().dialect.name == "postgresql":
        # These are a few long aggregates: compiling them to machine code (PostgreSQL's JIT, tempted by their
        # estimated cost) takes longer than running them. For this transaction only.
        db.session.execute(sa.text("SET LOCAL jit = off"))
    plan = rollups.plan(start_at, end_at, use_rollups=use_rollups)
    figures = _exchange_figures(plan)
    categories = _categories(figures)
    to_community, from_community = _community(plan)
    new_by_month = _new_by_month(start_at, end_at)
    requests, unanswered = _requests(start_at, end_at)
    balances = _balances(end_at, plan)
    opened, resolved = _disputes(start_at, end_at)

    months = []
    for first in period_months(start=start, end=end):
        key = f"{first.year:04d}-{first.month:02d}"
        count, minutes, _brokered = figures.by_month.get(key, (0, 0, 0))
        months.append(MonthFigures(first, count, minutes, People(figures.active_by_month.get(key, 0)),
                                   People(new_by_month.get(key, 0))))
    return ImpactReport(
        start=start, end=end,
        exchanges=sum(count for count, _m, _b in figures.by_month.values()),
        minutes=sum(minutes for _c, minutes, _b in figures.by_month.values()),
        months=months,
        active_members=People(figures.active), new_members=People(sum(new_by_month.values())),
        reciprocal_members=People(figures.reciprocal),
        categories=categories,
        to_community_minutes=to_community, from_community_minutes=from_community,
        requests=requests, unanswered_requests=unanswered,
        balances=balances,
        brokered_exchanges=sum(brokered for _c, _m, brokered in figures.by_month.values()),
        disputes_opened=opened, disputes_resolved=resolved,
    )
