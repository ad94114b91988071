"""The scheduler behind ``timebank cron``: every periodic job runs when it is due, once.

Each job declares its period (every minute, hour, day…). ``timebank cron`` is put in the
server's crontab every minute (or started by the systemd timer in ``deploy/``); each time, it
runs the jobs whose period began since their last run, and those whose last run failed or
never finished. One failing job never stops the others: its error is written down and it is
tried again next time.

Two ``timebank cron`` at once (a slow run overlapping the next minute, two servers) never run
the same job twice: a job is taken with one conditional ``UPDATE`` of its row, which only one
transaction can win on SQLite and PostgreSQL alike. A run that dies holding a job (the server
rebooted) leaves a lock that goes stale after the job's ``lock_timeout``; the job is then due again.

Jobs are registered on the application (``register_job``) by the layer that builds it, so this
module knows no feature: it sits with the plumbing, below everything it runs.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Mapped, mapped_column

from timebank.extensions import db
from timebank.timeutil import utcnow

log = logging.getLogger(__name__)

OK, FAILED = "ok", "failed"
_REGISTRY = "timebank.jobs"
_EPOCH = datetime(2000, 1, 3)  # a Monday at midnight: days start at midnight (UTC), weeks on Mondays


class JobRun(db.Model):
    """The last run of one periodic job, and the lock of the run in progress."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    runs: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")  # runs started, ever
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # "ok" or "failed"
    summary: Mapped[str | None] = mapped_column(sa.String(500))  # what it did, or its error, in one line
    last_ok_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    locked_by: Mapped[str | None] = mapped_column(sa.String(64))
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)


@dataclass(frozen=True)
class Job:
    """A periodic job: ``run`` does the work in the app context and returns a one-line summary.

    It raises to say it failed (``JobFailed`` for a failure it described itself).
    """

    name: str  # stable identifier, e.g. "mail-send"
    title: object  # what admins read (a lazy translated string)
    period: timedelta
    run: Callable[[], str | None]
    lock_timeout: timedelta = timedelta(minutes=30)  # a run holding the job longer is presumed dead


class JobFailed(Exception):
    """A job finished but could not do its work; the message says why, in one line."""


@dataclass(frozen=True)
class JobResult:
    name: str
    outcome: str  # "ok" or "failed"
    summary: str
    duration_ms: int


@dataclass(frozen=True)
class JobState:
    """How a job is doing, for the admin page, ``timebank doctor`` and ``/health/ready``."""

    job: Job
    state: str  # "ok", "failed", "running", "late" or "never"
    started_at: datetime | None
    duration_ms: int | None
    outcome: str | None
    summary: str | None

    @property
    def healthy(self) -> bool:
        return self.state in ("ok", "running")


# The registry ------------------------------------------------------------


def register_job(app: Flask, job: Job) -> None:
    """Add a periodic job to the application; ``timebank cron`` runs jobs in the order they were added."""
    jobs = app.extensions.setdefault(_REGISTRY, {})
    if job.name in jobs:
        raise ValueError(f"a job named {job.name!r} is already registered")
    jobs[job.name] = job


def registered_jobs() -> list[Job]:
    return list(current_app.extensions.get(_REGISTRY, {}).values())


# When a job is due ---------------------------------------------------------


