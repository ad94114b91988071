"""The words of each in-app notice, in the reader's language at the time of reading."""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from timebank.fastpaths import locale_code
from timebank.i18n import bdi, format_minutes, isolate

# The parameters of a notice that hold what a person wrote (a name, a title, a reason): isolated on a page.
PERSONS_TEXT = ("name", "title", "reason", "memo", "recipient", "provider", "partner", "suspended_partner")


def _acting(p: dict) -> dict:
    """Someone who acted for a partner is named with it: "Sandrine for Les Tilleuls Habitat"."""
    if p.get("partner") and p.get("name"):
        return {**p, "name": _("%(person)s for %(partner)s", person=p["name"], partner=p["partner"])}
    return p


def _match(p: dict) -> str:
    locale = locale_code()
    names = p.get("category") or {}
    category = names.get(locale) or names.get("fr") or ""
    if p.get("_html"):
        category = bdi(category)
    elif p.get("_plain"):
        category = isolate(category)
    if p.get("type") == "request":
        return _("Someone near you needs help with %(category)s: %(title)s", category=category, title=p.get("title", ""))
    return _("Someone near you offers %(category)s: %(title)s", category=category, title=p.get("title", ""))


def _acted_for(p: dict) -> str:
    texts = {
        "accepted": lambda: _("%(name)s accepted for you: %(title)s. The hours are reserved.", **p),
        "countered": lambda: _("%(name)s suggested another duration or date for you: %(title)s", **p),
        "declined": lambda: _("%(name)s declined for you: %(title)s", **p),
        "cancelled": lambda: _("%(name)s cancelled for you: %(title)s", **p),
        "done": lambda: _("%(name)s marked it done for you: %(title)s", **p),
        "confirmed": lambda: _("%(name)s confirmed for you: %(title)s. The hours have moved.", **p),
    }
    return texts.get(p.get("step"), lambda: _("%(name)s acted for you on %(title)s.", **p))()


def notification_markup(kind: str, params: dict) -> Markup:
    """The notice for a page: each person's text escaped and isolated in <bdi>, the rest escaped."""
    p = {key: (bdi(value) if key in PERSONS_TEXT else escape(value)) if isinstance(value, str) else value
         for key, value in params.items()}
    return Markup(notification_text(kind, {**p, "_html": True}))


def notification_plain(kind: str, params: dict) -> str:
    """The notice for an e-mail: each person's text between invisible isolate marks, so that a French name in an
    Arabic sentence (or the reverse) keeps its place and its punctuation."""
    p = {key: isolate(value) if key in PERSONS_TEXT and isinstance(value, str) else value
         for key, value in params.items()}
    return notification_text(kind, {**p, "_plain": True})


