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


class NoNul:
    """Refuse the NUL character, which no keyboard types and PostgreSQL cannot store or compare.

    For fields that otherwise take any character (passwords, identifiers); ``PlainText`` covers it elsewhere.
    """

    def __call__(self, form, field):
        values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise ValidationError(_l("This contains a character that cannot be typed."))
