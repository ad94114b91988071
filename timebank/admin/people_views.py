"""The people page (admins only): everyone, roles, invitation links."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.admin.forms import InvitationForm, RoleForm
from timebank.admin.people import member_set_role, people_search
from timebank.admin.views import bp
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.members.models import Member, Role, Status
from timebank.members.services import INVITATION_DAYS, invitation_create
from timebank.security import admin_required


def _page(status: int = 200, invitation_form=None, link: str | None = None):
    q = request.args.get("q", "")[:80]
    chosen_status = request.args.get("status") if request.args.get("status") in {s.value for s in Status} else None
    chosen_role = request.args.get("role") if request.args.get("role") in {r.value for r in Role} else None
    page = request.args.get("page", 1, type=int) or 1
    result = people_search(q=q, status=Status(chosen_status) if chosen_status else None,
                           role=Role(chosen_role) if chosen_role else None, page=page)
    if page > result.pages:
        abort(404)
    args = {key: value for key, value in (("q", q), ("status", chosen_status), ("role", chosen_role)) if value}
    return render_template("admin/people.html", result=result, q=q, chosen_status=chosen_status,
                           chosen_role=chosen_role, args=args, invitation_form=invitation_form or InvitationForm(),
                           link=link, days=INVITATION_DAYS), status


@bp.get("/people")
@admin_required
def people():
    return _page()


@bp.post("/people/invitations")
@admin_required
def invitation():
    form = InvitationForm()
    if not form.validate_on_submit():
        return _page(422, invitation_form=form)
    token = invitation_create(actor=current_user, note=form.note.data)
    link = f"{current_app.config['TIMEBANK_BASE_URL']}{url_for('members.register', invite=token)}"
    return _page(invitation_form=InvitationForm(formdata=None), link=link)


@bp.route("/people/<id:member_id>/role", methods=["GET", "POST"])
@admin_required
def role(member_id: int):
    member = db.session.get(Member, member_id) or abort(404)
    form = RoleForm()
    if request.method == "GET":
        form.role.data = member.role.value
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                member_set_role(member=member, actor=current_user, role=Role(form.role.data), reason=form.reason.data)
            except DomainError as error:
                db.session.rollback()
                form.form_errors.append(error.message)
                status = error.status_code
            else:
                flash(_("The role of %(name)s is changed.", name=member.display_name), "success")
                return redirect(url_for("coordination.member", member_id=member.id), 303)
        else:
            status = 422
    return render_template("admin/role.html", member=member, form=form), status
