from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow


class MemberNote(db.Model):
    """A coordinator's private, dated note about a member (coordinators and admins only)."""

    __tablename__ = "member_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    author: Mapped[Member] = relationship(foreign_keys=[author_id])


class Verification(db.Model):
    """A coordinator vouched for a member for sensitive services: who, when, what was checked, until when.

    A record is never rewritten; it ends when it is withdrawn (``ended_by``) or lapses (no ``ended_by``).
    """

    __tablename__ = "verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    verified_by_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    checked: Mapped[str] = mapped_column(sa.Text)  # e.g. "ID seen, references called"
    expires_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # the member was told it ends soon
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    end_reason: Mapped[str | None] = mapped_column(sa.Text)

    verified_by: Mapped[Member] = relationship(foreign_keys=[verified_by_id])
    ended_by: Mapped[Member | None] = relationship(foreign_keys=[ended_by_id])


class MemberWarning(db.Model):
    """A coordinator's warning: the member must read it before going on."""

    __tablename__ = "member_warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    author: Mapped[Member] = relationship(foreign_keys=[author_id])
