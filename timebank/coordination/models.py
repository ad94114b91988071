from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow


class AuditEntry(db.Model):
    """One act of a coordinator or an admin: who, when, what, on whom, and why. Append-only."""

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_member_id_id", "member_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))  # the member concerned
    target: Mapped[str] = mapped_column(sa.String(80), default="")  # e.g. "exchange 12", "listing 7"
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    actor: Mapped[Member | None] = relationship(foreign_keys=[actor_id])
    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])


class MemberNote(db.Model):
    """A coordinator's private, dated note about a member (coordinators and admins only)."""

    __tablename__ = "member_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    author: Mapped[Member] = relationship(foreign_keys=[author_id])
