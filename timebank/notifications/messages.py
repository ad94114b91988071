"""The words of each in-app notice, in the reader's language at the time of reading."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from timebank.i18n import format_minutes


def _match(p: dict) -> str:
    locale = str(get_locale())
    names = p.get("category") or {}
    category = names.get(locale) or names.get("fr") or ""
    if p.get("type") == "request":
        return _("Someone near you needs help with %(category)s: %(title)s", category=category, title=p.get("title", ""))
    return _("Someone near you offers %(category)s: %(title)s", category=category, title=p.get("title", ""))


def notification_text(kind: str, params: dict) -> str:
    p = dict(params)
    if "minutes" in p:
        p["amount"] = format_minutes(p.pop("minutes"))
    texts = {
        "hours_received": lambda: _("%(name)s gave you %(amount)s.", **p),
        "hours_given": lambda: _("You gave %(amount)s to %(name)s.", **p),
        "donation_given": lambda: _("You gave %(amount)s to the community account. Thank you!", **p),
        "welcome_received": lambda: _("Welcome! The timebank gave you %(amount)s to start.", **p),
        "grant_received": lambda: _("You received %(amount)s from the community account.", **p),
        "correction": lambda: _("A coordinator corrected your hours by %(amount)s.", **p),
        "match": lambda: _match(p),
        "report_handled": lambda: _("Thank you for your report: a coordinator has looked at it."),
    }
    text = texts.get(kind, lambda: _("You have a new notice."))()
    if p.get("memo"):
        text = _("%(text)s For: %(memo)s", text=text, memo=p["memo"])
    return text
