"""``timebank doctor``: what a production instance needs, checked, with what to fix in plain words.

Each check reads the configuration the application runs with (defaults, ``instance/config.py``,
the environment) and the database; run it with the same environment as the service (see
``deploy/README.md``). Nothing is changed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

CRON_LINE = "* * * * * timebank cron"
# Secret keys found in examples, tests and tutorials: whoever knows one can forge a session.
_KNOWN_KEYS = {"dev", "development", "secret", "secret-key", "changeme", "change-me", "change-this", "test",
               "test-secret-key", "please-change-me", "your-secret-key", "timebank"}
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}
_EXAMPLE_DOMAINS = (".local", ".localhost", ".test", ".example", "example.org", "example.com", "example.net")
BACKUP_MAX_AGE = timedelta(hours=36)


@dataclass(frozen=True)
class Check:
    title: str
    ok: bool
    text: str  # what was found
    fix: str = ""  # what to do about it, when not ok


def doctor_checks() -> list[Check]:
    from timebank.database import database_state

    checks = [_secret_key(), _base_url(), _https(), _proxy(), _mail(), _sms(), _rate_limits()]
    state = database_state()
    if state == "unreachable":
        checks.append(Check("database", False, "unreachable",
                            "Start the database server, or correct DATABASE_URL."))
        return checks
    if state != "ok":
        checks.append(Check("database", False, "not migrated to the newest version",
                            "Run `timebank db upgrade` (after every update)."))
    else:
        checks.append(Check("database", True, f"reachable and up to date ({_dialect()})"))
    checks += [_demo(), _ledger(), _backups(), _jobs()]
    return checks


def _dialect() -> str:
    from timebank.extensions import db

    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(db.engine.dialect.name, db.engine.dialect.name)


def _secret_key() -> Check:
    key = str(current_app.config.get("SECRET_KEY") or "")
    if key.lower() in _KNOWN_KEYS:
        return Check("secret key", False, "a well-known example value",
                     "Set SECRET_KEY to a long random value (python3 -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                     "or remove it to use instance/secret_key.")
    if len(key) < 32:
        return Check("secret key", False, f"only {len(key)} characters",
                     "Set SECRET_KEY to a random value of at least 32 characters, or remove it to use instance/secret_key.")
    return Check("secret key", True, "set, long and not a known example")


def _base_url() -> Check:
    url = str(current_app.config.get("TIMEBANK_BASE_URL") or "")
    host = (urlsplit(url).hostname or "").lower()
    if not host or host in _LOCAL_HOSTS or host.endswith(_EXAMPLE_DOMAINS):
        return Check("public address", False, f"TIMEBANK_BASE_URL is {url or 'empty'}",
                     "Set TIMEBANK_BASE_URL to the address members type, e.g. https://timebank.your-association.org: "
                     "links in e-mails use it.")
    return Check("public address", True, url)


def _https() -> Check:
    url = str(current_app.config.get("TIMEBANK_BASE_URL") or "")
    https_url, secure_cookies = url.startswith("https://"), bool(current_app.config.get("TIMEBANK_HTTPS"))
    if https_url and secure_cookies:
        return Check("HTTPS", True, "on (secure cookies, https links)")
    missing = [] if https_url else ["TIMEBANK_BASE_URL starts with http://, not https://"]
    if not secure_cookies:
        missing.append("TIMEBANK_HTTPS is off")
    return Check("HTTPS", False, "; ".join(missing),
                 "Serve the timebank over HTTPS (Caddy or nginx in front, see deploy/), then set TIMEBANK_HTTPS=1 "
                 "and an https:// TIMEBANK_BASE_URL: passwords must never cross the network in clear.")


def _proxy() -> Check:
    count = int(current_app.config.get("TIMEBANK_PROXY_COUNT") or 0)
    if count:
        return Check("reverse proxy", True, f"TIMEBANK_PROXY_COUNT is {count}: the visitor's address comes from "
                                            f"the proxy's X-Forwarded-For")
    if current_app.config.get("TIMEBANK_HTTPS"):
        return Check("reverse proxy", False, "HTTPS is on but TIMEBANK_PROXY_COUNT is 0",
                     "Behind one proxy (Caddy or nginx serving HTTPS), set TIMEBANK_PROXY_COUNT=1; otherwise every "
                     "visitor has the proxy's address and the sign-in limits lock everyone out at once.")
    return Check("reverse proxy", True, "TIMEBANK_PROXY_COUNT is 0 (no proxy in front)")


def _mail() -> Check:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        sender = str(config.get("MAIL_DEFAULT_SENDER") or "")
        if not sender or "example.org" in sender:
            return Check("e-mail", False, f"the sender is {sender or 'empty'}",
                         "Set MAIL_DEFAULT_SENDER to an address of the association, e.g. "
                         "'Timebank <timebank@your-association.org>'.")
        return Check("e-mail", True, f"sent through {config['MAIL_SERVER']} as {sender}")
    if config.get("TIMEBANK_MAIL_TO_LOG"):
        return Check("e-mail", True, "off on purpose: e-mail is written to the log (TIMEBANK_MAIL_TO_LOG)")
    return Check("e-mail", False, "no mail server: e-mail is only written to the log",
                 "Set MAIL_SERVER (and MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER), or set "
                 "TIMEBANK_MAIL_TO_LOG=1 if the timebank must send no e-mail.")


def _sms() -> Check:
    config = current_app.config
    backend = config.get("TIMEBANK_SMS_BACKEND") or "log"
    if backend == "log":
        return Check("text messages", True, "written to the log (TIMEBANK_SMS_BACKEND=log)")
    if backend == "http" and str(config.get("TIMEBANK_SMS_URL") or "").startswith(("http://", "https://")):
        return Check("text messages", True, f"sent through the gateway at {config['TIMEBANK_SMS_URL'].split('?')[0]}")
    return Check("text messages", False, f"TIMEBANK_SMS_BACKEND is {backend!r} without a gateway address",
                 "Set TIMEBANK_SMS_URL (and TIMEBANK_SMS_TOKEN_HEADER, TIMEBANK_SMS_TOKEN) to the SMS gateway, "
                 "or TIMEBANK_SMS_BACKEND=log.")


def _rate_limits() -> Check:
    from timebank.gunicorn_conf import worker_count

    storage = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    workers = worker_count()
    if storage.startswith("memory://") and workers > 1:
        return Check("sign-in limits", False, f"kept in each worker's memory, with {workers} workers",
                     "Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (install Redis), or WEB_CONCURRENCY=1: "
                     "otherwise each worker counts sign-in attempts apart.")
    where = "memory (one worker)" if storage.startswith("memory://") else storage.split("://", 1)[0]
    return Check("sign-in limits", True, f"kept in {where}, {workers} worker(s)")


def _demo() -> Check:
    from timebank.demo import demo_is_loaded

    if demo_is_loaded():
        return Check("demo data", False, "the demonstration residents are in the database",
                     "This is a demonstration instance: anyone can sign in as its admin with the published "
                     "password. Start from an empty database for real members.")
    return Check("demo data", True, "none")


def _ledger() -> Check:
    from timebank.ledger.verify import ledger_verify

    report = ledger_verify()
    if report.ok:
        return Check("ledger", True, f"verified: {report.accounts} accounts, {report.transfers} transfers")
    return Check("ledger", False, f"{len(report.problems)} problem(s): " + "; ".join(report.problems[:3]),
                 "Run `timebank ledger verify` and send its output to the developers; keep the backups.")


def _backups() -> Check:
    folder = current_app.config.get("TIMEBANK_BACKUP_DIR")
    if not folder:
        return Check("backups", True, "no TIMEBANK_BACKUP_DIR: `timebank cron` makes none (back up another way, "
                                      "see Backups in the README)")
    from timebank.jobs import backup_archives

    if not Path(folder).is_dir():
        return Check("backups", False, f"there is no folder {folder}",
                     f"Create {folder} (chmod 700), owned by the user that runs Timebank.")
    archives = backup_archives(folder)
    if not archives:
        return Check("backups", False, f"no backup in {folder} yet",
                     f"Check that `timebank cron` runs (see below), or make one: timebank backup create {folder}")
    age = timedelta(seconds=time.time() - archives[-1].stat().st_mtime)
    if age > BACKUP_MAX_AGE:
        return Check("backups", False, f"the newest backup is {age.days} day(s) old: {archives[-1].name}",
                     "Check that `timebank cron` runs and that the backup job succeeds (`timebank cron` prints it).")
    return Check("backups", True, f"{len(archives)} in {folder}, the newest {archives[-1].name}")


def _jobs() -> Check:
    from timebank.scheduler import job_states

    states = job_states()
    wrong = [s for s in states if not s.healthy]
    if not wrong:
        return Check("periodic jobs", True, f"{len(states)} jobs, each ran on time")
    words = {"never": "never ran", "late": "late", "failed": "failed"}
    found = "; ".join(f"{s.job.name} {words[s.state]}" + (f" ({s.summary})" if s.state == "failed" else "")
                      for s in wrong)
    if all(s.state == "failed" for s in wrong):
        fix = "Read the errors above (and `timebank cron` output) and correct what they say."
    else:
        fix = (f"Put `{CRON_LINE}` in the crontab of the user that runs Timebank, or enable the systemd timer "
               f"in deploy/ (systemctl enable --now timebank-cron.timer).")
    return Check("periodic jobs", False, found, fix)
