"""The instance's settings an admin changes in the web page: stored in the database, effective at once.

The configuration file gives the defaults; a setting saved here wins over it.
``InstanceConfig`` makes every ``current_app.config[...]`` (and ``config.X`` in
templates) see the saved value. Each process keeps the settings it read; every
save also writes a new version token (the row ``_version``), and each request or
command reads only that one row, from its own connection (a failing read never
spoils the request's transaction), reading all the settings again when another
worker or host saved them.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Config, current_app, g, has_app_context
from flask_babel import lazy_gettext as _l

from timebank.admin.models import Setting
from timebank.audit import audit
from timebank.database import atomic
from timebank.errors import DomainError, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow

LOCALES = ("fr", "en", "ar")
REGISTRATION_MODES = ("approval", "open", "invitation")
EMAIL_MODES = ("now", "digest", "never")
LEDGER_STEPS = (1, 5, 10, 15, 30, 60)
PLAN_AHEAD_MOST = 24  # months: beyond two years, hours held for an exchange are hours taken out of the timebank

# Every key an admin may change, and the configuration key it overrides.
EDITABLE = (
    "TIMEBANK_NAME", "TIMEBANK_DESCRIPTION", "TIMEBANK_CONTACT", "TIMEBANK_OPENING_HOURS", "TIMEBANK_LOGO",
    "BABEL_DEFAULT_LOCALE", "LANGUAGES", "TIMEBANK_REGISTRATION_MODE", "TIMEBANK_CHARTER",
    "TIMEBANK_CHARTER_CHANGED_AT", "TIMEBANK_AREAS", "TIMEBANK_LEDGER_FLOOR", "TIMEBANK_LEDGER_CEILING",
    "TIMEBANK_WELCOME_MINUTES", "TIMEBANK_LEDGER_STEP", "TIMEBANK_LEDGER_MAX_TRANSFER",
    "TIMEBANK_AUTO_CONFIRM_DAYS", "TIMEBANK_DISPUTE_WINDOW_DAYS", "TIMEBANK_EMAIL_DEFAULTS",
    "TIMEBANK_PLAN_AHEAD_MONTHS", "TIMEBANK_WELCOME_MEETING", "TIMEBANK_SESSION_DAYS",
)
_EDITABLE = frozenset(EDITABLE)
_CACHE = "_timebank_settings"
_PROCESS = "timebank.saved_settings"  # this process's copy: {"version": token, "values": {...}}
VERSION_KEY = "_version"  # a new token at every save: another worker then knows its copy is old


def saved_settings() -> dict:
    """The saved settings, checked once per application context (request or command) against their version."""
    if not has_app_context():
        return {}
    cached = g.get(_CACHE)
    if cached is None:
        cached = _read_saved()
        setattr(g, _CACHE, cached)
    return cached


def _read_saved() -> dict:
    kept = current_app.extensions.setdefault(_PROCESS, {})
    try:
        with db.engine.connect() as connection:
            version = connection.execute(sa.select(Setting.value).where(Setting.key == VERSION_KEY)).scalar()
            if "values" in kept and kept["version"] == version:
                return kept["values"]
            values = dict(connection.execute(sa.select(Setting.key, Setting.value)).all())
    except sa.exc.DBAPIError:  # no table yet: before the first `db upgrade`
        return {}
    values.pop(VERSION_KEY, None)
    kept.update(version=version, values=values)
    return values


def _read_at_push(sender, **extra) -> None:
    saved_settings()


def register_settings(app) -> None:
    """Read the saved settings as each request or command starts, before any transaction of its own."""
    from flask import appcontext_pushed

    appcontext_pushed.connect(_read_at_push, app, weak=False)


def forget_saved_settings() -> None:
    if has_app_context():
        g.pop(_CACHE, None)


class InstanceConfig(Config):
    """Flask's configuration, where a setting saved by an admin wins over the file."""

    def __getitem__(self, key):
        if key in _EDITABLE:
            saved = saved_settings()
            if key in saved:
                return saved[key]
        return super().__getitem__(key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


@dataclass(frozen=True)
class Settings:
    """Every editable value, as the settings form shows and saves it (limits in minutes)."""

    name: str
    description: str
    contact: str
    opening_hours: str
    default_locale: str
    languages: tuple[str, ...]
    registration_mode: str
    charter: str
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
    welcome_meeting: str = ""
    session_days: int = 90


_FIELDS = {
    "name": "TIMEBANK_NAME", "description": "TIMEBANK_DESCRIPTION", "contact": "TIMEBANK_CONTACT",
    "opening_hours": "TIMEBANK_OPENING_HOURS", "default_locale": "BABEL_DEFAULT_LOCALE", "languages": "LANGUAGES",
    "registration_mode": "TIMEBANK_REGISTRATION_MODE", "charter": "TIMEBANK_CHARTER", "areas": "TIMEBANK_AREAS",
    "floor": "TIMEBANK_LEDGER_FLOOR", "ceiling": "TIMEBANK_LEDGER_CEILING", "welcome": "TIMEBANK_WELCOME_MINUTES",
    "step": "TIMEBANK_LEDGER_STEP", "max_transfer": "TIMEBANK_LEDGER_MAX_TRANSFER",
    "auto_confirm_days": "TIMEBANK_AUTO_CONFIRM_DAYS", "dispute_window_days": "TIMEBANK_DISPUTE_WINDOW_DAYS",
    "email_defaults": "TIMEBANK_EMAIL_DEFAULTS", "plan_ahead_months": "TIMEBANK_PLAN_AHEAD_MONTHS",
    "welcome_meeting": "TIMEBANK_WELCOME_MEETING", "session_days": "TIMEBANK_SESSION_DAYS",
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
    if not new.charter.strip():
        fail("charter", _l("Please write the charter: new members accept it when they join."))
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
    if len(new.welcome_meeting) > 500:
        fail("welcome_meeting", _l("Please describe the welcome meetings in at most 500 characters."))
    if set(new.email_defaults) - {"exchanges", "messages", "hours", "matches"} \
            or any(mode not in EMAIL_MODES for mode in new.email_defaults.values()):
        fail("email_defaults", _l("Please choose how e-mail is sent for each topic."))


def _store(key: str, value, actor: Member) -> None:
    _put(key, value, actor)
    _put(VERSION_KEY, uuid.uuid4().hex, actor)  # every worker reads the settings again


def _put(key: str, value, actor: Member) -> None:
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value, updated_at=utcnow(), updated_by_id=actor.id))
    else:
        row.value, row.updated_at, row.updated_by_id = value, utcnow(), actor.id


