"""Admins see whether the periodic jobs run; monitoring reads /health/ready (nothing personal in it)."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.scheduler import JobRun, cron_run
from timebank.timeutil import utcnow

JOB_NAMES = {"mail-digest", "listings-remind", "users-verifications", "rewards-expire", "exchanges-auto-confirm",
             "mail-send", "privacy-erase-due", "privacy-sweep", "reports-rollup"}


def run_jobs(app, *, ago: timedelta = timedelta(0)):
    with app.app_context():
        results = cron_run(clock=lambda: utcnow() - ago)
        db.session.remove()
    return results


def test_admin_page_warns_when_the_periodic_jobs_never_ran(app, client, people):
    login(client, people.member("Claire Dubois", role=people_admin()))
    page = text_of(client.get("/admin/"))
    assert ("These periodic jobs have not run for twice their period: Gather the daily digest e-mails "
            "Remind authors of listings that end soon Tell members whose verification ends soon "
            "Release the hours of reward bookings left unused Remind of exchanges and confirm those left unconfirmed "
            "Erase the members whose time to come back is over "
            "Apply the retention periods of personal data "
            "Add the latest hours to the impact report's monthly figures "
            "Send queued e-mail and text messages Check that") in page
    assert "Check that the command “timebank cron” runs every minute on the server" in page
    assert "Send queued e-mail and text messages every minute Never — Never run" in page
    assert "Remind of exchanges and confirm those left unconfirmed every hour Never" in page


def test_admin_page_shows_each_jobs_last_run_and_outcome_and_no_warning_when_all_ran(app, client, people):
    run_jobs(app)
    login(client, people.member("Claire Dubois", role=people_admin()))
    page = text_of(client.get("/admin/"))
    assert "have not run for twice their period" not in page
    assert "Periodic jobs" in page
    assert "Send queued e-mail and text messages every minute" in page
    assert page.count(" Done ") == len(JOB_NAMES)
    assert "sent: 0" not in page  # what a job did is for the command line; a failure's error is shown
    assert "0.0 s" in page


def test_admin_page_names_the_job_late_after_twice_its_period_and_shows_a_failure(app, client, people):
    run_jobs(app)
    with app.app_context():
        db.session.execute(sa.update(JobRun).where(JobRun.name == "exchanges-auto-confirm")
                           .values(started_at=utcnow() - timedelta(hours=2, minutes=5)))
        db.session.execute(sa.update(JobRun).where(JobRun.name == "mail-send")
                           .values(outcome="failed", summary="SMTPAuthenticationError: bad password"))
        db.session.commit()
    login(client, people.member("Claire Dubois", role=people_admin()))
    page = text_of(client.get("/admin/"))
    assert ("These periodic jobs have not run for twice their period: "
            "Remind of exchanges and confirm those left unconfirmed Check that") in page
    assert "Failed SMTPAuthenticationError: bad password" in page
    assert "Done · Late" in page


def test_admin_page_reads_in_french_and_arabic(app, client, people):
    login(client, people.member("Claire Dubois", role=people_admin()))
    for language in ("fr", "ar"):
        assert client.get(f"/admin/?lang={language}").status_code == 200


def test_coordinators_do_not_see_the_admin_page(app, client, people):
    login(client, people.coordinator())
    assert client.get("/admin/").status_code == 403


def test_health_ready_is_503_until_the_jobs_run_then_200_without_personal_data(app, client, people):
    people.member("Amina Diallo")
    waiting = client.get("/health/ready")
    assert waiting.status_code == 503
    assert waiting.json == {"status": "error", "database": "ok", "jobs": {name: "never" for name in JOB_NAMES}}

    run_jobs(app)
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json == {"status": "ok", "database": "ok", "jobs": {name: "ok" for name in JOB_NAMES}}
    assert "amina" not in ready.get_data(as_text=True).lower()
    assert ready.headers["Cache-Control"] == "no-store"


def test_health_ready_reports_a_late_job_and_a_database_not_migrated(app, client):
    run_jobs(app, ago=timedelta(days=3))
    late = client.get("/health/ready")
    assert late.status_code == 503 and late.json["jobs"]["listings-remind"] == "late"

    with app.app_context():
        head = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0014'"))
        db.session.commit()
    try:
        stale = client.get("/health/ready")
    finally:
        with app.app_context():
            db.session.execute(sa.text("UPDATE alembic_version SET version_num = :head"), {"head": head})
            db.session.commit()
    assert stale.status_code == 503 and stale.json == {"status": "error", "database": "not migrated", "jobs": {}}


def test_health_stays_cheap_and_public(app, client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def people_admin():
    from timebank.members.models import Role

    return Role.ADMIN
