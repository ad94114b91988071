"""The report's periods: a year, a quarter, a month or any days, as the days they cover up to today."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from timebank.errors import DomainError
from timebank.timeutil import utcnow

EARLIEST = date(2000, 1, 1)
MAX_YEARS = 5  # longer than this, month-by-month figures stop being readable
PERIOD_KINDS = ("year", "quarter", "month", "custom")


class InvalidPeriod(DomainError):
    """The period asked for cannot be reported on; ``field`` names the input at fault."""


@dataclass(frozen=True)
class Period:
    kind: str  # one of PERIOD_KINDS
    start: date
    end: date  # included; never after the day the report is made
    year: int | None = None
    quarter: int | None = None
    month: int | None = None


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def report_period(*, kind: str, year: int | None = None, quarter: int | None = None, month: int | None = None,
                  start: date | None = None, end: date | None = None, today: date | None = None) -> Period:
    """Turn a choice of period into the days it covers, up to today; raise ``InvalidPeriod`` with a clear message."""
    today = today or utcnow().date()
    if kind not in PERIOD_KINDS:
        raise InvalidPeriod(_l("Please choose a period: a year, a quarter, a month, or from one date to another."),
                            field="period")
    if kind == "custom":
        if start is None:
            raise InvalidPeriod(_l("Please give the first day."), field="start")
        if end is None:
            raise InvalidPeriod(_l("Please give the last day."), field="end")
        if start > end:
            raise InvalidPeriod(_l("The first day must come before the last day."), field="end")
        if start < EARLIEST or start > today:
            raise InvalidPeriod(_l("Please choose a first day between 1 January %(first)s and today.",
                                   first=EARLIEST.year), field="start")
        end = min(end, today)
        if end >= _years_later(start, MAX_YEARS):
            raise InvalidPeriod(ngettext("A report covers at most %(num)s year: please choose a shorter period.",
                                         "A report covers at most %(num)s years: please choose a shorter period.",
                                         MAX_YEARS), field="end")
        return Period(kind, start, end)
    if year is None:
        raise InvalidPeriod(_l("Please give the year."), field="year")
    if not EARLIEST.year <= year <= today.year:
        raise InvalidPeriod(_l("Please give a year between %(first)s and %(last)s.", first=EARLIEST.year,
                               last=today.year), field="year")
    if kind == "year":
        start, end = date(year, 1, 1), date(year, 12, 31)
    elif kind == "quarter":
        if quarter not in (1, 2, 3, 4):
            raise InvalidPeriod(_l("Please choose a quarter."), field="quarter")
        start, end = date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    else:
        if month is None or not 1 <= month <= 12:
            raise InvalidPeriod(_l("Please choose a month."), field="month")
        start, end = date(year, month, 1), _month_end(year, month)
    if start > today:
        raise InvalidPeriod(_l("This period has not started yet."), field=kind)
    return Period(kind, start, min(end, today), year=year, quarter=quarter if kind == "quarter" else None,
                  month=month if kind == "month" else None)


def period_months(*, start: date, end: date) -> list[date]:
    """The first day of every month the period touches, in order."""
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months
