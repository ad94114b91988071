"""Phone notifications (web push): the phones where a member turned them on, and sending one to them.

A browser that allows notifications gives an address at its push service (Google's, Mozilla's, Apple's…) and
two keys; a notification is encrypted for those keys and signed with the instance's VAPID key (generated into
``instance/`` on first use, like the secret key), then posted to that address by ``pywebpush``. A notification
says no more than "Karim proposed an exchange" and the page to open: what it says passes through a company's
servers.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from timebank.database import begin_write
from timebank.errors import DomainError, NotAllowed, NotFound
from timebank.extensions import db
from timebank.notifications.models import PushSubscription
from timebank.timeutil import utcnow

if TYPE_CHECKING:  # notifications sit below the members
    from timebank.members.models import Member

log = logging.getLogger(__name__)

SENT, RETRY, FAILED = "sent", "retry", "failed"
TEXT_MAX = 120  # a notification is a line, not a letter
SUBSCRIPTIONS_MAX = 10  # phones and browsers of one member
_KEY = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class PushResult(str):
    """``"sent"``, ``"retry"`` or ``"failed"``, with the reason of a failure for the outbox page."""

    reason: str | None

    def __new__(cls, status: str, reason: str | None = None):
        result = super().__new__(cls, status)
        result.reason = reason
        return result


# The instance's VAPID key ---------------------------------------------------------------------


def _key_path() -> Path:
    configured = current_app.config.get("TIMEBANK_VAPID_PRIVATE_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "vapid_private.pem"


def vapid_private_key_file() -> str:
    """The file of the instance's VAPID private key, generated on first use (readable by its owner only)."""
    from py_vapid import Vapid

    path = _key_path()
    if path.exists():
        return str(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    vapid = Vapid()
    vapid.generate_keys()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it at the same moment: theirs is the key
        return str(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(vapid.private_pem())
    return str(path)


def vapid_public_key() -> str:
    """The public key a browser needs to subscribe (``applicationServerKey``), base64url without padding."""
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid

    vapid = Vapid.from_file(vapid_private_key_file())
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _vapid_contact() -> str:
    config = current_app.config
    contact = (config.get("TIMEBANK_VAPID_CONTACT") or "").strip()
    if contact:
        return contact if contact.startswith(("mailto:", "https://")) else f"mailto:{contact}"
    address = (config.get("TIMEBANK_CONTACT") or "").strip()
    if re.fullmatch(r"[^@\s]+@[^@\s]+", address):
        return f"mailto:{address}"
    return config["TIMEBANK_BASE_URL"].rstrip("/")


# Subscriptions --------------------------------------------------------------------------------


def _push_service_allowed(endpoint: str) -> bool:
    """Only the push services of the browsers: the server posts to this address, so it must not be any."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if not host:
        return False
    services = current_app.config["TIMEBANK_PUSH_SERVICES"]
    if parts.scheme != "https" and not current_app.config.get("TIMEBANK_PUSH_ALLOW_HTTP"):
        return False
    return any(host == allowed or host.endswith("." + allowed) for allowed in services)


def _clean_keys(keys) -> dict[str, str]:
    if not isinstance(keys, dict):
        raise DomainError(_l("This browser did not give the keys of its notifications."), field="keys")
    clean = {}
    for name, longest in (("p256dh", 200), ("auth", 60)):
        value = keys.get(name)
        if not isinstance(value, str) or not 8 <= len(value) <= longest or not _KEY.match(value):
            raise DomainError(_l("This browser did not give the keys of its notifications."), field="keys")
        clean[name] = value
    return clean


def push_subscribe(*, member: Member, endpoint, keys) -> PushSubscription:
    """Keep the address where this member's phone takes notifications (the same phone again: updated).

    A phone shared by two members takes the notifications of the one who turned them on last.
    """
    if not member.is_active_member:
        raise NotAllowed(_l("Notifications are for members whose membership is approved."))
    if not isinstance(endpoint, str) or not 10 < len(endpoint) <= 1000 or not _push_service_allowed(endpoint):
        raise DomainError(_l("This browser's notification service is not one we know."), field="endpoint")
    clean = _clean_keys(keys)
    begin_write()
    subscription = db.session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if subscription is None:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)
                                  .where(PushSubscription.member_id == member.id))
        if count >= SUBSCRIPTIONS_MAX:
            db.session.rollback()
            raise DomainError(_l("Notifications are already on for %(num)s phones or browsers: turn them off on "
                                 "one first.", num=SUBSCRIPTIONS_MAX), field="endpoint")
        subscription = PushSubscription(endpoint=endpoint)
        db.session.add(subscription)
    subscription.member_id, subscription.keys, subscription.created_at = member.id, clean, utcnow()
    db.session.commit()
    return subscription


def push_unsubscribe(*, member: Member, endpoint: str | None = None) -> int:
    """Stop notifications on one of her phones (by its address), or on all of them; returns how many stopped.

    Another member's phone is not hers to stop: an address she does not own is not found.
    """
    begin_write()
    query = sa.select(PushSubscription).where(PushSubscription.member_id == member.id)
    if endpoint is not None:
        if not isinstance(endpoint, str) or len(endpoint) > 1000:
            db.session.rollback()
            raise NotFound(_l("Notifications were not on for this phone."))
        query = query.where(PushSubscription.endpoint == endpoint)
    found = db.session.scalars(query).all()
    for subscription in found:  # one by one, so that whoever keeps a record of agreements sees them go
        db.session.delete(subscription)
    removed = len(found)
    db.session.commit()
    if endpoint is not None and not removed:
        raise NotFound(_l("Notifications were not on for this phone."))
    return removed


def has_push(member: Member) -> bool:
    """Does this member get notifications on at least one phone?"""
    return db.session.scalar(sa.select(sa.exists().where(PushSubscription.member_id == member.id)))


def push_subscriptions_of(member: Member) -> list[PushSubscription]:
    return list(db.session.scalars(sa.select(PushSubscription).where(PushSubscription.member_id == member.id)
                                   .order_by(PushSubscription.id)))


# Sending --------------------------------------------------------------------------------------


def push_payload(*, text: str, link: str | None = None) -> str:
    """What the phone shows: the timebank's name, one short line, and a page of the site to open on a tap."""
    text = " ".join(str(text).split())
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    return json.dumps({"title": current_app.config["TIMEBANK_NAME"], "body": text, "url": _site_path(link)},
                      ensure_ascii=False)


def _site_path(link: str | None) -> str:
    """A page of this site only: a notification never sends anyone elsewhere."""
    base = current_app.config["TIMEBANK_BASE_URL"].rstrip("/")
    link = (link or "").strip()
    if link.startswith(base + "/"):
        link = link[len(base):]
    if not link.startswith("/") or link.startswith("//") or "\\" in link or any(ord(c) < 32 for c in link):
        return "/notifications"
    return link[:500]


def push_send(*, subscription: PushSubscription, payload: str) -> PushResult:
    """Send one payload to one phone; a phone its push service says is gone (404, 410) is forgotten.

    Returns ``sent`` (the service took it: 2xx), ``retry`` (no answer, 429 or 5xx: try again later) or
    ``failed`` (any other refusal: trying again would not help).
    """
    import requests
    from pywebpush import WebPushException, webpush

    config = current_app.config
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment between the server and the push service
    session.max_redirects = 0  # the address was checked; a redirect would send the server elsewhere
    info = {"endpoint": subscription.endpoint, "keys": dict(subscription.keys)}
    try:
        if not _push_service_allowed(subscription.endpoint):
            return PushResult(FAILED, "not a known push service")
        webpush(info, data=payload, vapid_private_key=vapid_private_key_file(),
                vapid_claims={"sub": _vapid_contact()}, timeout=config["TIMEBANK_PUSH_TIMEOUT"],
                ttl=config["TIMEBANK_PUSH_TTL"], requests_session=session)
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            _forget(subscription.id)
            return PushResult(FAILED, f"{status}: this phone no longer takes notifications (forgotten)")
        if status is None or status == 429 or status >= 500:
            return PushResult(RETRY, f"{status or 'no answer'}: {error.message}"[:500])
        return PushResult(FAILED, f"{status}: {error.message}"[:500])
    except (requests.RequestException, OSError) as error:
        return PushResult(RETRY, f"{type(error).__name__}: {error}"[:500])
    except Exception as error:  # noqa: BLE001 - keys a browser sent that cannot be used: this phone fails alone
        log.warning("Push to subscription %s not sent: %s", subscription.id, error)
        return PushResult(FAILED, f"{type(error).__name__}: {error}"[:500])
    finally:
        session.close()
    return PushResult(SENT)


def _forget(subscription_id: int) -> None:
    begin_write()
    db.session.execute(sa.delete(PushSubscription).where(PushSubscription.id == subscription_id))
    db.session.commit()


def deliver_push(message) -> PushResult:
    """Send an outbox message to the member's phones: its ``subject`` is the line shown, its ``link`` (or its
    ``body``, when that is a page of the site) the page opened on a tap.

    With a ``push_subscription_id`` it goes to that phone only; otherwise to each of her phones. ``sent`` when
    at least one phone took it; else ``retry`` when one may take it later; else ``failed`` (also when she has no
    phone left: nothing to retry).
    """
    link = getattr(message, "link", None) or (getattr(message, "body", "") or "").strip()
    payload = push_payload(text=message.subject, link=link)
    target = getattr(message, "push_subscription_id", None)
    query = sa.select(PushSubscription).where(PushSubscription.member_id == message.member_id)
    if target is not None:
        query = query.where(PushSubscription.id == target)
    subscriptions = list(db.session.scalars(query.order_by(PushSubscription.id)))
    db.session.commit()  # no transaction held while talking to the push services
    if not subscriptions:
        return PushResult(FAILED, "no phone takes notifications")
    results = [push_send(subscription=subscription, payload=payload) for subscription in subscriptions]
    if SENT in results:
        return PushResult(SENT)
    reasons = "; ".join(result.reason or "" for result in results)[:2000]
    return PushResult(RETRY if RETRY in results else FAILED, reasons)


def deliver_push_outbox(message, config) -> str:
    """The outbox's deliverer for the ``push`` channel: one message for one phone (``to_address`` is its id)."""
    from timebank.notifications.sms import PermanentFailure

    target = (message.to_address or "").strip()
    message.push_subscription_id = int(target) if target.isdigit() else None
    result = deliver_push(message)
    if result == SENT:
        return "sent"
    if result == FAILED:
        raise PermanentFailure(result.reason or "refused by the push service")
    raise RuntimeError(result.reason or "the push service did not take it")
