"""Each project's hours given and people taking part in a period, for the impact report.

Hours are the confirmed ones (posted in the period, by the date of the posting transfer); people are the
residents whose hours were confirmed in the period, counted as the impact report counts them: from 1 to 4 it
is a ``People`` value the page shows as "< 5", so that nobody can be singled out. One query, GROUP BY.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from timebank.extensions import db
from timebank.ledger.models import Transfer
from timebank.projects.models import HoursState, Participation, Project, ProjectHours
from timebank.reports.services import People


@dataclass(frozen=True)
class ProjectFigures:
    project_id: int
    title: str
    minutes: int
    people: People


def project_figures(*, start: date, end: date) -> list[ProjectFigures]:
    """The projects that had hours confirmed from ``start`` to ``end`` (days included), most hours first."""
    start_at, end_at = datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)
    rows = db.session.execute(
        sa.select(Project.id, Project.title, sa.func.sum(ProjectHours.minutes),
                  sa.func.count(sa.distinct(Participation.member_id)))
        .join(Participation, Participation.project_id == Project.id)
        .join(ProjectHours, ProjectHours.participation_id == Participation.id)
        .join(Transfer, Transfer.id == ProjectHours.transfer_id)
        .where(ProjectHours.state == HoursState.CONFIRMED, Transfer.created_at >= start_at,
               Transfer.created_at < end_at)
        .group_by(Project.id, Project.title)).all()
    found = [ProjectFigures(project_id, title, int(minutes or 0), People(int(people)))
             for project_id, title, minutes, people in rows]
    return sorted(found, key=lambda row: (-row.minutes, row.project_id))
