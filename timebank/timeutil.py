from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)
