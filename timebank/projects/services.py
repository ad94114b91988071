"""Opening, editing and closing a project; its tasks (requests of the project); residents joining a task.

Every step checks who acts on the server (``access``) and is one transaction. A task is a listing of type
request whose ``project_id`` is the project: it shows in the listings, "for the project …".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from timebank.audit import audit
from timebank.database import atomic, lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.idempotency import form_claim
from timebank.ledger import services as ledger
from timebank.listings.models import Category, Listing, ListingLanguage, ListingStatus, ListingType
from timebank.members.models import Member
from timebank.partners.models import Partner
from timebank.projects.access import check_manage, may_see, may_sponsor
from timebank.projects.models import Participation, Project, ProjectStatus
from timebank.timeutil import utcnow

MOST_GOAL_MINUTES = 100_000 * 60
MOST_TASKS = 20


@dataclass(frozen=True)
class ProjectFields:
    title: str
    description: str
    goal_minutes: int
    starts_on: date | None = None
    ends_on: date | None = None


def _apply(project: Project, fields: ProjectFields) -> None:
    title = (fields.title or "").strip()
    if not title:
        raise DomainError(_l("Please give a title."), field="title")
    if not 0 < (fields.goal_minutes or 0) <= MOST_GOAL_MINUTES:
        raise DomainError(_l("Please give a goal of at least one hour."), field="goal_hours")
    if fields.starts_on and fields.ends_on and fields.ends_on < fields.starts_on:
        raise DomainError(_l("The last day cannot be before the first day."), field="ends_on")
    project.title = title[:120]
    project.description = (fields.description or "").strip()
    project.goal_minutes = fields.goal_minutes
    project.starts_on, project.ends_on = fields.starts_on, fields.ends_on


def _task_titles(tasks: list[str]) -> list[str]:
    titles = list(dict.fromkeys(title.strip()[:100] for title in tasks if title and title.strip()))
    if len(titles) > MOST_TASKS:
        raise DomainError(_l("At most %(most)s tasks at once.", most=MOST_TASKS), field="tasks")
    return titles


def _category(category_id: int | None) -> Category:
    category = db.session.get(Category, category_id) if category_id else None
    if category is None or category.archived_at is not None:
        raise DomainError(_l("Please choose a category from the list."), field="category")
    return category


def _add_tasks(project: Project, titles: list[str], category: Category, author: Member) -> None:
    """Publish each task as a request of the project, in the languages its opener speaks (else the default one)."""
    now = utcnow()
    codes = author.language_codes or [current_app.config["BABEL_DEFAULT_LOCALE"]]
    for title in titles:
        db.session.add(Listing(member_id=author.id, type=ListingType.REQUEST, title=title, description="",
                               category_id=category.id, tags="", area=None, availability="", ends_on=project.ends_on,
                               status=ListingStatus.OPEN, created_at=now, updated_at=now, project_id=project.id,
                               languages=[ListingLanguage(code=code) for code in codes]))


def project_open(*, actor: Member, partner: Partner | None, fields: ProjectFields, tasks: list[str],
                 category_id: int | None) -> Project:
    """Open a project paid by ``partner`` (None: the community account), with the tasks it needs."""
    if not may_sponsor(actor, partner):
        raise NotAllowed(_l("Only coordinators and a partner's representatives can open a project."))
    if partner is not None and not partner.is_active:
        raise NotAllowed(_l("This partner is suspended: it cannot open a project for now."))
    project = Project(opened_by_id=actor.id, partner_id=partner.id if partner else None,
                      status=ProjectStatus.OPEN, created_at=utcnow())
    _apply(project, fields)
    titles = _task_titles(tasks)
    if not titles:
        raise DomainError(_l("Please name at least one task the project needs."), field="tasks")

    def work():
        category = _category(category_id)
        db.session.add(project)
        db.session.flush()
        _add_tasks(project, titles, category, actor)
        audit(actor=actor, action="project_opened", target=f"project {project.id}", title=project.title,
              partner=partner.name if partner else None)
        return project

    return atomic(work)


def project_update(*, actor: Member, project: Project, fields: ProjectFields, tasks: list[str] | None = None,
                   category_id: int | None = None) -> Project:
    """Change a project's words, goal and dates, and add tasks to it."""
    check_manage(actor, project)
    titles = _task_titles(tasks or [])

    def work():
        current = lock_fresh(project)
        if not current.is_open:
            raise InvalidTransition(_l("This project is closed."))
        _apply(current, fields)
        if titles:
            _add_tasks(current, titles, _category(category_id), actor)
        db.session.execute(sa.update(Listing).where(Listing.project_id == current.id,
                                                    Listing.status == ListingStatus.OPEN)
                           .values(ends_on=current.ends_on))
        audit(actor=actor, action="project_changed", target=f"project {current.id}", title=current.title)
        return current

    return atomic(work)


