from datetime import UTC, date, datetime

from dateutil.relativedelta import relativedelta


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 August + 6 months is 28 February)."""
    return day + relativedelta(months=months)
