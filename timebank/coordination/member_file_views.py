"""The member file: a member seen by the coordinators, and each change they make to it from there."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.coordination.views import _welcome_sheet, bp
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.members.models import Member
from timebank.security import coordinator_required


# A member, seen by the coordinators -------------------------------------------------------


def _member_page(member: Member, code: int = 200, **forms):
    from timebank.audit import audit_entries
    from timebank.coordination.records import audit_lines
    from timebank.coordination.forms import (
        BrokeredForm,
        HelperForm,
        LimitsForm,
        NewPasswordForm,
        NoteForm,
        OrientationForm,
        RecordForm,
        SessionsForm,
        StatusForm,
        UnverifyForm,
        VerifyForm,
        WarnForm,
    )
    from timebank.coordination.permissions import may_manage
    from timebank.coordination.services import notes_of, warnings_of
    from timebank.coordination.vetting import verifications_of
    from timebank.ledger import services as ledger
    from timebank.members.services import members_active

    from timebank.coordination.member_file import member_waiting

    account = ledger.account_of(member)
    limits = forms.get("limits") or LimitsForm.of(account)
    return render_template(
        "coordination/member.html", member=member, account=account,
        balance=ledger.balance_of(account) if account else None, notes=notes_of(member=member),
        entries=audit_lines(audit_entries(member=member, limit=50), admin=current_user.is_admin),
        note_form=forms.get("note") or NoteForm(),
        password_form=NewPasswordForm(), brokered_form=forms.get("brokered") or BrokeredForm(),
        record_form=forms.get("record") or RecordForm(members=[m for m in members_active() if m.id != member.id]),
        status_form=forms.get("status") or StatusForm(), limits_form=limits, error=forms.get("error"),
        orientation_form=forms.get("orientation") or OrientationForm(formdata=None, on=member.orientation_on),
        verify_form=forms.get("verify") or VerifyForm(), unverify_form=forms.get("unverify") or UnverifyForm(),
        warn_form=forms.get("warn") or WarnForm(), helper_form=forms.get("helper") or HelperForm(),
        sessions_form=forms.get("sessions") or SessionsForm(),
        verifications=verifications_of(member), warnings=warnings_of(member),
        waiting=member_waiting(member), open_section=_SECTIONS.get(next(iter(forms.keys() - {"error"}), ""), "")
        or (request.args.get("open") if request.args.get("open") in _FOLDED else ""),
        statement=ledger.statement(account=account, page=1, per_page=10) if account else None,
        manageable=may_manage(actor=current_user, member=member)), code


# Which section of the member file holds each form: the one whose form was refused opens again.
_SECTIONS = {"record": "exchanges", "brokered": "exchanges", "orientation": "vetting", "verify": "vetting",
             "helper": "helper", "limits": "limits", "note": "notes", "warn": "warnings", "sessions": "account",
             "status": "status", "unverify": "unverify"}
_FOLDED = {"exchanges", "vetting", "helper", "limits", "notes", "warnings", "account"}


@bp.get("/members/<id:member_id>")
@coordinator_required
def member(member_id: int):
    return _member_page(db.session.get(Member, member_id) or abort(404))


def _member_step(member_id: int, form_class, name: str, action, success: str):
    member = db.session.get(Member, member_id) or abort(404)
    form = form_class()
    if not form.validate_on_submit():
        return _member_page(member, 422, **{name: form})
    try:
        action(member, form)
    except DomainError as error:
        db.session.rollback()
        if error.field and error.field in form:  # next to its field, in its own section
            form[error.field].errors = [*form[error.field].errors, error.message]
            return _member_page(db.session.get(Member, member_id), error.status_code, **{name: form})
        return _member_page(db.session.get(Member, member_id), error.status_code, error=error.message, **{name: form})
    flash(success, "success")
    section = _SECTIONS.get(name, "")
    if section not in _FOLDED:
        return redirect(url_for("coordination.member", member_id=member_id), 303)
    # The section she just used stays open (a new note, a second exchange to record…).
    return redirect(url_for("coordination.member", member_id=member_id, open=section, _anchor=section), 303)


@bp.post("/members/<id:member_id>/notes")
@coordinator_required
def add_note(member_id: int):
    from timebank.coordination.forms import NoteForm
    from timebank.coordination.services import note_add

    return _member_step(member_id, NoteForm, "note",
                        lambda m, f: note_add(member=m, author=current_user, body=f.body.data),
                        _("The note is saved."))


@bp.post("/members/<id:member_id>/status")
@coordinator_required
def change_status(member_id: int):
    from timebank.coordination.forms import StatusForm
    from timebank.coordination.services import member_reactivate, member_suspend

    def act(m, f):
        if f.suspend.data:
            member_suspend(member=m, actor=current_user, reason=f.reason.data)
        elif f.reactivate.data:
            member_reactivate(member=m, actor=current_user, reason=f.reason.data)
        else:
            abort(400)

    return _member_step(member_id, StatusForm, "status", act, _("The membership is updated."))


@bp.post("/members/<id:member_id>/limits")
@coordinator_required
def change_limits(member_id: int):
    from timebank.coordination.forms import LimitsForm
    from timebank.coordination.services import member_set_limits

    def act(m, f):
        member_set_limits(member=m, actor=current_user, floor=f.floor, ceiling=f.ceiling, reason=f.reason.data)

    return _member_step(member_id, LimitsForm, "limits", act, _("The limits are changed."))


@bp.post("/members/<id:member_id>/password")
@coordinator_required
def member_password(member_id: int):
    from timebank.coordination.forms import NewPasswordForm
    from timebank.coordination.services import member_new_password

    member = db.session.get(Member, member_id) or abort(404)
    if not NewPasswordForm().validate_on_submit():
        abort(400)
    try:
        password = member_new_password(member=member, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        return _member_page(db.session.get(Member, member_id), error.status_code, error=error.message)
    return _welcome_sheet(member, password)


@bp.post("/members/<id:member_id>/brokered")
@coordinator_required
def change_brokered(member_id: int):
    from timebank.coordination.forms import BrokeredForm
    from timebank.coordination.services import member_set_brokered

    def act(m, f):
        if not (f.enable.data or f.disable.data):
            abort(400)
        member_set_brokered(member=m, actor=current_user, brokered=bool(f.enable.data), reason=f.reason.data)

    return _member_step(member_id, BrokeredForm, "brokered", act, _("Saved."))


@bp.post("/members/<id:member_id>/record")
@coordinator_required
def record_exchange(member_id: int):
    from timebank.coordination.forms import RecordForm
    from timebank.exchanges.past import exchange_record_brokered
    from timebank.members.services import members_active

    def act(m, f):
        provider = db.session.get(Member, int(f.provider.data)) or abort(404)
        exchange_record_brokered(coordinator=current_user, provider=provider, recipient=m,
                                 minutes=f.total_minutes, title=f.title.data, key=f.key.data)

    member = db.session.get(Member, member_id) or abort(404)
    others = [m for m in members_active() if m.id != member.id]
    return _member_step(member_id, lambda: RecordForm(members=others), "record", act,
                        _("The exchange is recorded. Both people are told."))


# Vetting, verification, warnings, trusted helpers ---------------------------------------------


@bp.post("/members/<id:member_id>/orientation")
@coordinator_required
def orientation(member_id: int):
    from timebank.coordination.forms import OrientationForm
    from timebank.coordination.vetting import orientation_set

    return _member_step(member_id, OrientationForm, "orientation",
                        lambda m, f: orientation_set(member=m, actor=current_user, on=f.on.data), _("Saved."))


@bp.post("/members/<id:member_id>/verify")
@coordinator_required
def verify(member_id: int):
    from timebank.coordination.forms import VerifyForm
    from timebank.coordination.vetting import verification_grant

    member = db.session.get(Member, member_id) or abort(404)
    return _member_step(member_id, VerifyForm, "verify", lambda m, f: verification_grant(
        member=m, actor=current_user, checked=f.checked.data, expires_on=f.expires_on.data),
        _("%(name)s is now verified.", name=member.display_name))


@bp.post("/members/<id:member_id>/unverify")
@coordinator_required
def unverify(member_id: int):
    from timebank.coordination.forms import UnverifyForm
    from timebank.coordination.vetting import verification_withdraw

    member = db.session.get(Member, member_id) or abort(404)
    return _member_step(member_id, UnverifyForm, "unverify", lambda m, f: verification_withdraw(
        member=m, actor=current_user, reason=f.reason.data),
        _("The verification of %(name)s is withdrawn.", name=member.display_name))


@bp.post("/members/<id:member_id>/warn")
@coordinator_required
def warn(member_id: int):
    from timebank.coordination.forms import WarnForm
    from timebank.coordination.services import member_warn

    return _member_step(member_id, WarnForm, "warn", lambda m, f: member_warn(
        member=m, actor=current_user, body=f.body.data),
        _("The warning is sent. The member will see it the next time they open the app."))


@bp.post("/members/<id:member_id>/helper")
@coordinator_required
def helper(member_id: int):
    from timebank.coordination.acting import helper_set
    from timebank.coordination.forms import HelperForm
    from timebank.members.search import member_find_one

    def act(m, f):
        if f.remove.data:
            helper_set(member=m, helper=None, actor=current_user, reason=f.reason.data)
        elif f.name.data:
            chosen = member_find_one(text=f.number.data or "", private=True)
            helper_set(member=m, helper=chosen, actor=current_user, reason=f.reason.data)
        else:
            abort(400)

    return _member_step(member_id, HelperForm, "helper", act, _("Saved."))


@bp.post("/members/<id:member_id>/sessions")
@coordinator_required
def end_sessions(member_id: int):
    """A member lost her phone: every session and "stay signed in" cookie of hers stops working."""
    from timebank.coordination.forms import SessionsForm
    from timebank.coordination.sessions import member_sessions_end

    member = db.session.get(Member, member_id) or abort(404)
    return _member_step(member_id, SessionsForm, "sessions",
                        lambda m, f: member_sessions_end(member=m, actor=current_user, reason=f.reason.data),
                        _("%(name)s is signed out on every phone and computer.", name=member.display_name))
