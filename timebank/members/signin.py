"""Signing in and staying signed in: passwords checked, sessions ended, activity noted, passwords reset."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from timebank.database import begin_write
from timebank.errors import InvalidToken, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.members.passwords import password_check, password_hash, password_needs_rehash
from timebank.members.services import member_by_email, member_by_identifier, member_number
from timebank.notifications.services import mail_queue
from timebank.timeutil import utcnow


def login_limit_key(identifier: str) -> str:
    """One account, however its identifier is typed: the limit on guesses must not be dodged."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return identifier.lower()
    number = member_number(identifier)
    return f"#{number}" if number is not None else identifier.lower()


def member_by_session_token(token: str | None) -> Member | None:
    """The member a session or "stay signed in" cookie belongs to, if its token is still hers."""
    if not token or not isinstance(token, str) or len(token) > 64:
        return None
    return db.session.scalar(sa.select(Member).where(Member.session_token == token))


def sessions_end(*, member: Member) -> None:
    """Sign the member out on every phone and computer: each session and cookie made so far stops working."""
    begin_write()
    member.sessions_end()
    db.session.commit()


def member_authenticate(*, identifier: str, password: str) -> Member | None:
    """Return the member these credentials belong to, or None, in constant-ish time."""
    begin_write()  # it records the sign-in: hold the write lock from the first read
    member = member_by_identifier(identifier)
    if not password_check(member.password_hash if member else None, password):
        db.session.rollback()
        return None
    if password_needs_rehash(member.password_hash):
        member.password_hash = password_hash(password)
    member.last_seen_at = utcnow()
    db.session.commit()
    return member


SEEN_EVERY = 3600  # seconds: "last activity" is kept to the hour, one small write an hour at most


def member_seen(member: Member) -> None:
    """Note that the member used the app (for the admins' "last activity"), at most once an hour."""
    now = utcnow()
    if member.last_seen_at is not None and now - member.last_seen_at < timedelta(seconds=SEEN_EVERY):
        return
    begin_write()
    db.session.execute(sa.update(Member).where(Member.id == member.id).values(last_seen_at=now))
    db.session.commit()



# Forgotten and changed passwords ------------------------------------------------------------

_RESET_SALT = "timebank.password-reset"


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _password_fingerprint(member: Member) -> str:
    # The token carries the tail of the current hash: once the password changes,
    # every earlier link stops working, so a link can be used only once.
    return member.password_hash[-16:]


def password_reset_request(*, email: str) -> None:
    """E-mail a reset link if an account has this address; say nothing either way."""
    begin_write()
    member = member_by_email(email)
    if member is None or member.status is Status.DECLINED:
        db.session.rollback()
        return
    token = _reset_serializer().dumps({"m": member.id, "f": _password_fingerprint(member)})
    base = current_app.config["TIMEBANK_BASE_URL"].rstrip("/")
    hours = current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600
    mail_queue(
        member=member,
        subject=_l("Choose a new password"),
        template="password_reset",
        link=f"{base}/password/reset/{token}",
        hours=hours,
    )
    db.session.commit()


def password_reset_member(*, token: str) -> Member:
    """Return the member a reset link was made for, or raise InvalidToken."""
    serializer = _reset_serializer()
    try:
        data = serializer.loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise InvalidToken(_l("This link has expired. Ask for a new one below.")) from None
    except BadSignature:
        raise InvalidToken(_l("This link is not valid. Ask for a new one below.")) from None
    member = db.session.get(Member, data.get("m")) if isinstance(data, dict) else None
    if member is None or data.get("f") != _password_fingerprint(member):
        raise InvalidToken(_l("This link has already been used. Ask for a new one below."))
    return member


def password_reset_complete(*, token: str, password: str) -> Member:
    begin_write()
    member = password_reset_member(token=token)
    member.password_hash = password_hash(password)
    member.sessions_end()  # whoever knew the old password may hold a session: it ends too
    db.session.commit()
    return member


def password_change(*, member: Member, current: str, new: str) -> None:
    begin_write()
    if not password_check(member.password_hash, current):
        raise NotAllowed(_l("Your current password is not right."), field="current_password")
    member.password_hash = password_hash(new)
    member.sessions_end()  # the caller puts the new token in the session of the device she uses
    db.session.commit()
