"""The coordinators' dashboard (its queues and decisions), the audit log, and members without a phone or e-mail."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.coordination.forms import DecisionForm
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.members import approval
from timebank.members.models import Member
from timebank.security import coordinator_required

bp = Blueprint("coordination", __name__, url_prefix="/coordination")


def _page(form=None, status=200, refused_id=None, report_form=None, report_refused_id=None):
    from timebank.coordination import queues
    from timebank.coordination.forms import report_decision_form
    from timebank.coordination.people import people_list
    from timebank.coordination.services import dashboard_queues

    q = request.args.get("q", "")[:80]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    found = people_list(q=q, sort=request.args.get("sort", "name"), page=page) if q.strip() else None
    if found is not None and page > found.pages:
        abort(404)
    pending, reports, disputes, held = (_queue(read, arg) for read, arg in (
        (queues.applications_page, "applications"), (queues.reports_page, "reports"),
        (queues.disputes_page, "disputes"), (queues.held_page, "held")))
    return render_template("coordination/index.html", form=form or DecisionForm(), reports=reports.items,
                           pending=pending.items, pending_page=pending.page, pending_pages=pending.pages,
                           pagers={"reports": reports, "disputes": disputes, "held": held},
                           report_form=report_form or report_decision_form(), disputes=disputes.items,
                           report_refused_id=report_refused_id,
                           queues=dashboard_queues(), held=held.items, q=q,
                           refused_id=refused_id, found=found), status


@dataclass(frozen=True)
class Pager:
    arg: str  # the query argument naming this queue's page
    page: int
    pages: int
    total: int
    items: list


def _queue(read, arg: str) -> Pager:
    """One page of a queue (50 at a time), and where it stands; a page past the end shows the last one."""
    found = read(page=max(1, request.args.get(arg, 1, type=int) or 1))
    return Pager(arg, found.page, found.pages, found.total, found.items)


@bp.get("/")
@coordinator_required
def index():
    return _page()


@bp.post("/reports/<id:report_id>/decide")
@coordinator_required
def decide_report(report_id: int):
    from timebank.coordination.forms import report_decision_form
    from timebank.listings.models import Report
    from timebank.listings.upkeep import report_handle

    report = db.session.get(Report, report_id) or abort(404)
    form = report_decision_form()
    if not form.validate_on_submit():
        return _page(report_form=form, status=422, report_refused_id=report_id)
    if not (form.hide.data or form.dismiss.data):
        abort(400)
    try:
        report_handle(report=report, actor=current_user, hide=bool(form.hide.data), reason=form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        if error.field == "reason":
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            flash(error.message, "error")
        return _page(report_form=form, status=error.status_code, report_refused_id=report_id)
    flash(_("The listing is hidden. The member who reported it is thanked.") if form.hide.data
          else _("The report is closed. The member who reported it is thanked."), "success")
    return redirect(url_for("coordination.index"), 303)


@bp.post("/members/<id:member_id>/decide")
@coordinator_required
def decide(member_id: int):
    """Approve or decline an application; a refusal shows next to its field, in the applicant's card, with what
    the coordinator typed kept."""
    member = db.session.get(Member, member_id) or abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _page(form=form, status=422, refused_id=member.id)
    try:
        if form.approve.data:
            approval.member_approve(member=member, actor=current_user, message=form.message.data or "",
                                    orientation_on=form.orientation_on.data)
            flash(_("%(name)s is now a member. We have told them by e-mail.", name=member.display_name), "success")
        elif form.decline.data:
            approval.member_decline(member=member, actor=current_user, message=form.message.data or "")
            flash(_("The application of %(name)s is declined. We have told them by e-mail.",
                    name=member.display_name), "success")
        else:
            abort(400)
    except DomainError as error:
        db.session.rollback()
        if error.field in ("message", "orientation_on"):
            form[error.field].errors = [*form[error.field].errors, error.message]
            return _page(form=form, status=error.status_code, refused_id=member_id)
        flash(error.message, "error")  # decided meanwhile, or not allowed: not about a field
        return _page(form=form, status=error.status_code, refused_id=member_id)
    return redirect(url_for("coordination.index"), 303)


@bp.get("/audit")
@coordinator_required
def audit_log():
    from timebank.audit import ACTIONS, audit_entries, audit_kind_label
    from timebank.coordination.records import audit_lines
    from timebank.members.search import SEARCH_MAX, members_find

    action = request.args.get("action") if request.args.get("action") in ACTIONS else None
    person = (request.args.get("person") or "").strip()[:SEARCH_MAX]
    people = None
    if person:
        people = [found.id for found in members_find(text=person, private=True, statuses=None, limit=50)]
    kinds = sorted(((code, audit_kind_label(code)) for code in ACTIONS), key=lambda kind: kind[1].casefold())
    lines = audit_lines(audit_entries(action=action, people=people), admin=current_user.is_admin)
    return render_template("coordination/audit.html", entries=lines, kinds=kinds, chosen=action, person=person)


# Members without a phone or e-mail -----------------------------------------------------------


def _welcome_sheet(member: Member, password: str | None):
    from flask_babel import force_locale

    from timebank.coordination.sheets import sheet_context

    from markupsafe import Markup

    from timebank.coordination.sheets import address_is_local

    # The warning is for the coordinator, on screen: in her language; the sheet is in the member's.
    address = current_app.config["TIMEBANK_BASE_URL"]
    warning = Markup(render_template("coordination/_sheet_warning.html", address=address,
                                     address_local=address_is_local(address)))
    with force_locale(member.locale):
        # Rendered now, not stored: the temporary password exists only on this printed page.
        return (render_template("coordination/welcome_sheet.html", warning=warning,
                                **sheet_context(member, password)), 200, {"Cache-Control": "no-store"})


@bp.get("/members/<id:member_id>/welcome-sheet")
@coordinator_required
def welcome_sheet(member_id: int):
    """Print a member's welcome sheet again (a lost sheet, new details of the association): her password stays."""
    return _welcome_sheet(db.session.get(Member, member_id) or abort(404), None)


@bp.route("/members/new", methods=["GET", "POST"])
@coordinator_required
def member_new():
    from timebank.coordination.forms import OfflineMemberForm
    from timebank.coordination.services import member_create_offline

    form = OfflineMemberForm()
    if request.method == "GET":
        form.locale.data = current_app.config["BABEL_DEFAULT_LOCALE"]
    if form.validate_on_submit():
        try:
            member, password = member_create_offline(
                actor=current_user, display_name=form.display_name.data, phone=form.phone.data or None,
                locale=form.locale.data, area=form.area.data or None, languages=form.languages.data)
        except DomainError as error:
            db.session.rollback()
            if error.field and error.field in form:
                form[error.field].errors = list(form[error.field].errors) + [error.message]
            else:
                flash(error.message, "error")
        else:
            return _welcome_sheet(member, password)
    return render_template("coordination/member_new.html", form=form), 422 if request.method == "POST" else 200
