from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow

# What a member can agree to, and withdraw as easily.
CONSENT_KINDS = ("charter", "directory", "phone_visible", "sms", "push")


class Consent(db.Model):
    """One time a member gave or withdrew her agreement to something, with the version she saw. Never changed."""

    __tablename__ = "consent"
    __table_args__ = (sa.Index("ix_consent_member_id_kind_id", "member_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    given: Mapped[bool] = mapped_column(sa.Boolean)
    version: Mapped[str | None] = mapped_column(sa.String(40))  # e.g. when the charter she accepted was written
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    member: Mapped[Member] = relationship()


def withdrawn(kind: str):
    """The ids of members whose last word on ``kind`` was "no" (a subquery: no word at all is not a "no")."""
    last = sa.select(sa.func.max(Consent.id)).where(Consent.kind == kind).group_by(Consent.member_id)
    return sa.select(Consent.member_id).where(Consent.id.in_(last), Consent.given.is_(False))


class SignIn(db.Model):
    """A member signed in: when (kept for the retention period of sign-in records)."""

    __tablename__ = "sign_in"
    __table_args__ = (sa.Index("ix_sign_in_member_id_id", "member_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)


class ErasureRequest(db.Model):
    """A member will be erased on ``due_at``, unless she comes back first (``cancelled_at``).

    ``reason``: "member" (she asked), "inactive" (the retention rule; she was warned), "coordinator" (at once,
    on her request to a coordinator), "declined" (an application declined long ago).
    """

    __tablename__ = "erasure_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(20))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    done_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    member: Mapped[Member] = relationship(foreign_keys=[member_id])

    @property
    def is_open(self) -> bool:
        return self.cancelled_at is None and self.done_at is None
