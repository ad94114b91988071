"""Phone numbers: read as people type them, kept in E.164 (+33612345678), shown as people read them.

The `phonenumbers` library (Google's libphonenumber) knows every country's rules. A number typed without a
country code is read in the instance's region (``TIMEBANK_PHONE_REGION``, ``FR`` by default); a number from
another country is typed with ``+`` and its country code.
"""
from __future__ import annotations

import phonenumbers
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

DEFAULT_REGION = "FR"


def phone_region() -> str:
    region = current_app.config.get("TIMEBANK_PHONE_REGION") if has_app_context() else None
    return (region or DEFAULT_REGION).upper()


class PhoneInvalid(ValueError):
    """A typed phone number that is not one; ``message`` says what to type instead."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_normalise(text: str | None, *, region: str | None = None) -> str | None:
    """The number in E.164, None when nothing was typed; raise PhoneInvalid when it is not a phone number."""
    text = (text or "").strip()
    if not text:
        return None
    region = region or phone_region()
    if len(text) > 32 or "\x00" in text:
        raise PhoneInvalid(_l("This is not a phone number."))
    number = _parse(text, region)
    if number is None:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL) if example else ""
        raise PhoneInvalid(_l("This is not a valid phone number. Type it as you would dial it here (e.g. "
                              "%(example)s), or a number from another country with + and its country code "
                              "(e.g. +212 6 12 34 56 78).", example=national))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_checked(text: str | None, *, field: str = "phone") -> str | None:
    """For a service: the typed number in E.164 (None when left empty), or a DomainError naming the field."""
    from timebank.errors import DomainError

    try:
        return phone_normalise(text)
    except PhoneInvalid as error:
        raise DomainError(error.message, field=field) from None


def phone_problem(text: str | None):
    """Why this typed number is refused (a lazy message), or None."""
    try:
        phone_normalise(text)
    except PhoneInvalid as error:
        return error.message
    return None


def phone_display(stored: str | None) -> str:
    """A stored number as people read it: national for the instance's country, international otherwise.

    A number kept as it was typed (an old one that could not be read) is shown as it is.
    """
    if not stored:
        return ""
    number = _parse(stored, phone_region())
    if number is None:
        return stored
    same_country = phonenumbers.region_code_for_number(number) == phone_region()
    style = phonenumbers.PhoneNumberFormat.NATIONAL if same_country else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def phone_tel(stored: str | None) -> str:
    """The ``tel:`` address of a stored number (E.164 when it can be read)."""
    if not stored:
        return ""
    number = _parse(stored, phone_region())
    if number is None:
        return "tel:" + "".join(c for c in stored if c.isdigit() or c == "+")
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumber:
    """A form field holding a phone number: refuse what is not one, with words that say what to type."""

    def __call__(self, form, field):
        if field.data and field.data.strip():
            problem = phone_problem(field.data)
            if problem is not None:
                raise ValidationError(problem)


def phone_e164(raw: str | None, *, region: str | None = None) -> str | None:
    """The number in E.164, or None when nothing or no phone number was typed (for look-ups, never refusals)."""
    try:
        return phone_normalise(raw, region=region)
    except PhoneInvalid:
        return None
