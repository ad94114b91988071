"""Configuration: defaults, then ``instance/config.py``, then the environment.

Every setting can be overridden from the environment with a ``TIMEBANK_`` prefix
(``TIMEBANK_REGISTRATION_MODE=open``); ``DATABASE_URL``, ``SECRET_KEY`` and
``RATELIMIT_STORAGE_URI`` are read without the prefix too, as hosting platforms and
the deploy instructions set them.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from flask import Flask


class Defaults:
    # Identity of the instance.
    TIMEBANK_NAME = "Timebank"
    TIMEBANK_DESCRIPTION: dict | str = {}  # per language, like the charter below
    TIMEBANK_CONTACT = "contact@example.org"
    TIMEBANK_OPENING_HOURS: dict | str = {}
    # Per language: when and where applicants meet a coordinator, shown while they wait.
    TIMEBANK_WELCOME_MEETING: dict | str = {}
    TIMEBANK_PHONE = ""  # the association's phone, on the welcome sheet and for applicants who asked to be called
    TIMEBANK_ADDRESS = ""  # the association's street address, where residents without internet come
    TIMEBANK_WELCOME_PLACE = ""  # where the welcome meeting happens (the room, the address)
    # Region of phone numbers typed without a country code (ISO 3166 code); numbers are kept in E.164.
    TIMEBANK_PHONE_REGION = "FR"
    TIMEBANK_LOGO = ""  # a file in the upload folder, set from the settings page
    TIMEBANK_UPLOAD_FOLDER: str | None = None  # None: instance/uploads (the logo; kept by backups)

    # Database: None means a SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000

    # Membership.
    TIMEBANK_REGISTRATION_MODE = "approval"  # "approval", "open" or "invitation"
    TIMEBANK_CHARTER_CHANGED_AT = ""  # ISO time of the last change made from the settings page
    TIMEBANK_PASSWORD_MIN_LENGTH = 10
    TIMEBANK_AREAS = [
        "Centre",
        "Les Tilleuls",
        "La Source",
        "Le Port",
        "Les Hauts",
        "Gare",
    ]
    # Languages a member can say they speak (codes; names come from Babel).
    TIMEBANK_SPOKEN_LANGUAGES = [
        "fr", "ar", "en", "es", "pt", "tr", "wo", "kab", "zgh", "ro", "it", "de",
        "ru", "uk", "zh", "vi", "ta", "bn", "ur", "fa", "ps", "so", "ti", "am",
        "bm", "ff", "ln", "sw", "pl", "sq", "hy", "ka", "ku",
    ]
    # The association's texts, one per language (a single text, as older instances saved it, reads as the default
    # language's). A page shows the reader's language, else the default language.
    TIMEBANK_CHARTER = {
        "fr": "Nous nous traitons avec respect. Une heure de n'importe quel service vaut une heure. Nous tenons nos "
              "rendez-vous ou prévenons à l'avance. Nous gardons pour nous ce que nous apprenons de la vie des autres.",
        "en": "We treat each other with respect. One hour of any service is worth one hour. We keep our appointments "
              "or warn in advance. We keep private what we learn about each other's lives.",
        "ar": "نتعامل مع بعضنا باحترام. ساعة من أي خدمة تساوي ساعة. نحترم مواعيدنا أو ننبّه مسبقًا. نحفظ سرّ ما "
              "نعرفه عن حياة بعضنا.",
        "tr": "Birbirimize saygıyla davranırız. Her hizmetin bir saati bir saate eşittir. Randevularımıza uyarız ya da "
              "önceden haber veririz. Birbirimizin hayatı hakkında öğrendiklerimizi kendimize saklarız.",
        "pt": "Tratamo-nos com respeito. Uma hora de qualquer serviço vale uma hora. Cumprimos os nossos compromissos "
              "ou avisamos com antecedência. Guardamos para nós o que sabemos da vida dos outros.",
    }
    TIMEBANK_WELCOME_MESSAGE: dict | str = {}  # said to each new member (approval e-mail, welcome sheet)
    TIMEBANK_EMAIL_SIGNATURE: dict | str = {}  # at the foot of every e-mail
    PASSWORD_RESET_MAX_AGE = 2 * 60 * 60  # seconds

    # Ledger rules (minutes). Floors and ceilings are copied onto each member's
    # account when it opens; a coordinator may override them per member.
    TIMEBANK_LEDGER_FLOOR = -10 * 60
    TIMEBANK_LEDGER_CEILING = 40 * 60
    TIMEBANK_LEDGER_STEP = 15
    TIMEBANK_LEDGER_MAX_TRANSFER = 24 * 60
    TIMEBANK_WELCOME_MINUTES = 0  # welcome hours given when a member is approved (0: none)
    TIMEBANK_STATEMENT_PAGE_SIZE = 20

    # How each new member is told about each topic until she chooses: "now" (an e-mail at once), "digest" (one
    # e-mail a day), "never" (in the app only), "sms" (a text message) or "push" (a phone notification). A member
    # without e-mail who has a phone number gets a text instead of an e-mail.
    TIMEBANK_EMAIL_DEFAULTS = {"exchanges": "now", "messages": "now", "hours": "now", "reminders": "now",
                               "matches": "now"}

    # Text messages (SMS). "log": written to the log; "http": a JSON POST {"to": "+336…", "text": "…"} to
    # TIMEBANK_SMS_URL with the header TIMEBANK_SMS_TOKEN_HEADER: TIMEBANK_SMS_TOKEN (e.g. "Bearer abc…").
    TIMEBANK_SMS_BACKEND = "log"
    TIMEBANK_SMS_URL = ""
    TIMEBANK_SMS_TOKEN_HEADER = "Authorization"
    TIMEBANK_SMS_TOKEN = ""
    TIMEBANK_SMS_TIMEOUT = 10  # seconds
    # At most this many texts a day for one member, and for the whole instance (beyond: not queued, counted).
    TIMEBANK_SMS_DAILY_PER_MEMBER = 10
    TIMEBANK_SMS_DAILY_TOTAL = 200
    # The gateway's incoming texts (STOP) are posted to /sms/inbound?token=… (or the X-Timebank-Token header);
    # empty: the address answers 404.
    TIMEBANK_SMS_INBOUND_TOKEN = ""
    # Phone numbers typed without a country code are read in this country.
    TIMEBANK_PHONE_REGION = "FR"
    # Sign-in codes by text message: how long one lasts, and how often one may be asked.
    TIMEBANK_SIGN_IN_CODE_MINUTES = 10
    TIMEBANK_SIGN_IN_CODE_LIMIT_PER_NUMBER = "3 per hour"
    TIMEBANK_SIGN_IN_CODE_LIMIT_PER_ADDRESS = "10 per hour"

    # Exchanges.
    TIMEBANK_AUTO_CONFIRM_DAYS = 7  # a done exchange is confirmed by itself after this many days
    TIMEBANK_PLAN_AHEAD_MONTHS = 6  # an exchange may be dated at most this far ahead (hours are held until then)
    TIMEBANK_DISPUTE_WINDOW_DAYS = 14  # a completed exchange can be disputed for this many days
    # Asked for their version of a disagreement, the other party has this many days to give it; after that a
    # coordinator may decide without it.
    TIMEBANK_DISPUTE_VERSION_DAYS = 7

    # Languages of the interface.
    LANGUAGES = ["fr", "en", "ar"]  # offered; the code knows timebank.i18n.LOCALES (also "tr", "pt")
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    RTL_LANGUAGES = {"ar"}

    # Security.
    SECRET_KEY: str | None = None
    TIMEBANK_HTTPS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    TIMEBANK_SESSION_DAYS = 90  # how long "stay signed in" lasts (an admin setting)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    # How many reverse proxies (nginx, Caddy…) stand in front of the application and add their
    # X-Forwarded-For / X-Forwarded-Proto headers. 0: none, the headers are not believed.
    TIMEBANK_PROXY_COUNT = 0
    # Compress pages (brotli or gzip). None: yes when no proxy stands in front (a proxy usually compresses).
    TIMEBANK_COMPRESS: bool | None = None

    # Rate limits (Flask-Limiter). Memory is fine for one process; use
    # redis://… when several workers or hosts serve the instance.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    TIMEBANK_LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
    # Wrong passwords for one account from one address (another address is not held back by them).
    TIMEBANK_LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    # Wrong passwords for one account from every address together (many machines guessing): the waits
    # grow. Phones and computers where the member signed in before, or chose a new password with the
    # e-mailed link, are not held back by this one, so strangers cannot lock her out.
    TIMEBANK_LOGIN_LIMIT_PER_ACCOUNT_ANYWHERE = "10 per 15 minutes; 20 per hour; 50 per day"
    TIMEBANK_RESET_LIMIT = "5 per hour"  # asking for password links, from one address
    TIMEBANK_RESET_LIMIT_PER_EMAIL = "3 per hour"  # links for one e-mail address, whoever asks
    # Joining, from one address (a welcome session on the association's wifi is one address too) and
    # for one e-mail address (its owner is told each time someone tries it). Only accepted forms count.
    TIMEBANK_REGISTER_LIMIT = "10 per hour"
    TIMEBANK_REGISTER_LIMIT_PER_EMAIL = "3 per day"

    # Mail: without MAIL_SERVER, queued mail is written to the log.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_TIMEOUT = 20
    MAIL_DEFAULT_SENDER = "Timebank <no-reply@example.org>"
    MAIL_MAX_ATTEMPTS_BEFORE_ALERT = 10
    TIMEBANK_MAIL_TO_LOG = False  # set on purpose to keep mail in the log without a server (`timebank doctor`)
    # Public address used in e-mailed links (password reset…) and printed, with its QR code, on welcome sheets.
    TIMEBANK_BASE_URL = "http://127.0.0.1:5000"
    # Web push (phone notifications): the VAPID keys are generated into instance/ on first use; the contact
    # given to the push services with them (an e-mail address or a web address of the association).
    TIMEBANK_VAPID_PRIVATE_KEY_FILE: str | None = None  # None: instance/vapid_private.pem
    TIMEBANK_VAPID_CONTACT = ""  # None given: the contact address of the timebank
    TIMEBANK_PUSH_TIMEOUT = 10  # seconds to wait for a push service
    TIMEBANK_PUSH_TTL = 24 * 60 * 60  # seconds a push service keeps a notification for a phone that is off
    # The push services of the browsers (and their subdomains): the only addresses the server posts notifications to.
    TIMEBANK_PUSH_SERVICES = ["fcm.googleapis.com", "android.googleapis.com", "push.services.mozilla.com",
                              "push.apple.com", "notify.windows.com"]
    TIMEBANK_PUSH_ALLOW_HTTP = False  # tests only: a push service on plain http

    # Personal data (the privacy page, "take my data", erasure and retention; see timebank/privacy/).
    TIMEBANK_SUPERVISORY_AUTHORITY = ("CNIL (Commission nationale de l'informatique et des libertés), "
                                      "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07 — www.cnil.fr")
    TIMEBANK_EXPORT_NOTES = False  # coordinators' private notes in a member's download (see the privacy page)
    TIMEBANK_ERASURE_GRACE_DAYS = 30  # a member who asked to be erased can come back during these days
    TIMEBANK_ERASURE_BALANCE = "keep"  # "keep": an erased member's balance stays; "community": moved to the pot
    TIMEBANK_RETENTION_DECLINED_MONTHS = 6  # declined applications
    TIMEBANK_RETENTION_INACTIVE_YEARS = 3  # members who never sign in: warned, then erased
    TIMEBANK_RETENTION_SIGN_IN_MONTHS = 12  # sign-in records and form keys
    TIMEBANK_RETENTION_OUTBOX_MONTHS = 3  # texts of e-mails (and text messages) once sent
    # Member numbers and dates of erasures, outside the database, so that a restored backup forgets them again
    # (empty: instance/erasure-journal.txt). Keep a copy with the backups.
    TIMEBANK_ERASURE_JOURNAL = ""

    # Nightly backups made by `timebank cron` (SQLite): a folder, and how many archives to keep in it.
    TIMEBANK_BACKUP_DIR = ""
    TIMEBANK_BACKUP_KEEP = 30


def load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        _load_environment(app)
    else:
        app.config.update(test_config)
    _finish(app)


def _load_environment(app: Flask) -> None:
    for name in ("DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URI"):
        if os.environ.get(name):
            app.config["SQLALCHEMY_DATABASE_URI" if name == "DATABASE_URL" else name] = os.environ[name]
    for key, raw in os.environ.items():
        if not key.startswith("TIMEBANK_"):
            continue
        name = key.removeprefix("TIMEBANK_")
        if name in ("TEST_DATABASE_URL",):
            continue
        target = key if key in app.config else name
        app.config[target] = _parse(raw, app.config.get(target))


def _parse(raw: str, current):
    """Read an environment string as the type of the default it replaces."""
    if isinstance(current, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, (list, dict)):
        try:
            return json.loads(raw)
        except ValueError:
            if isinstance(current, dict):  # a text given once for every language (TIMEBANK_CHARTER="…")
                return raw
            return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _finish(app: Flask) -> None:
    instance = Path(app.instance_path)
    if not app.config.get("TIMEBANK_UPLOAD_FOLDER"):
        app.config["TIMEBANK_UPLOAD_FOLDER"] = str(instance / "uploads")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'timebank.sqlite'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://") or uri.startswith("postgresql://"):
        # Hosting platforms hand out bare postgres URLs; psycopg 3 is the driver we ship.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    https = bool(app.config["TIMEBANK_HTTPS"])
    app.config["SESSION_COOKIE_SECURE"] = https
    app.config["REMEMBER_COOKIE_SECURE"] = https
    app.config["PREFERRED_URL_SCHEME"] = "https" if https else "http"


def _instance_secret(instance: Path) -> str:
    """Return the instance's secret key, generating and storing it on first start."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker started at the same moment
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
