from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db
from timebank.timeutil import utcnow

if TYPE_CHECKING:  # notifications sit below the members: the class is named, not imported
    from timebank.members.models import Member


CHANNELS = ("email", "sms", "push")


class OutboxMessage(db.Model):
    """A message for one channel waiting to be sent, or sent; written in the same transaction as its cause.

    ``to_address`` is what the channel needs: the e-mail address, the phone number (E.164) or the push
    subscription's id. An SMS or a push has no subject: its ``body`` is the whole text.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_channel_created_at", "channel", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(8), default="email", server_default="email")
    to_address: Mapped[str] = mapped_column(sa.String(254))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    topic: Mapped[str | None] = mapped_column(sa.String(20))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Refused for good (a gateway's 4xx): not tried again unless an admin asks for it.
    failed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Waits for the member's daily digest instead of going out on its own.
    digest: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    member: Mapped[Member | None] = relationship("Member")

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def state(self) -> str:
        return "sent" if self.sent_at else "failed" if self.failed_at else "queued"


class OutboxSkip(db.Model):
    """A message that was not queued because a daily limit was reached (counted on the admins' outbox page)."""

    __tablename__ = "outbox_skip"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(8))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)


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


# Topics a member chooses a channel for: exchanges needing her answer, messages, hours received, reminders,
# news of her listings (matches, a listing ending).
TOPICS = ("exchanges", "messages", "hours", "reminders", "matches")
EMAIL_TOPICS = TOPICS
# How a member is told about a topic, beside the in-app notice that is always there: "now" (an e-mail at
# once), "digest" (in one e-mail a day), "never" (in the app only), "sms" (a text), "push" (a phone
# notification). The names of the first three are those of the e-mail-only days, so saved choices keep.
MODES = ("now", "digest", "never", "sms", "push")
EMAIL_MODES = MODES


class EmailPreference(db.Model):
    """How a member wants to be told about one topic (see ``MODES``); without a row, the settings' default."""

    __tablename__ = "email_preference"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    mode: Mapped[str] = mapped_column(sa.String(10))


class PushSubscription(db.Model):
    """A phone (a browser) where a member turned on notifications: where its push service takes them."""

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(1000), unique=True)
    keys: Mapped[dict] = mapped_column(sa.JSON)  # the browser's "p256dh" and "auth" keys, to encrypt for it
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
