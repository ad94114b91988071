"""Write to another member, read conversations, block and unblock."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.database import atomic, begin_write
from timebank.errors import DomainError, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member
from timebank.messages.models import Block, DirectMessage
from timebank.notifications.messages import glance_text
from timebank.notifications.services import mail_queue, notify
from timebank.timeutil import utcnow

MESSAGE_MAX = 2000


def is_blocked(*, sender: Member, recipient: Member) -> bool:
    """Has ``recipient`` blocked ``sender``?"""
    return db.session.get(Block, (recipient.id, sender.id)) is not None


def check_may_contact(*, sender: Member, recipient: Member) -> None:
    if is_blocked(sender=sender, recipient=recipient):
        raise NotAllowed(_l("%(name)s does not wish to receive messages or proposals from you.",
                            name=recipient.display_name))


HIDDEN = _l("This message was hidden by a coordinator.")


def message_send(*, sender: Member, recipient: Member, body: str) -> DirectMessage:
    def work():
        if not sender.is_active_member:
            raise NotAllowed(_l("Only active members can write to other members."))
        if recipient.id == sender.id:
            raise NotAllowed(_l("You cannot write to yourself."))
        if not recipient.is_active_member:
            raise NotAllowed(_l("%(name)s cannot receive messages at the moment.", name=recipient.display_name))
        check_may_contact(sender=sender, recipient=recipient)
        if not body.strip():
            raise DomainError(_l("Please write a message."), field="body")
        message = DirectMessage(sender_id=sender.id, recipient_id=recipient.id, body=body.strip()[:MESSAGE_MAX],
                                created_at=utcnow())
        db.session.add(message)
        params = {"name": sender.display_name}
        notify(member=recipient, kind="direct_message", params=params, link=f"/messages/{sender.id}")
        mail_queue(member=recipient, topic="messages", subject=lambda: _("New message from %(name)s", name=sender.display_name),
                   template="direct_message", sender=sender, body=message.body, link=f"/messages/{sender.id}",
                   glance=lambda: glance_text("direct_message", params))  # never the message's words
        return message

    return atomic(work)


@dataclass(frozen=True)
class Conversation:
    other: Member
    last_at: datetime
    last_body: str
    unread: int


@cache
def _conversations():
    """Built once, for any member (``me``): its cache key is worked out once too."""
    me = sa.bindparam("me", type_=sa.Integer)
    other = sa.case((DirectMessage.sender_id == me, DirectMessage.recipient_id),
                    else_=DirectMessage.sender_id).label("other")
    mine = sa.or_(DirectMessage.sender_id == me, DirectMessage.recipient_id == me)
    last = (sa.select(other, sa.func.max(DirectMessage.id).label("last_id"),
                      sa.func.sum(sa.case((sa.and_(DirectMessage.recipient_id == me,
                                                   DirectMessage.read_at.is_(None)), 1), else_=0)).label("unread"))
            .where(mine).group_by(other).subquery())
    return (sa.select(Member, DirectMessage, last.c.unread)
            .join(last, Member.id == last.c.other).join(DirectMessage, DirectMessage.id == last.c.last_id)
            .order_by(DirectMessage.id.desc()))


def conversations(*, member: Member) -> list[Conversation]:
    """My conversations, the most recent first, with what is unread."""
    rows = db.session.execute(_conversations(), {"me": member.id}).all()
    return [Conversation(m, message.created_at, str(HIDDEN) if message.hidden_at else message.body, int(unread or 0))
            for m, message, unread in rows]


def conversation(*, member: Member, other: Member, limit: int = 200) -> list[DirectMessage]:
    """The messages between two members, oldest first (the latest ``limit``)."""
    pair = sa.or_(sa.and_(DirectMessage.sender_id == member.id, DirectMessage.recipient_id == other.id),
                  sa.and_(DirectMessage.sender_id == other.id, DirectMessage.recipient_id == member.id))
    rows = db.session.scalars(sa.select(DirectMessage).where(pair).order_by(DirectMessage.id.desc()).limit(limit))
    return list(reversed(rows.all()))


def conversation_mark_read(*, member: Member, other: Member) -> None:
    begin_write()
    db.session.execute(sa.update(DirectMessage).where(
        DirectMessage.sender_id == other.id, DirectMessage.recipient_id == member.id,
        DirectMessage.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()


def unread_direct_query(*, member: Member):
    return sa.select(sa.func.count()).select_from(DirectMessage).where(
        DirectMessage.recipient_id == member.id, DirectMessage.read_at.is_(None))


def unread_direct(*, member: Member) -> int:
    return db.session.scalar(unread_direct_query(member=member))


def member_block(*, blocker: Member, blocked: Member, block: bool) -> None:
    """Block (or unblock) a member: no new messages or proposals from them."""
    def work():
        if blocker.id == blocked.id:
            raise NotAllowed(_l("You cannot block yourself."))
        existing = db.session.get(Block, (blocker.id, blocked.id))
        if block and existing is None:
            db.session.add(Block(blocker_id=blocker.id, blocked_id=blocked.id, created_at=utcnow()))
        elif not block and existing is not None:
            db.session.delete(existing)

    atomic(work)


def has_blocked(*, blocker: Member, blocked: Member) -> bool:
    return db.session.scalar(_blocked_statement(), {"blocker": blocker.id, "blocked": blocked.id}) is not None


@cache
def _blocked_statement() -> sa.Select:
    """Built once: a member's page asks it on every view (a row, not an object)."""
    return sa.select(Block.blocker_id).where(Block.blocker_id == sa.bindparam("blocker", type_=sa.Integer),
                                             Block.blocked_id == sa.bindparam("blocked", type_=sa.Integer))
