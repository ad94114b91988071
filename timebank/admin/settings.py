"""The instance's settings an admin changes in the web page: checked, saved in the database, effective at once.

How each process keeps them and learns of a change: ``admin.settings_store``. New default limits given to the
accounts: ``admin.settings_limits``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import lazy_gettext as _l

from timebank.admin.settings_limits import LimitsApplied, default_limits_apply
from timebank.admin.settings_store import forget_saved_settings, setting_store
from timebank.audit import audit
from timebank.config import Defaults
from timebank.database import atomic
from timebank.errors import DomainError, NotAllowed
from timebank.i18n import LOCAL_TEXTS, LOCALES, texts_by_language
from timebank.members.models import Member
from timebank.phones import phone_normalise, phone_problem
from timebank.timeutil import utcnow

REGISTRATION_MODES = ("approval", "open", "invitation")
EMAIL_MODES = ("now", "digest", "never", "sms")
LEDGER_STEPS = (1, 5, 10, 15, 30, 60)
PLAN_AHEAD_MOST = 24  # months: beyond two years, hours held for an exchange are hours taken out of the timebank

# The longest text of each kind, in each language.
TEXT_MAX = {"charter": 5000, "description": 300, "opening_hours": 500, "welcome_meeting": 500,
            "welcome_message": 1000, "email_signature": 300}


@dataclass(frozen=True)
class Settings:
    """Every editable value, as the settings form shows and saves it (limits in minutes).

    The association's texts (charter, description, opening hours, welcome meeting and message, e-mail signature)
    are one text per language code: ``{"fr": "…", "ar": "…"}``, without empty ones."""

    name: str
    description: dict
    contact: str
    opening_hours: dict
    default_locale: str
    languages: tuple[str, ...]
    registration_mode: str
    charter: dict
    areas: tuple[str, ...]
    floor: int
    ceiling: int
    welcome: int
    step: int
    max_transfer: int
    auto_confirm_days: int
    dispute_window_days: int
    email_defaults: dict
    plan_ahead_months: int = 6
    welcome_meeting: dict = None
    session_days: int = 90
    phone: str = ""  # E.164 once saved
    address: str = ""
    welcome_place: str = ""
    supervisory_authority: str = Defaults.TIMEBANK_SUPERVISORY_AUTHORITY
    export_notes: bool = False
    erasure_grace_days: int = 30
    erasure_balance: str = "keep"
    retention_declined_months: int = 6
    retention_inactive_years: int = 3
    retention_sign_in_months: int = 12
    retention_outbox_months: int = 3
    welcome_message: dict = None
    email_signature: dict = None

    def __post_init__(self):
        for name in LOCAL_TEXTS:  # a text given alone (older callers, tests) is the default language's
            object.__setattr__(self, name, texts_by_language(getattr(self, name), self.default_locale))


_FIELDS = {
    "name": "TIMEBANK_NAME", "description": "TIMEBANK_DESCRIPTION", "contact": "TIMEBANK_CONTACT",
    "opening_hours": "TIMEBANK_OPENING_HOURS", "default_locale": "BABEL_DEFAULT_LOCALE", "languages": "LANGUAGES",
    "registration_mode": "TIMEBANK_REGISTRATION_MODE", "charter": "TIMEBANK_CHARTER", "areas": "TIMEBANK_AREAS",
    "floor": "TIMEBANK_LEDGER_FLOOR", "ceiling": "TIMEBANK_LEDGER_CEILING", "welcome": "TIMEBANK_WELCOME_MINUTES",
    "step": "TIMEBANK_LEDGER_STEP", "max_transfer": "TIMEBANK_LEDGER_MAX_TRANSFER",
    "auto_confirm_days": "TIMEBANK_AUTO_CONFIRM_DAYS", "dispute_window_days": "TIMEBANK_DISPUTE_WINDOW_DAYS",
    "email_defaults": "TIMEBANK_EMAIL_DEFAULTS", "plan_ahead_months": "TIMEBANK_PLAN_AHEAD_MONTHS",
    "welcome_meeting": "TIMEBANK_WELCOME_MEETING", "session_days": "TIMEBANK_SESSION_DAYS",
    "phone": "TIMEBANK_PHONE", "address": "TIMEBANK_ADDRESS", "welcome_place": "TIMEBANK_WELCOME_PLACE",
    "supervisory_authority": "TIMEBANK_SUPERVISORY_AUTHORITY", "export_notes": "TIMEBANK_EXPORT_NOTES",
    "erasure_grace_days": "TIMEBANK_ERASURE_GRACE_DAYS", "erasure_balance": "TIMEBANK_ERASURE_BALANCE",
    "retention_declined_months": "TIMEBANK_RETENTION_DECLINED_MONTHS",
    "retention_inactive_years": "TIMEBANK_RETENTION_INACTIVE_YEARS",
    "retention_sign_in_months": "TIMEBANK_RETENTION_SIGN_IN_MONTHS",
    "retention_outbox_months": "TIMEBANK_RETENTION_OUTBOX_MONTHS",
    "welcome_message": "TIMEBANK_WELCOME_MESSAGE", "email_signature": "TIMEBANK_EMAIL_SIGNATURE",
}


def settings_current() -> Settings:
    config = current_app.config
    values = {name: config[key] for name, key in _FIELDS.items()}
    values["languages"], values["areas"] = tuple(values["languages"]), tuple(values["areas"])
    values["email_defaults"] = dict(values["email_defaults"])
    return Settings(**values)


def _check(new: Settings) -> None:
    """Refuse a setting that would break the instance, naming the field."""
    def fail(field, message):
        raise DomainError(message, field=field)

    if not new.name.strip() or len(new.name) > 80:
        fail("name", _l("Please give the timebank a name (at most 80 characters)."))
    if not new.contact.strip():
        fail("contact", _l("Please give an address where residents can reach the association."))
    if not new.languages or any(code not in LOCALES for code in new.languages):
        fail("languages", _l("Please keep at least one language of the website."))
    if new.default_locale not in new.languages:
        fail("default_locale", _l("The default language must be one of the languages of the website."))
    if new.registration_mode not in REGISTRATION_MODES:
        fail("registration_mode", _l("Please choose how residents join."))
    for name, most in TEXT_MAX.items():
        texts = getattr(new, name)
        for code, text in texts.items():
            if code not in LOCALES:
                fail(name, _l("Please write the texts only in the languages of the website."))
            if len(text) > most:
                fail(f"{name}_{code}", _l("Please write at most %(num)s characters.", num=most))
    if not new.charter.get(new.default_locale):
        fail(f"charter_{new.default_locale}",
             _l("Please write the charter in the default language: new members accept it when they join."))
    if not new.areas or len(new.areas) > 100 or any(not a.strip() or len(a) > 80 for a in new.areas) \
            or len({a.casefold() for a in new.areas}) != len(new.areas):
        fail("areas", _l("Please give between 1 and 100 areas, one per line, each different."))
    if new.step not in LEDGER_STEPS:
        fail("step", _l("Please choose one of the proposed steps."))
    for field, value in (("floor", new.floor), ("ceiling", new.ceiling), ("welcome", new.welcome),
                         ("max_transfer", new.max_transfer)):
        if value % new.step:
            fail(field, _l("Please give whole steps of %(step)s minutes.", step=new.step))
    if not -1000 * 60 <= new.floor <= 0:
        fail("floor", _l("The lower limit must be between −1000 hours and 0."))
    if not 0 < new.ceiling <= 1000 * 60:
        fail("ceiling", _l("The upper limit must be between 0 and 1000 hours."))
    if new.floor >= new.ceiling:
        fail("floor", _l("The lower limit must be below the upper limit."))
    if not 0 <= new.welcome <= new.ceiling:
        fail("welcome", _l("Welcome hours must be between 0 and the upper limit."))
    if not new.step <= new.max_transfer <= 7 * 24 * 60:
        fail("max_transfer", _l("The largest transfer must be between one step and 168 hours."))
    if not 1 <= new.auto_confirm_days <= 60:
        fail("auto_confirm_days", _l("Automatic confirmation must come after 1 to 60 days."))
    if not isinstance(new.plan_ahead_months, int) or not 1 <= new.plan_ahead_months <= PLAN_AHEAD_MOST:
        fail("plan_ahead_months", _l("Exchanges may be planned 1 to %(most)s months ahead.", most=PLAN_AHEAD_MOST))
    if not 1 <= new.dispute_window_days <= 365:
        fail("dispute_window_days", _l("The time to raise a disagreement must be 1 to 365 days."))
    if not 1 <= new.session_days <= 400:
        fail("session_days", _l("Members may stay signed in from 1 to 400 days."))
    if new.phone and (problem := phone_problem(new.phone)) is not None:
        fail("phone", problem)
    if len(new.address) > 300:
        fail("address", _l("Please give the address in at most 300 characters."))
    if len(new.welcome_place) > 300:
        fail("welcome_place", _l("Please say where the welcome meetings happen in at most 300 characters."))
    _check_privacy(new, fail)
    if set(new.email_defaults) - {"exchanges", "messages", "hours", "reminders", "matches"} \
            or any(mode not in EMAIL_MODES for mode in new.email_defaults.values()):
        fail("email_defaults", _l("Please choose how e-mail is sent for each topic."))


ERASURE_BALANCES = ("keep", "community")


def _check_privacy(new: Settings, fail) -> None:
    if not new.supervisory_authority.strip() or len(new.supervisory_authority) > 500:
        fail("supervisory_authority", _l("Please name the authority residents can complain to (at most 500 "
                                         "characters)."))
    if new.erasure_balance not in ERASURE_BALANCES:
        fail("erasure_balance", _l("Please choose what happens to the hours of an erased member."))
    for field, value, most in (("erasure_grace_days", new.erasure_grace_days, 90),
                               ("retention_declined_months", new.retention_declined_months, 60),
                               ("retention_inactive_years", new.retention_inactive_years, 10),
                               ("retention_sign_in_months", new.retention_sign_in_months, 60),
                               ("retention_outbox_months", new.retention_outbox_months, 60)):
        if not isinstance(value, int) or not 1 <= value <= most:
            fail(field, _l("Please give a number between 1 and %(most)s.", most=most))




@dataclass(frozen=True)
class SettingsSaved:
    changed: list[str]  # the names of the fields that changed
    limits: LimitsApplied | None  # when new default limits were also given to existing accounts


def settings_save(*, actor: Member, new: Settings, apply_limits: bool = False) -> SettingsSaved:
    """Save what changed, in the audit log with the old and new values.

    When the charter changes, members accept it again. With ``apply_limits``, new
    default limits also go to the accounts that still have the old defaults (not
    those a coordinator set by hand), when their balance allows it; the result
    names every account that kept its limits, and why.
    """
    def work():
        if not (actor.is_admin and actor.is_active_member):
            raise NotAllowed(_l("Only admins can change the settings."))
        _check(new)
        kept = replace(new, phone=phone_normalise(new.phone) or "")  # in E.164, shown in the reader's way
        old = settings_current()
        changed = [name for name in _FIELDS if getattr(old, name) != getattr(kept, name)]
        for name in changed:
            value = getattr(kept, name)
            setting_store(_FIELDS[name], list(value) if isinstance(value, tuple) else value, actor)
        if "charter" in changed:
            setting_store("TIMEBANK_CHARTER_CHANGED_AT", utcnow().isoformat(), actor)
        applied = None
        if apply_limits and {"floor", "ceiling"} & set(changed):
            applied = default_limits_apply(floor=new.floor, ceiling=new.ceiling, actor=actor)
        if changed:
            audit(actor=actor, action="settings_changed", target="settings", changed=changed,
                  old={name: _plain(getattr(old, name)) for name in changed if name != "charter"},
                  new={name: _plain(getattr(kept, name)) for name in changed if name != "charter"},
                  accounts_updated=applied.changed if applied else 0,
                  accounts_kept=[kept.message for kept in applied.kept] if applied else [])
        return SettingsSaved(changed, applied)

    saved = atomic(work)
    forget_saved_settings()
    return saved


def _plain(value):
    return list(value) if isinstance(value, tuple) else value



def logo_save(*, actor: Member, data: bytes) -> str:
    """Check that ``data`` is really a PNG or JPEG image, re-encode it (which drops anything hidden in it) and
    make it the logo. Returns the stored file name."""
    from timebank.images import logo_store

    if not (actor.is_admin and actor.is_active_member):
        raise NotAllowed(_l("Only admins can change the settings."))
    name = logo_store(data)

    def work():
        old = current_app.config["TIMEBANK_LOGO"]
        setting_store("TIMEBANK_LOGO", name, actor)
        audit(actor=actor, action="settings_changed", target="settings", changed=["logo"], old={"logo": old},
              new={"logo": name})
        return name

    stored = atomic(work)
    forget_saved_settings()
    return stored

