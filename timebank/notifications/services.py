"""Queue e-mail in the outbox and deliver it, retrying with backoff."""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from timebank.database import begin_write, insert_on_conflict
from timebank.extensions import db
from timebank.notifications.models import (
    EMAIL_MODES,
    EMAIL_TOPICS,
    EmailPreference,
    Notification,
    OutboxMessage,
)
from timebank.timeutil import utcnow

if TYPE_CHECKING:  # notifications sit below the members
    from timebank.members.models import Member

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


def email_mode(*, member: Member, topic: str) -> str:
    preference = db.session.get(EmailPreference, (member.id, topic))
    if preference is not None:
        return preference.mode
    return current_app.config["TIMEBANK_EMAIL_DEFAULTS"].get(topic, "now")


def email_preferences(*, member: Member) -> dict[str, str]:
    return {topic: email_mode(member=member, topic=topic) for topic in EMAIL_TOPICS}


def email_preferences_set(*, member: Member, modes: dict[str, str]) -> None:
    """Save how the member wants e-mail for each topic."""
    begin_write()
    for topic, mode in modes.items():
        if topic not in EMAIL_TOPICS or mode not in EMAIL_MODES:
            continue
        statement = insert_on_conflict(EmailPreference).values(member_id=member.id, topic=topic, mode=mode)
        db.session.execute(statement.on_conflict_do_update(index_elements=["member_id", "topic"],
                                                           set_={"mode": statement.excluded.mode}))
    db.session.commit()


def mail_queue(*, member: Member, subject, template: str, topic: str | None = None,
               **context) -> OutboxMessage | None:
    """Write an e-mail for ``member`` to the outbox, in the member's language.

    ``subject`` is a lazy string (``lazy_gettext``) or a function returning
    the subject; it and the template are rendered in the member's locale. Nothing is committed: the message joins the
    caller's transaction, so it exists if and only if the action happened.
    Members without an e-mail address get nothing (coordinators reach them
    another way). With a ``topic``, the member's preference applies: at once,
    in the daily digest, or not at all (the in-app notice stays either way).
    """
    if not member.email:
        return None
    mode = email_mode(member=member, topic=topic) if topic else "now"
    if mode == "never":
        return None
    with force_locale(member.locale):
        rendered_subject = " ".join(str(subject() if callable(subject) else subject).split())[:200]
        body = render_template(f"mail/{template}.txt", member=member, **context)
    message = OutboxMessage(
        to_address=member.email,
        member_id=member.id,
        locale=member.locale,
        subject=rendered_subject,
        body=body,
        digest=mode == "digest",
    )
    db.session.add(message)
    return message


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    logged: int = 0


def mail_send_due(*, limit: int = 200) -> SendReport:
    """Deliver queued mail whose time has come; failures stay queued and back off.

    Messages are read first and the transaction closed, so that no lock is
    held while talking to the mail server; each result is then written in
    its own short transaction. One bad message never blocks the others.
    """
    report = SendReport()
    due = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.digest.is_(False),
               OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.expunge_all()
    db.session.commit()
    config = current_app.config
    for message in due:
        error_text = None
        try:
            if config.get("MAIL_SERVER"):
                _deliver_smtp(message, config)
                report.sent += 1
            else:
                log.info("Mail to %s: %s\n%s", message.to_address, message.subject, message.body)
                report.logged += 1
        except Exception as error:  # noqa: BLE001 - any failure keeps the message queued
            error_text = f"{type(error).__name__}: {error}"[:2000]
            report.failed += 1
            log.warning("Mail %s to %s not sent (attempt %s): %s", message.id, message.to_address,
                        message.attempts + 1, error_text)
        _record_attempt(message.id, error_text)
    return report


def _record_attempt(message_id: int, error_text: str | None) -> None:
    begin_write()
    message = db.session.get(OutboxMessage, message_id)
    message.attempts += 1
    if error_text is None:
        message.sent_at = utcnow()
        message.last_error = None
    else:
        message.last_error = error_text
        message.next_attempt_at = utcnow() + _backoff(message.attempts)
    # One commit per message: a crash halfway never re-sends what went out.
    db.session.commit()


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


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts, 12)), MAX_BACKOFF)


def _deliver_smtp(message: OutboxMessage, config) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email["Content-Language"] = message.locale
    email.set_content(message.body)
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def tell(*, member: Member, kind: str, params: dict, subject, link: str = "/") -> None:
    """An in-app notice, and the same words by e-mail (for members who have an address), in their language."""
    from timebank.notifications.messages import notification_text

    notify(member=member, kind=kind, params=params, link=link)
    mail_queue(member=member, subject=subject, template="notice", link=link,
               text=lambda: notification_text(kind, params))


def notify(*, member: Member, kind: str, params: dict, link: str | None = None) -> Notification:
    """Leave an in-app notice for ``member`` (joins the caller's transaction)."""
    notification = Notification(member_id=member.id, kind=kind, params=params, link=link, created_at=utcnow())
    db.session.add(notification)
    return notification


def notifications_unread_query(*, member: Member):
    return sa.select(sa.func.count()).where(Notification.member_id == member.id, Notification.read_at.is_(None))


def notifications_unread_count(*, member: Member) -> int:
    return db.session.scalar(notifications_unread_query(member=member))


def notifications_list(*, member: Member, limit: int = 50) -> list:
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.member_id == member.id)
        .order_by(Notification.id.desc()).limit(limit)
    ))


def notifications_mark_read(*, member: Member) -> None:
    """Mark the member's notices read; when none is unread, write nothing (no write lock, no commit)."""
    unread = sa.and_(Notification.member_id == member.id, Notification.read_at.is_(None))
    if not db.session.scalar(sa.select(sa.exists().where(unread))):
        return
    begin_write()
    db.session.execute(
        sa.update(Notification)
        .where(Notification.member_id == member.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
