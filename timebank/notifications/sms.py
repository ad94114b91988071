"""Text messages: short enough for one SMS, queued in the outbox under daily limits, sent through a gateway.

Backends (``TIMEBANK_SMS_BACKEND``):

- ``log`` (default): the text is written to the log, nothing leaves the machine.
- ``http``: a JSON POST ``{"to": "+33612345678", "text": "..."}`` to ``TIMEBANK_SMS_URL``, with the header
  ``TIMEBANK_SMS_TOKEN_HEADER`` (default ``Authorization``) set to ``TIMEBANK_SMS_TOKEN`` when there is one.
  This fits the common SMS gateways, including an Android phone running an SMS-gateway app on the
  association's SIM card. A timeout, a network error, a 5xx, a 408 or a 429 leave the text queued for a
  retry; any other 4xx marks it failed with the gateway's reason, for the admins' outbox page.
"""
from __future__ import annotations

import json
import logging
import unicodedata
import urllib.error
import urllib.request
from datetime import datetime, time

import sqlalchemy as sa
from flask import current_app

from timebank.extensions import db
from timebank.notifications.models import OutboxMessage, OutboxSkip
from timebank.timeutil import utcnow

log = logging.getLogger(__name__)

# The GSM 03.38 alphabet: texts written only with these go 160 to a part; any other character (Arabic,
# "ê", an emoji) makes the whole text UCS-2, 70 to a part.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # two characters each
SINGLE = {"gsm7": 160, "ucs2": 70}
MULTI = {"gsm7": 153, "ucs2": 67}
MAX_PARTS = 3

# Typography a phone keyboard or a translation puts in, with its plain GSM-7 twin.
_PLAIN = {"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-", "…": "...",
          "\u00a0": " ", "\u202f": " ", "ı": "i", "œ": "oe", "Œ": "OE", "ç": "c"}


class PermanentFailure(Exception):
    """The gateway refused the message for good (a 4xx): it is marked failed, not retried."""


def encoding_of(text: str) -> str:
    return "gsm7" if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text) else "ucs2"


def units(text: str, encoding: str | None = None) -> int:
    """How many character places the text takes in its encoding (GSM-7 escapes and UTF-16 pairs count 2)."""
    encoding = encoding or encoding_of(text)
    if encoding == "gsm7":
        return sum(2 if char in GSM7_EXTENDED else 1 for char in text)
    return len(text.encode("utf-16-le")) // 2


