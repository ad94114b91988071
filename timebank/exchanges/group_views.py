"""Group sessions: one helper, several members, each paying a share; their routes join the exchanges blueprint
(the app factory imports this module before it registers the blueprint)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.errors import DomainError
from timebank.exchanges import groups as group_sessions
from timebank.exchanges.forms import StepForm
from timebank.exchanges.views import bp
from timebank.extensions import db
from timebank.ledger.forms import new_key
from timebank.members.models import Member
from timebank.security import member_required
from timebank.timeutil import utcnow


@bp.get("/groups")
@member_required
def groups():
    return render_template("exchanges/groups.html", open_sessions=group_sessions.groups_open(),
                           mine=group_sessions.groups_of(member=current_user))


@bp.route("/groups/new", methods=["GET", "POST"])
@member_required
def group_new():
    from timebank.exchanges.forms import GroupForm

    form = GroupForm()
    status = 200
    if form.validate_on_submit():
        try:
            session = group_sessions.group_create(
                provider=current_user, title=form.title.data, description=form.description.data or "",
                on_date=form.on_date.data, at_time=form.at_time.data, share_minutes=form.total_minutes,
                max_participants=form.max_participants.data, key=form.key.data)
        except DomainError as error:
            (form.hours.errors if error.field == "minutes" else
             form[error.field].errors if error.field in form else form.form_errors).append(error.message)
            status = error.status_code
        else:
            flash(_("Your group session is announced. Members can join it."), "success")
            return redirect(url_for("exchanges.group", session_id=session.id), 303)
    elif request.method == "POST":
        status = 422
    return render_template("exchanges/group_new.html", form=form), status


def _group_or_404(session_id: int):
    session = group_sessions.group_with_people(session_id)
    if session is None:
        abort(404)
    return session


@bp.get("/groups/<id:session_id>")
@member_required
def group(session_id: int, status: int = 200, error: str | None = None):
    session = _group_or_404(session_id)
    return render_template("exchanges/group.html", session=session, step_form=StepForm(), error=error,
                           joined=any(p.member_id == current_user.id for p in session.joined),
                           today=utcnow().date(), form_key=new_key()), status


def _group_step(session_id: int, action, success: str):
    """Run one step of a session; ``action(session, key)``, where ``key`` is the form's (or None)."""
    session = _group_or_404(session_id)
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(session, form.key.data or None)
    except DomainError as error:
        db.session.rollback()
        return group(session_id, status=error.status_code, error=error.message)
    flash(success, "success")
    return redirect(url_for("exchanges.group", session_id=session_id), 303)


@bp.post("/groups/<id:session_id>/join")
@member_required
def group_join(session_id: int):
    return _group_step(session_id, lambda s, key: group_sessions.group_join(session=s, member=current_user, key=key),
                       _("You are registered. Your share of hours is reserved."))


@bp.post("/groups/<id:session_id>/leave")
@member_required
def group_leave(session_id: int):
    return _group_step(session_id, lambda s, key: group_sessions.group_leave(session=s, actor=current_user,
                                                                             member=current_user, key=key),
                       _("You left the session. Your hours are released."))


@bp.post("/groups/<id:session_id>/remove/<id:member_id>")
@member_required
def group_remove(session_id: int, member_id: int):
    member = db.session.get(Member, member_id) or abort(404)
    return _group_step(session_id, lambda s, key: group_sessions.group_leave(session=s, actor=current_user,
                                                                             member=member, key=key),
                       _("%(name)s is removed from the session; their hours are released.", name=member.display_name))


@bp.post("/groups/<id:session_id>/complete")
@member_required
def group_complete(session_id: int):
    return _group_step(session_id, lambda s, key: group_sessions.group_complete(session=s, actor=current_user, key=key),
                       _("The session is confirmed. Every participant's share has moved to you."))


@bp.post("/groups/<id:session_id>/cancel")
@member_required
def group_cancel(session_id: int):
    return _group_step(session_id, lambda s, key: group_sessions.group_cancel(session=s, actor=current_user, key=key),
                       _("The session is cancelled. Every participant's hours are released."))
