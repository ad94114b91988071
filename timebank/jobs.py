"""The periodic jobs of an instance, in one place: what ``timebank cron`` runs, and how often.

A feature with work to do on a schedule adds one line here (or calls ``register_job`` on the
application from its own set-up); the scheduler itself knows no feature. ``timebank cron`` runs
the due jobs in this order, so the e-mail the other jobs queue goes out in the same minute.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from timebank.scheduler import Job, JobFailed, register_job

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def register_jobs(app: Flask) -> None:
    register_job(app, Job("mail-digest", _l("Gather the daily digest e-mails"), DAY, _mail_digest))
    register_job(app, Job("listings-remind", _l("Remind authors of listings that end soon"), DAY, _listings_remind))
    register_job(app, Job("users-verifications", _l("Tell members whose verification ends soon"), DAY,
                          _users_verifications))
    register_job(app, Job("rewards-expire", _l("Release the hours of reward bookings left unused"), DAY,
                          _rewards_expire))
    register_job(app, Job("exchanges-auto-confirm", _l("Remind of exchanges and confirm those left unconfirmed"),
                          HOUR, _exchanges_auto_confirm))
    register_job(app, Job("privacy-erase-due", _l("Erase the members whose time to come back is over"), DAY,
                          _privacy_erase_due))
    register_job(app, Job("privacy-sweep", _l("Apply the retention periods of personal data"), DAY, _privacy_sweep))
    register_job(app, Job("reports-rollup", _l("Add the latest hours to the impact report's monthly figures"), HOUR,
                          _reports_rollup))
    if app.config.get("TIMEBANK_BACKUP_DIR"):
        register_job(app, Job("backup", _l("Back up the database"), DAY, _backup, lock_timeout=timedelta(hours=3)))
    register_job(app, Job("mail-send", _l("Send queued e-mail and text messages"), MINUTE, _mail_send))


def _mail_send() -> str:
    from timebank.notifications.outbox import outbox_send_due

    report = outbox_send_due()
    summary = (f"sent: {report.sent}, written to the log: {report.logged}, failed (kept for retry): {report.failed}, "
               f"refused (not retried): {report.refused}")
    if report.failed or report.refused:
        raise JobFailed(summary)
    return summary


def _mail_digest() -> str:
    from timebank.notifications.services import mail_digest_due

    return f"digests queued: {mail_digest_due()}"


def _listings_remind() -> str:
    from timebank.listings.upkeep import listings_remind_due

    return f"reminders queued: {listings_remind_due()}"


def _users_verifications() -> str:
    from timebank.coordination.vetting import verifications_check

    reminded, lapsed = verifications_check()
    return f"told their verification ends soon: {reminded}, lapsed: {lapsed}"


def _rewards_expire() -> str:
    from timebank.partners.rewards import bookings_expire_due

    return f"bookings released after their reward ended: {bookings_expire_due()}"


def _exchanges_auto_confirm() -> str:
    from timebank.exchanges.auto_confirm import exchanges_auto_confirm, exchanges_remind_tomorrow

    tomorrow = exchanges_remind_tomorrow()
    reminded, confirmed = exchanges_auto_confirm()
    return f"reminded of tomorrow: {tomorrow}, reminded to confirm: {reminded}, confirmed automatically: {confirmed}"


def _privacy_erase_due() -> str:
    from timebank.privacy.cli import erase_due_summary

    return erase_due_summary()


def _privacy_sweep() -> str:
    from timebank.privacy.cli import sweep_summary

    return sweep_summary()


def _reports_rollup() -> str:
    from timebank.reports.rollups import rollups_update

    return rollups_update()


def _backup() -> str:
    """A dated archive in the backup folder; only the newest ``TIMEBANK_BACKUP_KEEP`` archives are kept."""
    from timebank.backup import BackupError, backup_create

    folder = Path(current_app.config["TIMEBANK_BACKUP_DIR"])
    try:
        made = backup_create(path=folder)
    except BackupError as error:
        raise JobFailed(str(error.message)) from None
    keep = max(1, int(current_app.config["TIMEBANK_BACKUP_KEEP"]))
    archives = backup_archives(folder)
    removed = archives[:-keep]
    for old in removed:
        old.unlink()
    return f"{made.path.name}, {len(removed)} older archive(s) removed"


def backup_archives(folder: str | Path) -> list[Path]:
    """The dated archives of a backup folder, oldest first (their names sort by date)."""
    return sorted(Path(folder).glob("timebank-backup-*.tar.gz"))
