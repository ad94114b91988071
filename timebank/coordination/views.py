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
    from timebank.listings.services import report_handle

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
