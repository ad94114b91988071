"""Deliver the outbox, every channel, retrying with backoff; the admins' view of it.

Each channel has a deliverer: ``fn(message, config) -> "sent" | "logged"``. It raises
``PermanentFailure`` when the message can never go (it is then marked failed with the reason), any other
exception when it may go later (it stays queued and is tried again after a growing wait). A channel
without a deliverer keeps its messages queued. Another package plugs its channel in at start-up::

    from timebank.notifications.outbox import register_deliverer
    register_deliverer("push", deliver_push)
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from timebank.database import begin_write
from timebank.extensions import db
from timebank.notifications.models import CHANNELS, OutboxMessage
from timebank.notifications.sms import PermanentFailure, deliver_sms, skipped_today
from timebank.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)

Deliverer = Callable[[OutboxMessage, dict], str]


def deliver_email(message: OutboxMessage, config) -> str:
    if not config.get("MAIL_SERVER"):
        log.info("Mail to %s: %s\n%s", message.to_address, message.subject, message.body)
        return "logged"
    _deliver_smtp(message, config)
    return "sent"


def deliver_push(message: OutboxMessage, config) -> str:
    from timebank.notifications.push import deliver_push_outbox

    return deliver_push_outbox(message, config)


DELIVERERS: dict[str, Deliverer] = {"email": deliver_email, "sms": deliver_sms, "push": deliver_push}


def register_deliverer(channel: str, deliverer: Deliverer) -> None:
    """Deliver the outbox's messages of ``channel`` with ``deliverer`` (see the module's words)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    DELIVERERS[channel] = deliverer


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    logged: int = 0
    refused: int = 0


def outbox_send_due(*, limit: int = 200) -> SendReport:
    """Deliver queued messages of every channel whose time has come; failures stay queued and back off.

    Messages are read first and the transaction closed, so that no lock is held while talking to a
    server; each result is then written in its own short transaction. One bad message never blocks the
    others.
    """
    report = SendReport()
    due = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None), OutboxMessage.digest.is_(False),
               OutboxMessage.next_attempt_at <= utcnow(), OutboxMessage.channel.in_(list(DELIVERERS)))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.expunge_all()
    db.session.commit()
    config = current_app.config
    for message in due:
        error_text, permanent = None, False
        try:
            outcome = DELIVERERS[message.channel](message, config)
            if outcome == "logged":
                report.logged += 1
            else:
                report.sent += 1
        except PermanentFailure as error:
            error_text, permanent = str(error)[:2000] or "refused", True
            report.refused += 1
            log.warning("%s %s to %s refused: %s", message.channel, message.id, message.to_address, error_text)
        except Exception as error:  # noqa: BLE001 - any other failure keeps the message queued
            error_text = f"{type(error).__name__}: {error}"[:2000]
            report.failed += 1
            log.warning("%s %s to %s not sent (attempt %s): %s", message.channel, message.id, message.to_address,
                        message.attempts + 1, error_text)
        _record_attempt(message.id, error_text, permanent=permanent)
    return report


mail_send_due = outbox_send_due  # the name of the e-mail-only days


def _record_attempt(message_id: int, error_text: str | None, *, permanent: bool = False) -> None:
    begin_write()
    message = db.session.get(OutboxMessage, message_id)
    message.attempts += 1
    if error_text is None:
        message.sent_at = utcnow()
        message.last_error = None
    else:
        message.last_error = error_text
        if permanent:
            message.failed_at = utcnow()
        else:
            message.next_attempt_at = utcnow() + _backoff(message.attempts)
    # One commit per message: a crash halfway never re-sends what went out.
    db.session.commit()


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


# The admins' outbox page ---------------------------------------------------------------------------------

STATES = ("queued", "failed", "sent")
PAGE_SIZE = 50


def _state_filter(state: str):
    if state == "sent":
        return OutboxMessage.sent_at.is_not(None)
    if state == "failed":
        return sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_not(None))
    return sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))


def outbox_counts() -> dict[str, dict[str, int]]:
    """How many messages each channel has queued, failed and sent."""
    counts = {channel: dict.fromkeys(STATES, 0) for channel in CHANNELS}
    for state in STATES:
        rows = db.session.execute(sa.select(OutboxMessage.channel, sa.func.count())
                                  .where(_state_filter(state)).group_by(OutboxMessage.channel))
        for channel, number in rows:
            counts.setdefault(channel, dict.fromkeys(STATES, 0))[state] = number
    return counts


@dataclass
class OutboxPage:
    items: list[OutboxMessage]
    page: int
    pages: int
    total: int


def outbox_list(*, channel: str | None, state: str, page: int) -> OutboxPage:
    """One page of messages of ``state`` (``channel`` None: all), the newest first."""
    where = [_state_filter(state)]
    if channel:
        where.append(OutboxMessage.channel == channel)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    items = list(db.session.scalars(sa.select(OutboxMessage).where(*where).order_by(OutboxMessage.id.desc())
                                    .options(joinedload(OutboxMessage.member))
                                    .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return OutboxPage(items=items, page=page, pages=pages, total=total)


def outbox_retry(*, message_id: int) -> bool:
    """Put a failed message back in the queue, to go with the next sending; False if it is not a failed one."""
    begin_write()
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.sent_at is not None or message.failed_at is None:
        db.session.rollback()
        return False
    message.failed_at = None
    message.next_attempt_at = utcnow()
    db.session.commit()
    return True


def outbox_skipped_today() -> int:
    return skipped_today()
