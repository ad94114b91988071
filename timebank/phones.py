"""Phone numbers: what a person typed, read in the instance's region and written in E.164 (+33612345678)."""
from __future__ import annotations

import phonenumbers
from flask import current_app


def phone_e164(raw: str | None, *, region: str | None = None) -> str | None:
    """Return the number in E.164, or None when it is not a possible, valid number.

    A number without its country code is read in ``region`` (default: the setting
    ``TIMEBANK_PHONE_REGION``, "FR"): "06 12 34 56 78" is +33612345678.
    """
    text = (raw or "").strip()
    if not text or len(text) > 40 or "\x00" in text:
        return None
    if region is None:
        region = current_app.config.get("TIMEBANK_PHONE_REGION", "FR")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