def project_close(*, actor: Member, project: Project, key: str | None = None) -> Project:
    """Close a project: its tasks close; hours already stated can still be confirmed or declined."""
    check_manage(actor, project)

    def work():
        _use, replayed = form_claim(member_id=actor.id, key=key, action="project_close", target=project.id)
        current = lock_fresh(project)
        if replayed:
            return current
        if not current.is_open:
            raise InvalidTransition(_l("This project is already closed."))
        current.status, current.closed_at = ProjectStatus.CLOSED, utcnow()
        db.session.execute(sa.update(Listing).where(Listing.project_id == current.id)
                           .values(status=ListingStatus.CLOSED, updated_at=utcnow()))
        audit(actor=actor, action="project_closed", target=f"project {current.id}", title=current.title)
        return current

    return atomic(work)


def task_join(*, member: Member, task: Listing, shown: bool, key: str | None = None) -> Participation:
    """A resident joins a task; ``shown``: her name may appear on the project's page. Joining again changes it."""
    if ledger.account_of(member) is None or not member.is_active_member:
        raise NotAllowed(_l("Your account is not open yet: a coordinator must approve your membership."))
    project = db.session.get(Project, task.project_id) if task.project_id else None
    if project is None or not may_see(member, project):
        raise NotAllowed(_l("This is not a task of a project."))

    def work():
        _use, replayed = form_claim(member_id=member.id, key=key, action="task_join", target=task.id)
        current = lock_fresh(project)  # one join at a time per project: no duplicate row
        row = db.session.scalar(sa.select(Participation).where(Participation.task_id == task.id,
                                                               Participation.member_id == member.id))
        if replayed and row is not None:
            return row
        if not current.is_open or task.status is not ListingStatus.OPEN:
            raise InvalidTransition(_l("This project is closed: its tasks cannot be joined any more."))
        if current.hidden:
            raise InvalidTransition(_l("This project is paused for now."))
        if row is None:
            row = Participation(project_id=current.id, task_id=task.id, member_id=member.id, created_at=utcnow())
            db.session.add(row)
        row.shown = bool(shown)
        db.session.flush()
        return row

    return atomic(work)


# Reading ---------------------------------------------------------------------------------------------------------


def projects_list(*, viewer: Member | None) -> list[Project]:
    """Open projects first (newest first), then closed ones; a suspended partner's only for those who manage."""
    found = db.session.scalars(sa.select(Project).options(joinedload(Project.partner))
                               .order_by(Project.status != ProjectStatus.OPEN, Project.id.desc())).all()
    return [project for project in found if may_see(viewer, project)]


def tasks_of(project: Project) -> list[Listing]:
    return list(db.session.scalars(sa.select(Listing).where(Listing.project_id == project.id)
                                   .order_by(Listing.id).options(joinedload(Listing.category))))


def participations_of(*, member: Member, project: Project) -> list[Participation]:
    return list(db.session.scalars(sa.select(Participation).where(
        Participation.member_id == member.id, Participation.project_id == project.id).order_by(Participation.id)
        .options(joinedload(Participation.task))))


def sponsor_name(project: Project) -> str:
    return project.partner.name if project.partner is not None else str(_l("Community account"))


def project_of(listing: Listing) -> Project | None:
    """The project a listing is a task of (a template global: "for the project …")."""
    if not listing.project_id:
        return None
    carried = getattr(listing, "project", None)  # a card record (timebank.listings.cards) carries its title
    return carried if carried is not None else db.session.get(Project, listing.project_id)
