"""The projects' pages: the list, one project with its tasks and progress, opening and editing, and the steps."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.errors import DomainError
from timebank.extensions import db
from timebank.listings.models import Listing
from timebank.listings.services import categories
from timebank.partners.access import partners_of
from timebank.partners.models import Partner
from timebank.partners.services import partners
from timebank.projects import hours as hours_service
from timebank.projects import services as service
from timebank.projects.access import may_manage, may_see, may_sponsor
from timebank.projects.forms import COMMUNITY, CloseForm, DecideForm, HoursForm, JoinForm, ProjectEditForm, ProjectForm
from timebank.projects.models import Participation, Project, ProjectHours
from timebank.security import member_required

bp = Blueprint("projects", __name__)


def _viewer():
    return current_user if current_user.is_authenticated else None


def _project_or_404(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None or not may_see(_viewer(), project):
        abort(404)
    return project


def _managed_or_403(project_id: int) -> Project:
    project = _project_or_404(project_id)
    if not may_manage(current_user, project):
        abort(403)
    return project


@bp.get("/projects")
def index():
    found = service.projects_list(viewer=_viewer())
    return render_template("projects/index.html", projects=found,
                           progress={project.id: hours_service.progress(project) for project in found},
                           may_open=bool(_sponsors()))


def _hours_form(participation_id: int) -> HoursForm:
    return HoursForm(prefix=f"p{participation_id}")


def _show_page(project: Project, status: int = 200, error: str | None = None, hours_form: HoursForm | None = None):
    viewer = _viewer()
    member = viewer if viewer is not None and viewer.is_active_member else None
    manager = may_manage(viewer, project)
    mine = service.participations_of(member=member, project=project) if member is not None else []
    return render_template(
        "projects/show.html", project=project, sponsor=service.sponsor_name(project),
        tasks=service.tasks_of(project), progress=hours_service.progress(project),
        names=hours_service.shown_names(project) if member is not None else [],
        mine=mine, joined={row.task_id for row in mine},
        hours_forms={row.id: hours_form if hours_form is not None and hours_form._prefix == f"p{row.id}-"
                     else _hours_form(row.id) for row in mine},
        my_hours=hours_service.hours_of(member=member, project=project) if member is not None else [],
        waiting=hours_service.hours_waiting(project) if manager else [], manager=manager,
        join_form=JoinForm(), decide_form=DecideForm(), close_form=CloseForm(),
        error=error), status


@bp.get("/projects/<id:project_id>")
def show(project_id: int):
    return _show_page(_project_or_404(project_id))


def _sponsors() -> list[tuple[str, str]]:
    """Who the viewer may open a project for: the community account (coordinators) and partners."""
    viewer = _viewer()
    if viewer is None or not viewer.is_active_member:
        return []
    found = partners() if viewer.is_coordinator else [p for p in partners_of(viewer) if p.is_active]
    choices = [(COMMUNITY, _("Community account"))] if may_sponsor(viewer, None) else []
    return choices + [(str(partner.id), partner.name) for partner in found]


def _field_error(form, error: DomainError) -> None:
    target = form._fields.get(error.field or "")
    if target is not None and isinstance(target.errors, list):
        target.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


@bp.route("/projects/new", methods=["GET", "POST"])
@member_required
def new():
    sponsors = _sponsors()
    if not sponsors:
        abort(403)
    form = ProjectForm(sponsors=sponsors, categories=categories())
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("projects/new.html", form=form), 200 if request.method == "GET" else 422
    partner = None if form.sponsor.data == COMMUNITY else db.session.get(Partner, int(form.sponsor.data))
    try:
        project = service.project_open(actor=current_user, partner=partner, fields=form.fields(),
                                       tasks=form.task_titles(), category_id=form.category_id())
    except DomainError as error:
        db.session.rollback()
        _field_error(form, error)
        return render_template("projects/new.html", form=form), 422 if error.status_code == 400 else error.status_code
    flash(_("The project is open: residents can join its tasks."), "success")
    return redirect(url_for("projects.show", project_id=project.id), 303)


@bp.route("/projects/<id:project_id>/edit", methods=["GET", "POST"])
@member_required
def edit(project_id: int):
    project = _managed_or_403(project_id)
    form = ProjectEditForm(obj=None if request.method == "POST" else project, categories=categories())
    if request.method == "GET":
        form.goal_hours.data = project.goal_minutes // 60
        return render_template("projects/edit.html", form=form, project=project)
    if not form.validate_on_submit():
        return render_template("projects/edit.html", form=form, project=project), 422
    try:
        service.project_update(actor=current_user, project=project, fields=form.fields(), tasks=form.task_titles(),
                               category_id=form.category_id())
    except DomainError as error:
        db.session.rollback()
        _field_error(form, error)
        return render_template("projects/edit.html", form=form, project=db.session.get(Project, project_id)), \
            422 if error.status_code == 400 else error.status_code
    flash(_("The project is saved."), "success")
    return redirect(url_for("projects.show", project_id=project_id), 303)


@bp.post("/projects/<id:project_id>/close")
@member_required
def close(project_id: int):
    project = _managed_or_403(project_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _show_page(project, 422, _("Please send the form from the project's page."))
    try:
        service.project_close(actor=current_user, project=project, key=form.key.data)
    except DomainError as error:
        db.session.rollback()
        return _show_page(db.session.get(Project, project_id), error.status_code, error.message)
    flash(_("The project is closed."), "success")
    return redirect(url_for("projects.show", project_id=project_id), 303)


@bp.post("/projects/tasks/<id:task_id>/join")
@member_required
def join(task_id: int):
    task = db.session.get(Listing, task_id)
    if task is None or task.project_id is None:
        abort(404)
    project = _project_or_404(task.project_id)
    form = JoinForm()
    if not form.validate_on_submit():
        return _show_page(project, 422, _("Please send the form from the project's page."))
    try:
        service.task_join(member=current_user, task=task, shown=form.shown.data, key=form.key.data)
    except DomainError as error:
        db.session.rollback()
        return _show_page(db.session.get(Project, project.id), error.status_code, error.message)
    flash(_("Thank you for taking part! Say your hours on this page once you have given them."), "success")
    return redirect(url_for("projects.show", project_id=project.id), 303)


@bp.post("/projects/participations/<id:participation_id>/hours")
@member_required
def hours(participation_id: int):
    participation = db.session.get(Participation, participation_id)
    if participation is None or participation.member_id != current_user.id:
        abort(404)
    project = _project_or_404(participation.project_id)
    form = _hours_form(participation_id)
    if not form.validate_on_submit():
        return _show_page(project, 422, _("Please check the hours you gave."), hours_form=form)
    try:
        hours_service.hours_state(member=current_user, participation=participation, minutes=form.total_minutes,
                                  note=form.note.data or "", key=form.key.data)
    except DomainError as error:
        db.session.rollback()
        return _show_page(db.session.get(Project, project.id), error.status_code, error.message)
    flash(_("Your hours are sent: a coordinator or the sponsor will confirm them."), "success")
    return redirect(url_for("projects.show", project_id=project.id), 303)


@bp.post("/projects/hours/<id:hours_id>/decide")
@member_required
def decide(hours_id: int):
    row = db.session.get(ProjectHours, hours_id) or abort(404)
    project = _managed_or_403(row.participation.project_id)
    form = DecideForm()
    if not form.validate_on_submit() or not (form.confirm.data or form.decline.data):
        return _show_page(project, 422, _("Please send the form from the project's page."))
    try:
        if form.confirm.data:
            hours_service.hours_confirm(actor=current_user, hours=row, key=form.key.data)
        else:
            hours_service.hours_decline(actor=current_user, hours=row, reason=form.reason.data or "",
                                        key=form.key.data)
    except DomainError as error:
        db.session.rollback()
        return _show_page(db.session.get(Project, project.id), error.status_code if error.status_code != 400
                          else 422, error.message)
    flash(_("Confirmed: the hours went to the resident.") if form.confirm.data else
          _("Declined: the resident is told why."), "success")
    return redirect(url_for("projects.show", project_id=project.id), 303)
