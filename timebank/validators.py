"""Validators shared by the forms of every feature."""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError


class PlainText:
    """Refuse invisible control characters (line breaks only where ``multiline``) and blank-after-trim text."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        value = field.data or ""
        allowed = "\n\r\t" if self.multiline else ""
        if any(unicodedata.category(c) in ("Cc", "Cf") and c not in allowed and c not in "\u200c\u200d\u200f\u200e"
               for c in value):
            raise ValidationError(_l("Please remove the invisible characters (such as line breaks) from this text."))
        if value and not value.strip():
            raise ValidationError(_l("Please write something, not only spaces."))


# An address whose name part starts like a formula, or holds a pipe, is a spreadsheet attack, not a mailbox.
EMAIL_REFUSED_STARTS = ("=", "+", "-", "@", "\t", "\r")


def email_problem(email: str | None):
    """Why this e-mail address is refused (a lazy message), or None; used by every form and the import."""
    from email_validator import EmailNotValidError, validate_email

    value = (email or "").strip()
    local = value.rsplit("@", 1)[0] if "@" in value else value
    if local.startswith(EMAIL_REFUSED_STARTS) or "|" in local:
        return _l("This e-mail address cannot be used: it may not start with = + - @ or contain |.")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return _l("This does not look like an e-mail address.")
    return None


class SafeEmail:
    """Refuse an e-mail address that is not one, or that a spreadsheet would read as a formula."""

    def __call__(self, form, field):
        if field.data:
            problem = email_problem(field.data)
            if problem is not None:
                raise ValidationError(problem)


class NoNul:
    """Refuse the NUL character, which no keyboard types and PostgreSQL cannot store or compare.

    For fields that otherwise take any character (passwords, identifiers); ``PlainText`` covers it elsewhere.
    """

    def __call__(self, form, field):
        values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise ValidationError(_l("This contains a character that cannot be typed."))
