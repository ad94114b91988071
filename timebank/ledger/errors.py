"""What the ledger refuses, in words a resident understands."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from timebank.errors import Conflict, DomainError, InvalidTransition, NotAllowed


class LedgerError(DomainError):
    pass


class InvalidAmount(LedgerError):
    def __init__(self, message):
        super().__init__(message, field="minutes")


class SameAccount(LedgerError):
    def __init__(self):
        super().__init__(_l("You cannot give hours to yourself."))


class AccountFrozen(NotAllowed, LedgerError):
    """The member behind the account is pending, declined or suspended."""


class BelowFloor(LedgerError):
    """``most``: the minutes the account could still give in one transfer (whole steps), the figure the message states."""

    status_code = 409

    def __init__(self, message, *, field: str | None = None, most: int = 0):
        super().__init__(message, field=field)
        self.most = most


class AboveCeiling(LedgerError):
    status_code = 409


class IdempotencyConflict(Conflict, LedgerError):
    def __init__(self):
        super().__init__(_l("This form was already used for a different transfer. Please start again."))


class AlreadyResolved(InvalidTransition, LedgerError):
    pass


class ReasonRequired(LedgerError):
    def __init__(self):
        super().__init__(_l("Please write the reason: the member concerned will read it."), field="reason")