# The words of each kind of notice; ``p`` holds its parameters (minutes already read as an amount).
_NOTICE_TEXTS = {
    "hours_received": lambda p: _("%(name)s gave you %(amount)s.", **p),
    "hours_given": lambda p: _("You gave %(amount)s to %(name)s.", **p),
    "donation_given": lambda p: _("You gave %(amount)s to the community account. Thank you!", **p),
    "welcome_received": lambda p: _("Welcome! The timebank gave you %(amount)s to start.", **p),
    "grant_received": lambda p: _("You received %(amount)s from the community account.", **p),
    "correction": lambda p: _("A coordinator corrected your hours by %(amount)s.", **p),
    "match": lambda p: _match(p),
    "exchange_proposed": lambda p: _("%(name)s proposes an exchange: %(title)s", **p),
    "exchange_countered": lambda p: _("%(name)s suggests another duration or date: %(title)s", **p),
    "exchange_accepted": lambda p: _("%(name)s agreed: %(title)s. The hours are reserved.", **p),
    "exchange_declined": lambda p: _("%(name)s declined: %(title)s", **p),
    "exchange_cancelled": lambda p: _("%(name)s cancelled: %(title)s", **p),
    "exchange_done": lambda p: _("%(name)s says it is done (%(amount)s): %(title)s. Please confirm.", **p),
    "exchange_confirmed": lambda p: _("%(name)s confirmed: %(title)s. You received %(amount)s.", **p),
    "exchange_auto_confirmed": lambda p: _("Confirmed automatically: %(title)s. The hours have moved.", **p),
    "exchange_auto_confirmed_extra": lambda p: _(
        "Confirmed automatically: %(title)s. %(paid)s were paid, as agreed. %(provider)s marked %(done)s done: "
        "the extra %(extra)s were not paid and need %(recipient)s's agreement. See the exchange to ask for them, "
        "or to raise a disagreement.",
        **{**p, **{name: format_minutes(p.get(name, 0)) for name in ("paid", "done", "extra")}}),
    "exchange_reminder": lambda p: _("Please confirm %(title)s: tomorrow it will be confirmed automatically.",
                                     **p),
    "exchange_tomorrow": lambda p: _("Tomorrow: %(title)s, with %(name)s.", **p),
    "group_joined": lambda p: _("%(name)s joins your group session: %(title)s", **p),
    "group_completed": lambda p: _("The group session %(title)s is confirmed: your share of hours has moved.",
                                   **p),
    "exchange_settled": lambda p: (_(
        "%(title)s is settled by a coordinator, as the participation of %(suspended_partner)s is suspended: "
        "%(amount)s moved. If it is not right, raise a disagreement.", **p) if p.get("suspended_partner") else _(
        "%(title)s is settled by a coordinator, as a membership is suspended: %(amount)s moved. If it is not right, "
        "raise a disagreement.", **p)),
    "group_cancelled": lambda p: _("The group session %(title)s is cancelled: your hours are released.", **p),
    "group_cancelled_organiser_suspended": lambda p: _(
        "The group session %(title)s is cancelled: its organiser can no longer lead it. Your hours are "
        "released.", **p),
    "suspended": lambda p: _("Your membership is suspended. You can still read your statement."),
    "reactivated": lambda p: _("Your membership is active again. Welcome back!"),
    "exchange_brokered": lambda p: _("%(name)s, coordinator, recorded %(amount)s for you: %(title)s. If it is "
                                     "not right, raise a disagreement.", **p),
    "direct_message": lambda p: _("%(name)s wrote to you.", **p),
    "exchange_message": lambda p: _("New message from %(name)s about %(title)s", **p),
    "exchange_disputed": lambda p: _("%(name)s raised a disagreement about %(title)s. A coordinator will help.",
                                     **p),
    "exchange_resolved": lambda p: _("A coordinator settled the disagreement about %(title)s: %(reason)s", **p),
    "exchange_resolved_partly": lambda p: _(
        "A coordinator settled the disagreement about %(title)s: %(reason)s. %(taken)s went back to "
        "%(recipient)s now: %(provider)s could not give back more for now.",
        **{**p, "taken": format_minutes(p.get("taken", 0))}),
    "exchange_resolved_covered": lambda p: _(
        "A coordinator settled the disagreement about %(title)s: %(reason)s. %(recipient)s got the hours back: "
        "%(taken)s from %(provider)s and %(covered)s from the community account.",
        **{**p, "taken": format_minutes(p.get("taken", 0)), "covered": format_minutes(p.get("covered", 0))}),
    "report_handled": lambda p: _("Thank you for your report: a coordinator has looked at it and dealt with it."),
    "verified": lambda p: (_("A coordinator verified you until %(until)s: you can offer services that need it.",
                             **p) if p.get("until") else
                           _("A coordinator verified you: you can offer services that need it.")),
    "verification_withdrawn": lambda p: _("Your verification is withdrawn: your offers that need it are hidden."),
    "verification_ends_soon": lambda p: _("Your verification ends on %(date)s. To keep it, see a coordinator "
                                          "before then.", **p),
    "verification_lapsed": lambda p: _("Your verification has ended: your offers that need it are hidden until "
                                       "a coordinator renews it."),
    "warning": lambda p: _("A coordinator sent you a warning. Please read it."),
    "helper_named": lambda p: _("%(name)s can now manage your account for you.", **p),
    "helper_of": lambda p: _("%(name)s named you as their trusted helper: you can manage their account for "
                             "them.", **p),
    "helper_removed": lambda p: _("You no longer manage the account of %(name)s.", **p),
    "exchange_acted_for": lambda p: _acted_for(p),
    "reward_booked": lambda p: _("%(name)s booked %(title)s: the hours are reserved until you mark it used.", **p),
    "reward_used": lambda p: _("%(name)s marked your booking used: %(title)s. The hours have moved.", **p),
    "reward_refused": lambda p: _("%(name)s could not take your booking: %(title)s. Your hours are released.",
                                  **p),
    "reward_released": lambda p: _("Your booking has ended without being used: %(title)s (%(name)s). Your hours "
                                   "are released.", **p),
    "dispute_version_asked": lambda p: _("%(name)s raised a disagreement about %(title)s. A coordinator asks for "
                                         "your version before deciding: please write it.", **p),
    "reward_withdrawn": lambda p: _("%(name)s withdrew %(title)s: your booking is cancelled and your hours are "
                                    "released.", **p),
    "project_hours_confirmed": lambda p: _("Your %(amount)s for the project %(title)s are confirmed: they are on "
                                           "your account.", **p),
    "project_hours_declined": lambda p: _("Your %(amount)s for the project %(title)s were not confirmed: "
                                          "%(reason)s", **p),
    "listing_hidden": lambda p: _("A coordinator hid your listing %(title)s: %(reason)s", **p),
    "message_hidden": lambda p: _("A coordinator hid a message you wrote: %(reason)s", **p),
}
NOTICE_KINDS = frozenset(_NOTICE_TEXTS)


