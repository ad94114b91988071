from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db
from timebank.timeutil import utcnow

if TYPE_CHECKING:  # notifications sit below the members: the class is named, not imported
    from timebank.members.models import Member


class OutboxMessage(db.Model):
    """An e-mail waiting to be sent, or sent; written in the same transaction as its cause."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Waits for the member's daily digest instead of going out on its own.
    digest: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    member: Mapped[Member | None] = relationship("Member")

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class Notification(db.Model):
    """An in-app notice for one member, rendered in the reader's language when shown."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_member_id_id", "member_id", "id"),
        # The menu counts a member's unread notices on every page: only those are in this index.
        sa.Index("ix_notification_unread", "member_id", sqlite_where=sa.text("read_at IS NULL"),
                 postgresql_where=sa.text("read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    link: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


EMAIL_TOPICS = ("exchanges", "messages", "hours", "matches")
EMAIL_MODES = ("now", "digest", "never")


class EmailPreference(db.Model):
    """How a member wants e-mail about one topic: at once, in a daily digest, or never (default: at once)."""

    __tablename__ = "email_preference"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    mode: Mapped[str] = mapped_column(sa.String(10))