@dataclass(frozen=True)
class KeptLimits:
    """An account that kept its limits when new default limits were applied, and why."""

    name: str
    floor: int | None
    ceiling: int | None
    balance: int
    reserved_to_pay: int
    reserved_to_receive: int
    why: str  # "below_floor", "above_ceiling" or "set_by_coordinator"

    @property
    def message(self) -> str:
        from timebank.i18n import format_minutes

        limits = _l("%(floor)s to %(ceiling)s", floor=format_minutes(self.floor or 0),
                    ceiling=format_minutes(self.ceiling or 0))
        if self.why == "below_floor":
            if self.reserved_to_pay:
                return str(_l("%(name)s kept %(limits)s: the balance %(balance)s, with %(reserved)s reserved to "
                              "pay, is below the new lowest balance.", name=self.name, limits=limits,
                              balance=format_minutes(self.balance), reserved=format_minutes(self.reserved_to_pay)))
            return str(_l("%(name)s kept %(limits)s: the balance %(balance)s is below the new lowest balance.",
                          name=self.name, limits=limits, balance=format_minutes(self.balance)))
        if self.why == "above_ceiling":
            if self.reserved_to_receive:
                return str(_l("%(name)s kept %(limits)s: the balance %(balance)s, with %(reserved)s reserved to "
                              "receive, is above the new highest balance.", name=self.name, limits=limits,
                              balance=format_minutes(self.balance),
                              reserved=format_minutes(self.reserved_to_receive)))
            return str(_l("%(name)s kept %(limits)s: the balance %(balance)s is above the new highest balance.",
                          name=self.name, limits=limits, balance=format_minutes(self.balance)))
        return str(_l("%(name)s kept %(limits)s: a coordinator set these limits for this member.",
                      name=self.name, limits=limits))


