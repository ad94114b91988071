"""The messages of an exchange: writing, reading, and what is still unread."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.database import atomic, begin_write, insert_on_conflict
from timebank.errors import DomainError, NotAllowed
from timebank.exchanges.models import Exchange, ExchangeMessage, ExchangeRead, ExchangeState, taking_part
from timebank.exchanges.sides import acting_name, named
from timebank.exchanges.steps import _add_message, _check_member, _lock, _tell_other
from timebank.extensions import db
from timebank.members.models import Member


def exchange_write(*, exchange: Exchange, author: Member, body: str) -> ExchangeMessage:
    """Write in an exchange's thread; the other person is told."""
    def work():
        current = _lock(exchange)
        _check_member(author)
        mediating = author.is_coordinator and current.state is ExchangeState.DISPUTED
        if not current.involves(author) and not mediating:
            raise NotAllowed(_l("This exchange is not yours."))
        if not body.strip():
            raise DomainError(_l("Please write a message."), field="body")
        message = _add_message(current, author, body)
        _tell_other(current, author, "message",
                    lambda: _("New message from %(name)s: %(title)s", name=acting_name(current, author),
                              title=current.title), **named(current, author))
        return message

    return atomic(work)


def exchange_mark_read(*, exchange: Exchange, member: Member, seen: int | None = None) -> None:
    """Note that the member has read the thread up to its last message; write nothing if she already had.
    ``seen``: how far she had read (0: not at all), when the caller read it with the exchange."""
    last = max((message.id for message in exchange.messages), default=0)
    if seen is None:
        seen = db.session.scalar(sa.select(ExchangeRead.last_message_id).where(
            ExchangeRead.exchange_id == exchange.id, ExchangeRead.member_id == member.id)) or 0
    if last <= seen:
        return  # a page view writes nothing when nothing was unread (no write lock, no commit)
    begin_write()
    # One statement: two first views at the same moment (two tabs, a double tap) cannot both insert.
    statement = insert_on_conflict(ExchangeRead).values(exchange_id=exchange.id, member_id=member.id,
                                                        last_message_id=last)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["exchange_id", "member_id"], set_={"last_message_id": statement.excluded.last_message_id},
        where=ExchangeRead.last_message_id < statement.excluded.last_message_id))
    db.session.commit()


def unread_messages_query(*, member: Member):
    """Messages from others in my exchanges that I have not read (a count)."""
    read = sa.select(ExchangeRead.last_message_id).where(
        ExchangeRead.exchange_id == ExchangeMessage.exchange_id, ExchangeRead.member_id == member.id
    ).scalar_subquery()
    mine = sa.select(Exchange.id).where(taking_part(member.id))
    return sa.select(sa.func.count()).select_from(ExchangeMessage).where(
        ExchangeMessage.exchange_id.in_(mine), ExchangeMessage.author_id != member.id,
        ExchangeMessage.id > sa.func.coalesce(read, 0))


def unread_messages(*, member: Member) -> int:
    return db.session.scalar(unread_messages_query(member=member))
