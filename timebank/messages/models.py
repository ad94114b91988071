from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow


class DirectMessage(db.Model):
    """A message from one member to another, outside any exchange."""

    __tablename__ = "direct_message"
    __table_args__ = (
        sa.CheckConstraint("sender_id <> recipient_id", name="two_people"),
        sa.Index("ix_direct_message_recipient_id_read_at", "recipient_id", "read_at"),
        sa.Index("ix_direct_message_sender_id_recipient_id_id", "sender_id", "recipient_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # hidden by a coordinator after a report
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))

    sender: Mapped[Member] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[Member] = relationship(foreign_keys=[recipient_id])


class Block(db.Model):
    """``blocker`` no longer receives messages or proposals from ``blocked``."""

    __tablename__ = "member_block"

    blocker_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), primary_key=True)
    blocked_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