@dataclass(frozen=True)
class LimitsApplied:
    changed: int
    kept: list[KeptLimits]


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
        old = settings_current()
        changed = [name for name in _FIELDS if getattr(old, name) != getattr(new, name)]
        for name in changed:
            value = getattr(new, name)
            _store(_FIELDS[name], list(value) if isinstance(value, tuple) else value, actor)
        if "charter" in changed:
            _store("TIMEBANK_CHARTER_CHANGED_AT", utcnow().isoformat(), actor)
        applied = None
        if apply_limits and {"floor", "ceiling"} & set(changed):
            applied = _apply_default_limits(old, new, actor)
        if changed:
            audit(actor=actor, action="settings_changed", target="settings", changed=changed,
                  old={name: _plain(getattr(old, name)) for name in changed if name != "charter"},
                  new={name: _plain(getattr(new, name)) for name in changed if name != "charter"},
                  accounts_updated=applied.changed if applied else 0,
                  accounts_kept=[kept.message for kept in applied.kept] if applied else [])
        return SettingsSaved(changed, applied)

    saved = atomic(work)
    forget_saved_settings()
    return saved


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def _apply_default_limits(old: Settings, new: Settings, actor: Member) -> LimitsApplied:
    """Give the new default limits to accounts that follow the defaults and whose balance fits them; name the rest."""
    from timebank.ledger.models import Account, AccountKind, AccountLimitChange

    accounts = db.session.execute(
        sa.select(Account, Member.display_name).join(Member, Account.member_id == Member.id)
        .where(Account.kind == AccountKind.MEMBER).order_by(Account.id)
        .with_for_update(of=Account).execution_options(populate_existing=True)).all()
    changed, kept = 0, []
    for account, name in accounts:
        if account.floor == new.floor and account.ceiling == new.ceiling:
            continue
        why = None
        if account.limits_overridden:
            why = "set_by_coordinator"
        elif account.posted - account.pending_debits < new.floor:
            why = "below_floor"
        elif account.posted + account.pending_credits > new.ceiling:
            why = "above_ceiling"
        if why is not None:
            kept.append(KeptLimits(name=name, floor=account.floor, ceiling=account.ceiling, balance=account.posted,
                                   reserved_to_pay=account.pending_debits,
                                   reserved_to_receive=account.pending_credits, why=why))
            continue
        db.session.add(AccountLimitChange(account_id=account.id, old_floor=account.floor,
                                          old_ceiling=account.ceiling, floor=new.floor, ceiling=new.ceiling,
                                          reason=str(_l("New default limits of the timebank")), actor_id=actor.id,
                                          created_at=utcnow()))
        account.floor, account.ceiling = new.floor, new.ceiling
        changed += 1
    return LimitsApplied(changed, kept)


def logo_save(*, actor: Member, data: bytes) -> str:
    """Check that ``data`` is really a PNG or JPEG image, re-encode it (which drops anything hidden in it) and
    make it the logo. Returns the stored file name."""
    import hashlib
    import io
    import os

    from PIL import Image, UnidentifiedImageError

    if not (actor.is_admin and actor.is_active_member):
        raise NotAllowed(_l("Only admins can change the settings."))
    if len(data) > LOGO_MAX_BYTES:
        raise DomainError(_l("The logo is too large: at most 1 MB."), field="logo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise DomainError(_l("The logo must be a PNG or JPEG image."), field="logo")
            # The header gives the size: refuse a huge picture before decoding a single pixel of it.
            if image.width * image.height > LOGO_MAX_PIXELS:
                raise DomainError(_l("The logo is too large: at most %(side)s × %(side)s pixels.",
                                     side=LOGO_MAX_SIDE), field="logo")
            if image.format == "JPEG":
                image.draft("RGB", (1024, 1024))  # decode a JPEG at a reduced scale: a logo needs no more
            image.load()
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise DomainError(_l("The logo must be a PNG or JPEG image."), field="logo") from None
    clean.thumbnail((512, 512))
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    body = out.getvalue()
    name = f"logo-{hashlib.sha256(body).hexdigest()[:16]}.png"
    folder = current_app.config["TIMEBANK_UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as file:
        file.write(body)

    def work():
        old = current_app.config["TIMEBANK_LOGO"]
        _store("TIMEBANK_LOGO", name, actor)
        audit(actor=actor, action="settings_changed", target="settings", changed=["logo"], old={"logo": old},
              new={"logo": name})
        return name

    stored = atomic(work)
    forget_saved_settings()
    return stored


LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4096
LOGO_MAX_PIXELS = LOGO_MAX_SIDE * LOGO_MAX_SIDE  # 16 Mpx: a 64 MB picture once decoded, not 360 MB