def parts(text: str) -> int:
    """How many SMS the text is sent as."""
    encoding = encoding_of(text)
    size = units(text, encoding)
    if size <= SINGLE[encoding]:
        return 1
    return -(-size // MULTI[encoding])


def gsm_friendly(text: str) -> str:
    """Replace typography and accents that GSM-7 lacks by their plain letters ("ê" → "e"), so a French or
    Turkish text stays 160 to a part; a script GSM-7 cannot write (Arabic) is kept as it is."""
    out = []
    for char in " ".join(text.split()):
        if char in GSM7_BASIC or char in GSM7_EXTENDED:
            out.append(char)
        elif char in _PLAIN:
            out.append(_PLAIN[char])
        else:
            base = unicodedata.normalize("NFKD", char)[:1]
            out.append(base if base and base in GSM7_BASIC else char)
    return "".join(out)


def short_link(path: str | None) -> str:
    """The page's address, as short as a phone still opens it (no "https://")."""
    base = current_app.config["TIMEBANK_BASE_URL"].rstrip("/")
    link = base + (path or "/") if not (path or "").startswith("http") else path
    return link.removeprefix("https://")


_NO_ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f"))


def text_fit(text: str, *, link: str | None = None) -> str:
    """The text and its link in one SMS: the text is cut (with an ellipsis) when both would not fit.

    The marks that isolate a name on a page (U+2066–U+2069, U+200E/F) are left out: a phone's own
    display orders the words, and one such mark would turn a plain text into a three-times-shorter UCS-2 one.
    """
    text = gsm_friendly(text.translate(_NO_ISOLATES))
    tail = f" {link}" if link else ""
    whole = text + tail
    encoding = encoding_of(whole)
    room = SINGLE[encoding]
    if units(whole, encoding) <= room:
        return whole
    ellipsis = "..." if encoding == "gsm7" else "…"
    budget = room - units(tail + ellipsis, encoding)
    kept = ""
    for char in text:
        if units(kept + char, encoding) > budget:
            break
        kept += char
    return (kept.rstrip() + ellipsis + tail) if budget > 0 else whole[:room]


def _today_start() -> datetime:
    return datetime.combine(utcnow().date(), time.min)


def _sent_today(*, member_id: int | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.channel == "sms", OutboxMessage.created_at >= _today_start())
    if member_id is not None:
        query = query.where(OutboxMessage.member_id == member_id)
    return db.session.scalar(query) or 0


def queue_text(to: str, text: str, *, member_id: int | None = None, locale: str = "fr",
               topic: str | None = None) -> OutboxMessage | None:
    """Put a text for the number ``to`` (E.164) in the outbox, unless a daily limit is reached.

    The text is already in the reader's language and short (see ``text_fit``); one longer than three
    parts is cut. Beyond ``TIMEBANK_SMS_DAILY_PER_MEMBER`` texts for one member, or
    ``TIMEBANK_SMS_DAILY_TOTAL`` for the whole instance, since midnight (UTC), nothing is queued: it is
    logged and counted for the admins' outbox page. Nothing is committed: it joins the caller's transaction.
    """
    config = current_app.config
    reason = None
    if _sent_today() >= int(config["TIMEBANK_SMS_DAILY_TOTAL"]):
        reason = "daily_total"
    elif member_id is not None and _sent_today(member_id=member_id) >= int(config["TIMEBANK_SMS_DAILY_PER_MEMBER"]):
        reason = "daily_member"
    if reason is not None:
        log.warning("Text for member %s not queued: %s limit reached", member_id, reason)
        db.session.add(OutboxSkip(channel="sms", member_id=member_id, reason=reason, created_at=utcnow()))
        return None
    encoding = encoding_of(text)
    most = MULTI[encoding] * MAX_PARTS
    while units(text, encoding) > most:
        text = text[:-1]
    message = OutboxMessage(channel="sms", to_address=to, member_id=member_id, locale=locale, subject="",
                            topic=topic, body=text, created_at=utcnow(), next_attempt_at=utcnow())
    db.session.add(message)
    return message


def skipped_today() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxSkip)
                             .where(OutboxSkip.created_at >= _today_start())) or 0


def deliver_sms(message: OutboxMessage, config) -> str:
    """Send one text with the configured backend; "sent" or "logged", or raise (see the module's words)."""
    backend = config.get("TIMEBANK_SMS_BACKEND") or "log"
    if backend == "log":
        log.info("Text to %s: %s", message.to_address, message.body)
        return "logged"
    if backend != "http":
        raise PermanentFailure(f"unknown TIMEBANK_SMS_BACKEND {backend!r}")
    url = config.get("TIMEBANK_SMS_URL")
    if not url:
        raise RuntimeError("TIMEBANK_SMS_URL is not set")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.get("TIMEBANK_SMS_TOKEN"):
        headers[config.get("TIMEBANK_SMS_TOKEN_HEADER") or "Authorization"] = config["TIMEBANK_SMS_TOKEN"]
    data = json.dumps({"to": message.to_address, "text": message.body}).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=float(config.get("TIMEBANK_SMS_TIMEOUT") or 10)) as answer:
            answer.read(4096)
    except urllib.error.HTTPError as error:
        reason = f"HTTP {error.code}: {_read(error)}".strip()
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise PermanentFailure(reason) from None
        raise RuntimeError(reason) from None
    return "sent"


def _read(error: urllib.error.HTTPError) -> str:
    try:
        return error.read(500).decode("utf-8", "replace").strip() or str(error.reason or "")
    except Exception:  # noqa: BLE001 - the reason is a courtesy
        return str(error.reason or "")
