"""The people page (admins only): everyone, roles, invitation links."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.admin.forms import InvitationForm, InvitationRevokeForm, RoleForm
from timebank.admin.people import member_set_role, people_search
from timebank.admin.views import bp
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.members.models import Member, Role, Status
from timebank.members.invitations import Invitation, invitation_create, invitation_revoke, invitations_recent
from timebank.security import admin_required
from timebank.timeutil import utcnow


def _page(status: int = 200, invitation_form=None, link: str | None = None):
    q = request.args.get("q", "")[:80]
    chosen_status = request.args.get("status") if request.args.get("status") in {s.value for s in Status} else None
    chosen_role = request.args.get("role") if request.args.get("role") in {r.value for r in Role} else None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    result = people_search(q=q, status=Status(chosen_status) if chosen_status else None,
                           role=Role(chosen_role) if chosen_role else None, page=page,
                           sort=request.args.get("sort", "joined"))
    if page > result.pages:
        abort(404)
    args = {key: value for key, value in (("q", q), ("status", chosen_status), ("role", chosen_role)) if value}
    return render_template("admin/people.html", result=result, q=q, chosen_status=chosen_status,
                           chosen_role=chosen_role, args=args, invitation_form=invitation_form or InvitationForm(),
                           link=link, invitations=invitations_recent(), revoke_form=InvitationRevokeForm(),
                           now=utcnow()), status


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
    try:
        token = invitation_create(actor=current_user, note=form.note.data, uses=form.uses.data, days=form.days.data,
                                  approve_at_once=form.approve_at_once.data)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return _page(error.status_code if error.status_code != 400 else 422, invitation_form=form)
    link = f"{current_app.config['TIMEBANK_BASE_URL']}{url_for('members.register', invite=token)}"
    return _page(invitation_form=InvitationForm(formdata=None), link=link)


@bp.post("/people/invitations/<id:invitation_id>/revoke")
@admin_required
def invitation_revoke_view(invitation_id: int):
    invitation = db.session.get(Invitation, invitation_id) or abort(404)
    if not InvitationRevokeForm().validate_on_submit():
        abort(400)
    invitation_revoke(actor=current_user, invitation=invitation)
    flash(_("The invitation link “%(note)s” is withdrawn: nobody can join with it any more.", note=invitation.note),
          "success")
    return redirect(url_for("admin.people"), 303)


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
