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


@bp.get("/")
@coordinator_required
def index():
    pending = services.member_pending_list()
    return render_template("coordination/index.html", pending=pending, form=DecisionForm())


@bp.post("/members/<id:member_id>/decide")
@coordinator_required
def decide(member_id: int):
    member = db.session.get(Member, member_id) or abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        pending = services.member_pending_list()
        return render_template("coordination/index.html", pending=pending, form=form), 422
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
        pending = services.member_pending_list()
        return render_template("coordination/index.html", pending=pending, form=DecisionForm()), error.status_code
    return redirect(url_for("coordination.index"), 303)
