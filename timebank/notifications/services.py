"""Queue notices in the outbox, by the channel each member chose, and leave in-app notices.

Delivery is in ``notifications.outbox`` (every channel), text messages in ``notifications.sms``, the
members' choices in ``notifications.channels``.
"""
from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from timebank.database import begin_write
from timebank.extensions import db
from timebank.i18n import local_text
from timebank.notifications.channels import (  # noqa: F401  (the names callers know)
    channel_for,
    email_mode,
    email_preferences,
    email_preferences_set,
    push_subscription_ids,
)
from timebank.notifications.models import Notification, OutboxMessage
from timebank.notifications.outbox import SendReport, mail_send_due, outbox_send_due  # noqa: F401
from timebank.notifications.sms import queue_text, short_link, text_fit
from timebank.phones import phone_e164
from timebank.timeutil import utcnow

if TYPE_CHECKING:  # notifications sit below the members
    from timebank.members.models import Member

log = logging.getLogger(__name__)


def mail_queue(*, member: Member, subject, template: str, topic: str | None = None, short=None,
               glance=None, link: str | None = None, **context) -> OutboxMessage | None:
    """Tell ``member`` something outside the site, by the channel she chose for ``topic``, in her language.

    ``subject`` is a lazy string (``lazy_gettext``) or a function returning
    the subject; it and the template are rendered in the member's locale. Nothing is committed: the message joins the
    caller's transaction, so it exists if and only if the action happened.
    By e-mail (at once or in the daily digest), the template is the body. By text message, the words are
    ``short`` (a lazy string or a function; default: the subject) and a link to the page ``link``, in one
    SMS. By phone notification, the ``glance`` words (who did what, nothing private: a locked screen shows
    them; default: "You have news at the timebank."). Without a topic (her account), it goes by e-mail, or
    by text to a member without e-mail. Returns the e-mail, if one was queued.
    """
    channel = channel_for(member=member, topic=topic)
    if channel is None:
        return None
    if link is not None:
        context["link"] = link
    if channel in ("sms", "push"):
        with force_locale(member.locale):
            words = short if short is not None else subject
            words = " ".join(str(words() if callable(words) else words).split())
            text = text_fit(words, link=short_link(link or "/"))
        if channel == "sms":
            number = phone_e164(member.phone)
            if number is None:
                log.warning("Member %s has a phone number that is not valid: no text sent", member.id)
                return None
            queue_text(number, text, member_id=member.id, locale=member.locale, topic=topic)
        else:
            # The line shown on the phone, and the page a tap opens: who did what, no private detail.
            with force_locale(member.locale):
                seen = glance() if callable(glance) else glance if glance is not None else \
                    _("You have news at the timebank.")
                seen = " ".join(str(seen).split())[:200]
            for subscription in push_subscription_ids(member):
                db.session.add(OutboxMessage(channel="push", to_address=subscription, member_id=member.id,
                                             locale=member.locale, topic=topic, subject=seen,
                                             body=link or "/notifications"))
        return None
    with force_locale(member.locale):
        rendered_subject = " ".join(str(subject() if callable(subject) else subject).split())[:200]
        body = render_template(f"mail/{template}.txt", member=member, **context)
        signature = local_text("email_signature")
        if signature:  # the association's own words, in the member's language (else the default language's)
            body = f"{body.rstrip()}\n\n-- \n{signature}\n"
    message = OutboxMessage(
        to_address=member.email,
        member_id=member.id,
        locale=member.locale,
        topic=topic,
        subject=rendered_subject,
        body=body,
        digest=channel == "digest",
    )
    db.session.add(message)
    return message


def mail_digest_due() -> int:
    """Gather each member's waiting digest e-mails into one e-mail (run it once a day)."""
    begin_write()
    waiting = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.digest.is_(True), OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.member_id, OutboxMessage.id)
    ).all()
    by_member: dict[int, list[OutboxMessage]] = {}
    for message in waiting:
        by_member.setdefault(message.member_id, []).append(message)
    from flask_babel import lazy_gettext as _l

    for messages in by_member.values():
        member = messages[0].member
        if member is not None:
            mail_queue(member=member, subject=_l("Your day at the timebank"), template="digest", items=messages)
        for message in messages:
            message.sent_at, message.last_error = utcnow(), "sent in the daily digest"
    db.session.commit()
    return len(by_member)


def tell(*, member: Member, kind: str, params: dict, subject, link: str = "/", topic: str | None = None) -> None:
    """An in-app notice, and the same words by the member's channel for ``topic``, in her language."""
    from timebank.notifications.messages import glance_text, notification_plain, notification_text

    notify(member=member, kind=kind, params=params, link=link)
    mail_queue(member=member, subject=subject, template="notice", link=link, topic=topic,
               text=lambda: notification_plain(kind, params), short=lambda: notification_text(kind, params),
               glance=lambda: glance_text(kind, params))


def notify(*, member: Member, kind: str, params: dict, link: str | None = None) -> Notification:
    """Leave an in-app notice for ``member`` (joins the caller's transaction)."""
    notification = Notification(member_id=member.id, kind=kind, params=params, link=link, created_at=utcnow())
    db.session.add(notification)
    return notification


def notifications_unread_query(*, member: Member):
    return sa.select(sa.func.count()).where(Notification.member_id == member.id, Notification.read_at.is_(None))


def notifications_unread_count(*, member: Member) -> int:
    return db.session.scalar(notifications_unread_query(member=member))


@cache
def _list_statement() -> sa.Select:
    """Built once: the notices page and the messages page read them on every view."""
    return (sa.select(Notification).where(Notification.member_id == sa.bindparam("member", type_=sa.Integer))
            .order_by(Notification.id.desc()).limit(sa.bindparam("limit", type_=sa.Integer)))


def notifications_list(*, member: Member, limit: int = 50) -> list:
    return list(db.session.scalars(_list_statement(), {"member": member.id, "limit": limit}))


@cache
def _any_unread() -> sa.Select:
    """Built once: the notices page asks it on every view."""
    return sa.select(sa.exists().where(Notification.member_id == sa.bindparam("member", type_=sa.Integer),
                                       Notification.read_at.is_(None)))


def notifications_mark_read(*, member: Member) -> None:
    """Mark the member's notices read; when none is unread, write nothing (no write lock, no commit)."""
    if not db.session.scalar(_any_unread(), {"member": member.id}):
        return
    begin_write()
    db.session.execute(
        sa.update(Notification)
        .where(Notification.member_id == member.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
