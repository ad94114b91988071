"""``timebank cron``: each periodic job runs when due, once, even with two runs at once; a failure stops nothing."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from timebank.extensions import db
from timebank.scheduler import FAILED, OK, Job, JobFailed, JobRun, cron_run, job_due, job_states, register_job

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def ran(started: str, *, outcome: str = OK, locked_until: str | None = None) -> JobRun:
    return JobRun(name="job", runs=1, started_at=at(started), outcome=outcome,
                  locked_until=at(locked_until) if locked_until else None)


def job(period: timedelta, run=lambda: "done", name: str = "job") -> Job:
    return Job(name, name, period, run)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: str):
        self.now = at(start)

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta) -> None:
        self.now += timedelta(**delta)


def test_a_job_that_never_ran_is_due():
    assert job_due(job(DAY), None, at("2026-11-30 10:00"))
    assert job_due(job(DAY), JobRun(name="job", runs=0), at("2026-11-30 10:00"))


def test_a_job_is_due_again_once_its_next_period_begins_by_the_clock():
    every_minute, hourly, daily = job(MINUTE), job(HOUR), job(DAY)
    assert not job_due(every_minute, ran("2026-11-30 10:00:00.4"), at("2026-11-30 10:00:59"))
    assert job_due(every_minute, ran("2026-11-30 10:00:00.4"), at("2026-11-30 10:01:00.1"))  # a cron a bit early
    assert not job_due(hourly, ran("2026-11-30 10:05"), at("2026-11-30 10:59"))
    assert job_due(hourly, ran("2026-11-30 10:59"), at("2026-11-30 11:00"))
    assert not job_due(daily, ran("2026-11-30 00:00:30"), at("2026-11-30 23:59"))
    assert job_due(daily, ran("2026-11-30 00:00:30"), at("2026-12-01 00:00:10"))


def test_a_clock_moved_back_or_forward_runs_the_job_once_more_instead_of_never():
    daily = job(DAY)
    assert job_due(daily, ran("2026-11-30 03:00"), at("2026-11-29 03:00"))  # moved back a day
    assert job_due(daily, ran("2026-11-30 03:00"), at("2027-03-01 03:00"))  # moved forward months


def test_a_failed_job_is_due_at_the_next_run_and_a_running_one_is_not_until_its_lock_goes_stale():
    hourly = job(HOUR)
    assert job_due(hourly, ran("2026-11-30 10:05", outcome=FAILED), at("2026-11-30 10:06"))
    running = ran("2026-11-30 10:55", locked_until="2026-11-30 11:25")
    assert not job_due(hourly, running, at("2026-11-30 11:10"))  # a new hour, but the run is still going
    assert job_due(hourly, running, at("2026-11-30 11:26"))  # the run died: its lock is stale


def test_cron_runs_each_job_once_per_period_and_again_in_the_next(ctx):
    calls = []
    jobs = [job(HOUR, lambda: calls.append("hourly") or "hourly done", "hourly"),
            job(MINUTE, lambda: calls.append("minute") or "", "minute")]
    clock = Clock("2026-11-30 10:00:05")

    assert [(r.name, r.outcome, r.summary) for r in cron_run(jobs=jobs, clock=clock)] == [
        ("hourly", OK, "hourly done"), ("minute", OK, "")]
    clock.move(seconds=30)
    assert cron_run(jobs=jobs, clock=clock) == []
    clock.move(minutes=1)
    assert [r.name for r in cron_run(jobs=jobs, clock=clock)] == ["minute"]
    clock.move(hours=1)
    assert [r.name for r in cron_run(jobs=jobs, clock=clock)] == ["hourly", "minute"]
    assert calls == ["hourly", "minute", "minute", "hourly", "minute"]


def test_a_failing_job_does_not_stop_the_others_is_written_down_and_retried_next_time(ctx):
    from timebank.members.models import Member

    attempts = []

    def broken():
        attempts.append(1)
        db.session.add(Member(display_name="half written"))  # never committed: the job is rolled back
        raise RuntimeError("the mail server said no")

    def refusing():
        raise JobFailed("sent: 0, failed (kept for retry): 3")

    jobs = [job(DAY, broken, "broken"), job(DAY, refusing, "refusing"), job(DAY, lambda: "fine", "fine")]
    clock = Clock("2026-11-30 10:00")
    results = cron_run(jobs=jobs, clock=clock)

    assert [(r.name, r.outcome, r.summary) for r in results] == [
        ("broken", FAILED, "RuntimeError: the mail server said no"),
        ("refusing", FAILED, "sent: 0, failed (kept for retry): 3"),
        ("fine", OK, "fine"),
    ]
    assert db.session.query(Member).filter_by(display_name="half written").count() == 0
    row = db.session.get(JobRun, "broken")
    assert (row.outcome, row.summary, row.started_at, row.locked_until) == (
        FAILED, "RuntimeError: the mail server said no", at("2026-11-30 10:00"), None)

    clock.move(minutes=1)  # same day: only the failed ones run again
    assert [r.name for r in cron_run(jobs=jobs, clock=clock)] == ["broken", "refusing"]
    assert len(attempts) == 2


def test_job_states_say_which_job_is_late_failed_or_never_ran(make_app):
    app = make_app()
    register_job(app, job(HOUR, lambda: "ok", "hourly"))
    register_job(app, job(DAY, lambda: 1 / 0, "daily"))
    with app.app_context():
        registered = [j for j in app.extensions["timebank.jobs"].values() if j.name in ("hourly", "daily")]
        cron_run(jobs=registered, clock=lambda: at("2026-11-30 10:00"))
        states = {s.job.name: s.state for s in job_states(now=at("2026-11-30 11:30"))}
        assert states["hourly"] == "ok" and states["daily"] == "failed" and states["mail-send"] == "never"
        later = {s.job.name: s.state for s in job_states(now=at("2026-11-30 12:01"))}
        assert later["hourly"] == "late"  # more than twice its period without a run


def _two_runs_at_once(make_app, *, job_seconds: float):
    """Two `timebank cron` at the same instant, each with its own application and connection."""
    app = make_app()
    runs = []

    def slow_job():
        runs.append(threading.get_ident())
        time.sleep(job_seconds)
        return "done"

    jobs = [job(DAY, slow_job, "nightly")]
    start = threading.Barrier(2)
    results, errors = [], []

    def cron():
        try:
            with app.app_context():
                start.wait()
                results.append(cron_run(jobs=jobs, clock=lambda: at("2026-11-30 03:00")))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=cron) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return app, runs, results


@pytest.mark.parametrize("job_seconds", [0.5, 0.0])
def test_two_crons_at_once_run_a_job_only_once(make_app, job_seconds):
    app, runs, results = _two_runs_at_once(make_app, job_seconds=job_seconds)
    assert len(runs) == 1
    assert sorted(len(r) for r in results) == [0, 1]  # one run did the job, the other found it taken or done
    with app.app_context():
        row = db.session.get(JobRun, "nightly")
        assert (row.runs, row.outcome, row.summary, row.locked_by) == (1, OK, "done", None)


def test_the_cron_command_runs_every_job_of_the_instance_and_keeps_the_latest_backups(make_app, tmp_path, people):
    from timebank.notifications.models import OutboxMessage

    backups = tmp_path / "backups"
    backups.mkdir()
    for day in range(1, 5):
        (backups / f"timebank-backup-2026-11-0{day}-031500.tar.gz").write_bytes(b"old")
    app = make_app(TIMEBANK_BACKUP_DIR=str(backups), TIMEBANK_BACKUP_KEEP=3)
    amina = people.member("Amina Diallo")
    with app.app_context():
        from timebank.members.models import Member
        from timebank.notifications.services import mail_queue

        mail_queue(member=db.session.get(Member, amina.id), subject="Hello", template="digest", items=[])
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["cron"])

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert result.exit_code == 1 and "backup: failed" in result.output  # pg_dump is the way there
    else:
        assert result.exit_code == 0, result.output
        archives = sorted(p.name for p in backups.iterdir())
        assert len(archives) == 3 and "timebank-backup-2026-11-01-031500.tar.gz" not in archives
    names = [line.split(":")[0] for line in result.output.splitlines()]
    assert names == ["mail-digest", "listings-remind", "users-verifications", "rewards-expire",
                     "exchanges-auto-confirm", "privacy-erase-due", "privacy-sweep", "reports-rollup", "backup",
                     "mail-send"]
    assert "mail-send: ok" in result.output and "written to the log: 1" in result.output
    assert [m.sent for m in people.outbox("amina@example.org")] == [True]

    again = app.test_cli_runner().invoke(args=["cron", "--quiet"])  # as cron runs it: silent unless a job fails
    assert "mail-digest" not in again.output  # done for today
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert (again.exit_code, again.output) == (0, "")
    with app.app_context():
        assert db.session.query(OutboxMessage).count() == 1


def test_a_run_that_died_holding_a_job_blocks_it_only_until_its_lock_goes_stale(ctx):
    calls = []
    nightly = Job("nightly", "nightly", DAY, lambda: calls.append(1) or "done", lock_timeout=timedelta(minutes=30))
    cron_run(jobs=[nightly], clock=lambda: at("2026-11-29 03:00"))
    db.session.execute(sa.update(JobRun).where(JobRun.name == "nightly").values(  # a run killed mid-way
        started_at=at("2026-11-30 03:00"), locked_by="dead", locked_until=at("2026-11-30 03:30")))
    db.session.commit()

    assert cron_run(jobs=[nightly], clock=lambda: at("2026-11-30 03:10")) == []
    assert [r.outcome for r in cron_run(jobs=[nightly], clock=lambda: at("2026-11-30 03:31"))] == [OK]
    assert len(calls) == 2
    row = db.session.get(JobRun, "nightly")
    db.session.refresh(row)
    assert (row.locked_by, row.locked_until, row.started_at) == (None, None, at("2026-11-30 03:31"))