def notification_text(kind: str, params: dict) -> str:
    p = _acting(dict(params))
    if "minutes" in p:
        p["amount"] = format_minutes(p.pop("minutes"))
    text = _NOTICE_TEXTS[kind](p) if kind in _NOTICE_TEXTS else _("You have a new notice.")
    if p.get("memo"):
        text = _("%(text)s For: %(memo)s", text=text, memo=p["memo"])
    return text


def _news_from(name: str) -> str:
    return _("%(name)s: news at the timebank.", name=name)


# What a phone notification says on a locked screen, for each kind of notice: who did what, never what the service
# is about. Every kind is named here, even those that say no more than "news" (a test holds every kind to it).
GLANCE_TEXTS = {
    "exchange_proposed": lambda name: _("%(name)s proposed an exchange.", name=name),
    "exchange_countered": lambda name: _("%(name)s suggested another time or length.", name=name),
    "exchange_accepted": lambda name: _("%(name)s agreed to an exchange.", name=name),
    "exchange_declined": lambda name: _("%(name)s declined an exchange.", name=name),
    "exchange_cancelled": lambda name: _("%(name)s cancelled an exchange.", name=name),
    "exchange_done": lambda name: _("%(name)s says a service is done: please confirm.", name=name),
    "exchange_confirmed": lambda name: _("%(name)s confirmed an exchange.", name=name),
    "exchange_message": lambda name: _("%(name)s sent you a message.", name=name),
    "hours_received": lambda name: _("%(name)s gave you hours.", name=name),
    "direct_message": lambda name: _("%(name)s sent you a message.", name=name),
    "group_joined": lambda name: _("%(name)s joined your group session.", name=name),
    "group_completed": lambda name: _("%(name)s confirmed a group session.", name=name),
    "group_cancelled": lambda name: _("%(name)s cancelled a group session.", name=name),
    **dict.fromkeys((
        "hours_given", "donation_given", "welcome_received", "grant_received", "correction", "match",
        "exchange_auto_confirmed", "exchange_auto_confirmed_extra", "exchange_reminder", "exchange_tomorrow",
        "exchange_settled", "exchange_brokered", "exchange_disputed", "exchange_resolved", "exchange_resolved_partly",
        "exchange_resolved_covered", "exchange_acted_for",
        "group_cancelled_organiser_suspended", "suspended", "reactivated", "report_handled",
        "verified", "verification_withdrawn", "verification_ends_soon", "verification_lapsed", "warning",
        "helper_named", "helper_of", "helper_removed", "reward_booked", "reward_used", "reward_refused",
        "reward_released", "dispute_version_asked", "listing_hidden", "message_hidden", "reward_withdrawn",
        "project_hours_confirmed",
        "project_hours_declined",
    ), _news_from),
}


def glance_text(kind: str, params: dict) -> str:
    """What a phone notification says on a locked screen: who did what, never what the service is about."""
    name = _acting(params).get("name") or ""
    if not name:
        return _("You have news at the timebank.")
    return GLANCE_TEXTS.get(kind, _news_from)(name)
