"""The settings an admin saved, kept in each process and read again only when they change.

The configuration file gives the defaults; a setting saved in the database wins over it.
``InstanceConfig`` makes every ``current_app.config[...]`` (and ``config.X`` in
templates) see the saved value. Each process keeps the settings it read; every
save also writes a new version token (the row ``_version``), and each request or
command reads only that one row, from its own connection (a failing read never
spoils the request's transaction), reading all the settings again when another
worker or host saved them.

Whatever writes the table must write a new token too: ``setting_store`` does for the
settings page, ``settings_version_bump`` for a migration (``timebank db upgrade`` or
``downgrade``, through ``migrations/env.py``) and for a restored backup. A row changed by
hand in the database without a new token is seen only once the workers restart.
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Config, current_app, g, has_app_context
from flask.globals import _cv_app

from timebank.admin.models import Setting
from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow

# Every key an admin may change, and the configuration key it overrides.
EDITABLE = (
    "TIMEBANK_NAME", "TIMEBANK_DESCRIPTION", "TIMEBANK_CONTACT", "TIMEBANK_OPENING_HOURS", "TIMEBANK_LOGO",
    "BABEL_DEFAULT_LOCALE", "LANGUAGES", "TIMEBANK_REGISTRATION_MODE", "TIMEBANK_CHARTER",
    "TIMEBANK_CHARTER_CHANGED_AT", "TIMEBANK_AREAS", "TIMEBANK_LEDGER_FLOOR", "TIMEBANK_LEDGER_CEILING",
    "TIMEBANK_WELCOME_MINUTES", "TIMEBANK_LEDGER_STEP", "TIMEBANK_LEDGER_MAX_TRANSFER",
    "TIMEBANK_AUTO_CONFIRM_DAYS", "TIMEBANK_DISPUTE_WINDOW_DAYS", "TIMEBANK_EMAIL_DEFAULTS",
    "TIMEBANK_PLAN_AHEAD_MONTHS", "TIMEBANK_WELCOME_MEETING", "TIMEBANK_SESSION_DAYS", "TIMEBANK_WELCOME_MESSAGE",
    "TIMEBANK_EMAIL_SIGNATURE",
    "TIMEBANK_PHONE", "TIMEBANK_ADDRESS", "TIMEBANK_WELCOME_PLACE",
    "TIMEBANK_SUPERVISORY_AUTHORITY", "TIMEBANK_EXPORT_NOTES", "TIMEBANK_ERASURE_GRACE_DAYS",
    "TIMEBANK_ERASURE_BALANCE", "TIMEBANK_RETENTION_DECLINED_MONTHS", "TIMEBANK_RETENTION_INACTIVE_YEARS",
    "TIMEBANK_RETENTION_SIGN_IN_MONTHS", "TIMEBANK_RETENTION_OUTBOX_MONTHS",
)
_EDITABLE = frozenset(EDITABLE)
_CACHE = "_timebank_settings"
_PROCESS = "timebank.saved_settings"  # this process's copy: {"version": token, "values": {...}}
VERSION_KEY = "_version"  # a new token at every save: another worker then knows its copy is old


def saved_settings() -> dict:
    """The saved settings, checked once per application context (request or command) against their version.

    Read straight from the application context (not through ``g``'s proxy): a page asks it forty times, once for
    each setting it reads from ``config``."""
    context = _cv_app.get(None)
    if context is None:
        return {}
    cached = context.g.__dict__.get(_CACHE)
    if cached is None:
        cached = _read_saved()
        setattr(context.g, _CACHE, cached)
    return cached


def _read_saved() -> dict:
    kept = current_app.extensions.setdefault(_PROCESS, {})
    try:
        version = _version_now()
        if "values" in kept and kept["version"] == version:
            return kept["values"]
        with db.engine.connect() as connection:
            version = _version_now()  # the values then read are at least as new as this token
            values = dict(connection.execute(sa.select(Setting.key, Setting.value)).all())
    except (sa.exc.DBAPIError, db.engine.dialect.loaded_dbapi.Error):  # no table yet: before the first `db upgrade`
        return {}
    values.pop(VERSION_KEY, None)
    kept.update(version=version, values=values)
    return values


def _version_now() -> str | None:
    """The version token as stored, on a bare connection of the pool: a request pays a few tens of microseconds
    for it (no transaction of the ORM's, no statement to build)."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(f"SELECT value FROM setting WHERE key = '{VERSION_KEY}'")
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    return None if row is None else str(row[0])


_KEPT = "timebank.kept"  # this process's copies of what changes only with a new version: {name: (version, value)}


def kept_while_unchanged(name: str, load):
    """``load()``, kept in this process until another version token is read (at the start of a request).

    For what admins rarely change and every page reads (the categories): whatever changes it writes a new token
    in the same transaction (``settings_version_bump(..., always=True)``), so every worker loads it again.
    """
    saved_settings()  # the token, read once a request
    version = current_app.extensions.get(_PROCESS, {}).get("version")
    kept = current_app.extensions.setdefault(_KEPT, {})
    entry = kept.get(name)
    if entry is None or entry[0] != version:
        entry = kept[name] = (version, load())
    return entry[1]


def settings_version() -> str:
    """The version token this request read: a part of the key of what is kept rendered from the settings or the
    categories (the listings' heading and search form)."""
    saved_settings()
    return str(current_app.extensions.get(_PROCESS, {}).get("version"))


def kept_forget_all() -> None:
    """After a commit that wrote a new version token: this process forgets all it kept and reads the token again
    (the other workers do when their next request reads it)."""
    current_app.extensions.get(_KEPT, {}).clear()
    forget_saved_settings()


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


def setting_store(key: str, value, actor: Member) -> None:
    """Save one setting (in the caller's transaction), with a new version: every worker reads the settings again."""
    _put(key, value, actor)
    _put(VERSION_KEY, uuid.uuid4().hex, actor)


def _put(key: str, value, actor: Member) -> None:
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value, updated_at=utcnow(), updated_by_id=actor.id))
    else:
        row.value, row.updated_at, row.updated_by_id = value, utcnow(), actor.id


def settings_version_bump(connection: sa.Connection, *, always: bool = False) -> None:
    """Write a new version token on ``connection``: every worker reads the settings again.

    For what writes the database below the settings page: a migration, a restored backup. An empty table needs
    none: no worker holds a setting (had it held one, the missing row already tells it its copy is old). What
    ``kept_while_unchanged`` keeps needs one ``always`` (the categories).
    """
    table, token = Setting.__table__, uuid.uuid4().hex
    if not always and connection.execute(sa.select(table.c.key).limit(1)).first() is None:
        return
    changed = connection.execute(sa.update(table).where(table.c.key == VERSION_KEY)
                                 .values(value=token, updated_at=utcnow(), updated_by_id=None))
    if not changed.rowcount:
        connection.execute(sa.insert(table).values(key=VERSION_KEY, value=token, updated_at=utcnow()))
