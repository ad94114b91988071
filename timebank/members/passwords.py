"""Password hashing with Argon2id (argon2-cffi)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# A valid hash of a random password: verifying against it when the account does
# not exist costs the same time as a real check, so timing reveals nothing.
_DUMMY_PASSWORD = "no account has this password"


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("timebank_password_hasher")
    if hasher is None:
        options = current_app.config.get("TIMEBANK_ARGON2", {})
        hasher = PasswordHasher(**options)
        current_app.extensions["timebank_password_hasher"] = hasher
    return hasher


def password_hash(password: str) -> str:
    return _hasher().hash(password)


def _dummy_hash(hasher: PasswordHasher) -> str:
    # Made once per application, with the instance's own parameters: an unknown
    # account then costs one verification, exactly like a known one.
    dummy = current_app.extensions.get("timebank_dummy_hash")
    if dummy is None:
        dummy = current_app.extensions["timebank_dummy_hash"] = hasher.hash(_DUMMY_PASSWORD)
    return dummy


def password_check(hashed: str | None, password: str) -> bool:
    hasher = _hasher()
    if hashed is None:
        dummy = _dummy_hash(hasher)
        try:
            hasher.verify(dummy, password)
        except VerificationError:
            pass
        return False
    try:
        return hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(hashed: str) -> bool:
    return _hasher().check_needs_rehash(hashed)
