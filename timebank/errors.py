"""Domain errors: raised by services, turned into a message and a 4xx at the edge."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the timebank said no; ``message`` is meant for the resident."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidTransition(Conflict):
    """The thing is not in a state where this step can happen."""


class InvalidToken(DomainError):
    status_code = 400
