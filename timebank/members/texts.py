"""A member's phone: text messages on or off (STOP), and signing in with a code sent by text message."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import unicodedata
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from timebank.database import begin_write
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.notifications.sms import queue_text, text_fit
from timebank.phones import phone_e164
from timebank.timeutil import utcnow

log = logging.getLogger(__name__)

STOP_WORDS = {"STOP", "ARRET", "STOPP", "DUR"}  # ARRÊT and arrêt read as ARRET
CODE_TRIES = 3  # wrong guesses of one code before it stops working


class SignInCode(db.Model):
    """A one-time code sent by text message; only its keyed hash is kept."""

    __tablename__ = "sign_in_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    tries: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")


def members_with_number(number: str | None) -> list[Member]:
    """The members whose phone, read in E.164, is ``number``."""
    if not number:
        return []
    # Stored numbers may still be written as typed ("06 12 34 56 78"): each is read, as the number is compared.
    candidates = db.session.scalars(sa.select(Member).where(Member.phone.is_not(None))).all()
    return [member for member in candidates if phone_e164(member.phone) == number]


def member_texts_set(*, member: Member, on: bool) -> None:
    """Turn text messages on or off for the member (the switch in her profile)."""
    begin_write()
    member = db.session.get(Member, member.id)
    if on:
        member.sms_stopped_at = None
    elif member.sms_stopped_at is None:
        member.sms_stopped_at = utcnow()
    db.session.commit()


def _plain(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def sms_inbound(*, sender: str, text: str) -> int:
    """A text came to the gateway: STOP (ARRÊT…) turns text messages off for that number. How many were stopped."""
    words = _plain(text or "").strip().upper().split()
    if not words or words[0].strip(".!") not in STOP_WORDS:
        return 0
    begin_write()
    members = members_with_number(phone_e164(sender))
    for member in members:
        if member.sms_stopped_at is None:
            member.sms_stopped_at = utcnow()
    db.session.commit()
    log.info("STOP from a number of %s member(s): text messages turned off", len(members))
    return len(members)


def _code_hash(member_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"sign-in-code:{member_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _code_member(number: str | None) -> Member | None:
    """The one member without e-mail who may sign in with this number (none when two share it)."""
    members = [member for member in members_with_number(number)
               if not member.email and member.status is not Status.DECLINED]
    return members[0] if len(members) == 1 else None


def sign_in_code_request(*, phone: str) -> None:
    """Send a six-digit code by text to the member without e-mail who has this number; nothing otherwise.

    The caller answers the same either way: the page must not tell who is a member.
    """
    begin_write()
    member = _code_member(phone_e164(phone))
    if member is None:
        db.session.rollback()
        return
    now = utcnow()
    # A new code replaces the ones before it.
    db.session.execute(sa.update(SignInCode).where(SignInCode.member_id == member.id, SignInCode.used_at.is_(None))
                       .values(used_at=now))
    code = f"{secrets.randbelow(10 ** 6):06d}"
    minutes = int(current_app.config["TIMEBANK_SIGN_IN_CODE_MINUTES"])
    db.session.add(SignInCode(member_id=member.id, code_hash=_code_hash(member.id, code), created_at=now,
                              expires_at=now + timedelta(minutes=minutes)))
    with force_locale(member.locale):
        text = _("%(code)s is your code to sign in to %(name)s. It works once, for %(minutes)s minutes.",
                 code=code, name=current_app.config["TIMEBANK_NAME"], minutes=minutes)
    queue_text(phone_e164(member.phone), text_fit(text), member_id=member.id, locale=member.locale, topic="sign_in")
    db.session.commit()


def sign_in_code_check(*, phone: str, code: str) -> Member | None:
    """The member this number and code sign in, once; None when they do not (wrong, used, expired)."""
    code = "".join((code or "").split())
    begin_write()
    member = _code_member(phone_e164(phone))
    if member is None or not (len(code) == 6 and code.isdigit()):
        db.session.rollback()
        return None
    now = utcnow()
    current = db.session.scalars(sa.select(SignInCode).where(
        SignInCode.member_id == member.id, SignInCode.used_at.is_(None), SignInCode.expires_at > now)
        .order_by(SignInCode.id.desc()).limit(1)).first()
    if current is None:
        db.session.rollback()
        return None
    if not hmac.compare_digest(current.code_hash, _code_hash(member.id, code)):
        current.tries += 1
        if current.tries >= CODE_TRIES:
            current.used_at = now
        db.session.commit()
        return None
    current.used_at = now
    member.last_seen_at = now
    db.session.commit()
    return member
