from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.coordination.forms import DecisionForm
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.members import services
from timebank.members.models import Member
from timebank.security import coordinator_required

bp = Blueprint("coordination", __name__, url_prefix="/coordination")


def _page(form=None, status=200):
    from timebank.listings.forms import ReportDecisionForm
    from timebank.listings.services import reports_open

    from timebank.exchanges.services import disputes_open

    return render_template("coordination/index.html", pending=services.member_pending_list(),
                           form=form or DecisionForm(), reports=reports_open(),
                           report_form=ReportDecisionForm(), disputes=disputes_open()), status


@bp.get("/")
@coordinator_required
def index():
    return _page()


@bp.post("/reports/<id:report_id>/decide")
@coordinator_required
def decide_report(report_id: int):
    from timebank.listings.forms import ReportDecisionForm
    from timebank.listings.models import Report
    from timebank.listings.services import report_handle

    report = db.session.get(Report, report_id) or abort(404)
    form = ReportDecisionForm()
    if not form.validate_on_submit() or not (form.hide.data or form.dismiss.data):
        abort(400)
    try:
        report_handle(report=report, actor=current_user, hide=bool(form.hide.data))
    except DomainError as error:
        flash(error.message, "error")
        return _page(status=error.status_code)
    flash(_("The listing is hidden. The member who reported it is thanked.") if form.hide.data
          else _("The report is closed. The member who reported it is thanked."), "success")
    return redirect(url_for("coordination.index"), 303)


@bp.post("/members/<id:member_id>/decide")
@coordinator_required
def decide(member_id: int):
    member = db.session.get(Member, member_id) or abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return _page(form=form, status=422)
    try:
        if form.approve.data:
            services.member_approve(member=member, actor=current_user, message=form.message.data or "")
            flash(_("%(name)s is now a member. We have told them by e-mail.", name=member.display_name), "success")
        elif form.decline.data:
            services.member_decline(member=member, actor=current_user, message=form.message.data or "")
            flash(_("The application of %(name)s is declined. We have told them by e-mail.",
                    name=member.display_name), "success")
        else:
            abort(400)
    except DomainError as error:
        flash(error.message, "error")
        return _page(status=error.status_code)
    return redirect(url_for("coordination.index"), 303)