def period_index(moment: datetime, period: timedelta) -> int:
    """Which period ``moment`` falls in, counting from a fixed Monday midnight (UTC)."""
    return int((moment - _EPOCH) // period)


def job_due(job: Job, row: JobRun | None, now: datetime) -> bool:
    """Due if it never ran, if its last run failed or died, or if a new period began since it last started.

    Periods are aligned on the clock: an hourly job runs at the first ``timebank cron`` of each hour, a
    daily one at the first after midnight (UTC). A clock moved back or forward lands in another period,
    so the job simply runs once more.
    """
    if row is None or row.started_at is None:
        return True
    if row.locked_until is not None:
        return row.locked_until <= now  # still running, or a run that died and whose lock went stale
    if row.outcome != OK:
        return True
    return period_index(now, job.period) != period_index(row.started_at, job.period)


def job_states(*, now: datetime | None = None) -> list[JobState]:
    """Each registered job with its last run; "late" when it has not run for twice its period."""
    now = now or utcnow()
    jobs = registered_jobs()
    rows = {row.name: row for row in db.session.scalars(sa.select(JobRun).where(JobRun.name.in_([j.name for j in jobs])))}
    states = []
    for job in jobs:
        row = rows.get(job.name)
        if row is None or row.started_at is None:
            state = "never"
        elif now - row.started_at > 2 * job.period:
            state = "late"
        elif row.locked_until is not None and row.locked_until > now:
            state = "running"
        elif row.outcome != OK:
            state = "failed"
        else:
            state = "ok"
        states.append(JobState(job, state, row.started_at if row else None, row.duration_ms if row else None,
                               row.outcome if row else None, row.summary if row else None))
    return states


# Running -------------------------------------------------------------------


def cron_run(*, jobs: Sequence[Job] | None = None, clock: Callable[[], datetime] = utcnow) -> list[JobResult]:
    """Run every due job once, in order; return what each one that ran did.

    A job that raises is rolled back and marked failed; the next jobs still run.
    """
    jobs = registered_jobs() if jobs is None else list(jobs)
    _ensure_rows([job.name for job in jobs])
    db.session.commit()  # no transaction of ours stays open while jobs run
    results = []
    for job in jobs:
        now = clock()
        row = _read(job.name)
        if not job_due(job, row, now):
            continue
        token = uuid.uuid4().hex
        if not _take(job, seen_runs=row.runs, now=now, token=token):
            continue  # another `timebank cron` took it first
        began = time.monotonic()
        try:
            summary, outcome = str(job.run() or ""), OK
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - any failure is written down and the next job runs
            db.session.rollback()
            log.exception("Job %s failed", job.name)
            summary, outcome = (str(error) if isinstance(error, JobFailed) else f"{type(error).__name__}: {error}"), FAILED
        duration_ms = int((time.monotonic() - began) * 1000)
        _release(job, token=token, outcome=outcome, summary=summary, finished_at=clock(), duration_ms=duration_ms)
        results.append(JobResult(job.name, outcome, summary, duration_ms))
    return results


def _writing(connection: sa.Connection) -> sa.Connection:
    # SQLite: take the write lock at BEGIN, so that two runs queue instead of failing at COMMIT.
    return connection.execution_options(sqlite_begin="IMMEDIATE")


def _ensure_rows(names: list[str]) -> None:
    if not names:
        return
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(JobRun.__table__).values([{"name": name, "runs": 0} for name in names])
    with db.engine.connect() as connection, _writing(connection).begin():
        connection.execute(statement.on_conflict_do_nothing(index_elements=["name"]))


def _read(name: str) -> JobRun:
    with db.engine.connect() as connection:
        row = connection.execute(sa.select(JobRun.__table__).where(JobRun.name == name)).one()
    return JobRun(**row._asdict())


def _take(job: Job, *, seen_runs: int, now: datetime, token: str) -> bool:
    """Take the job for this run, unless another run took it since we read its row."""
    table = JobRun.__table__
    statement = (
        table.update()
        .where(table.c.name == job.name, table.c.runs == seen_runs,
               sa.or_(table.c.locked_until.is_(None), table.c.locked_until <= now))
        .values(runs=table.c.runs + 1, started_at=now, locked_by=token, locked_until=now + job.lock_timeout)
    )
    with db.engine.connect() as connection, _writing(connection).begin():
        return connection.execute(statement).rowcount == 1


def _release(job: Job, *, token: str, outcome: str, summary: str, finished_at: datetime, duration_ms: int) -> None:
    table = JobRun.__table__
    values = dict(finished_at=finished_at, duration_ms=duration_ms, outcome=outcome, summary=summary[:500],
                  locked_by=None, locked_until=None)
    if outcome == OK:
        values["last_ok_at"] = finished_at
    with db.engine.connect() as connection, _writing(connection).begin():
        # Only if the job is still ours: a run so slow that its lock went stale writes nothing.
        connection.execute(table.update().where(table.c.name == job.name, table.c.locked_by == token).values(**values))
