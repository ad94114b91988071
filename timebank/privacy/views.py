"""The privacy page and a member's own data: what is kept, taking it away, leaving."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from timebank.errors import DomainError

from timebank.extensions import db
from timebank.members.models import Member
from timebank.privacy.forms import ComeBackForm, ConsentForm, EraseNowForm, ExportForm, LeaveForm
from timebank.security import coordinator_required

bp = Blueprint("privacy", __name__)


def _me() -> Member:
    return current_user._get_current_object()


def controller() -> dict:
    """Who answers for the data: the association's name and how to reach it (settings of the instance)."""
    config = current_app.config
    return {"name": config["TIMEBANK_NAME"], "contact": config["TIMEBANK_CONTACT"],
            "address": config.get("TIMEBANK_ADDRESS", "") or "", "phone": config.get("TIMEBANK_PHONE", "") or ""}


@bp.get("/privacy")
def index():
    return render_template("privacy/index.html", controller=controller(), config=current_app.config)


def _zip_response(body: bytes, member):
    from timebank.privacy.export import zip_name

    return Response(body, content_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{zip_name(member)}"', "Cache-Control": "no-store"})


@bp.get("/me/privacy")
@login_required
def mine():
    from timebank.privacy.consents import consents_current
    from timebank.privacy.erasure import erasure_open

    return render_template("privacy/mine.html", consents=consents_current(current_user), reach=_reach(current_user),
                           consent_form=ConsentForm(), leaving=erasure_open(current_user))


def _reach(member) -> dict:
    """Whether texts and phone notifications are on now: the boxes show what is, whatever was recorded."""
    from timebank.notifications.push import has_push

    return {"sms": bool(member.phone) and member.sms_stopped_at is None, "has_phone": bool(member.phone),
            "push": has_push(member)}


@bp.get("/me/data")
@login_required
def download():
    from timebank.privacy.export import member_data_zip

    return _zip_response(member_data_zip(member=_me()), _me())


@bp.get("/coordination/members/<id:member_id>/data")
@coordinator_required
def member_data(member_id: int):
    return _member_data_page(db.session.get(Member, member_id) or abort(404))


def _member_data_page(member, status: int = 200, erase_form=None, error=None):
    from timebank.coordination.permissions import may_manage
    from timebank.privacy.erasure import erasure_open

    return render_template("privacy/member_data.html", member=member, export_form=ExportForm(),
                           erase_form=erase_form or EraseNowForm(), manageable=may_manage(actor=current_user,
                                                                                          member=member),
                           leaving=erasure_open(member), error=error), status


@bp.post("/coordination/members/<id:member_id>/data.zip")
@coordinator_required
def member_data_zip(member_id: int):
    from timebank.privacy.export import member_data_zip_for

    member = db.session.get(Member, member_id) or abort(404)
    if not ExportForm().validate_on_submit():
        return _member_data_page(member, 400)
    return _zip_response(member_data_zip_for(member=member, actor=_me()), member)


@bp.post("/me/privacy")
@login_required
def consents():
    from timebank.privacy.consents import consents_current, consents_save

    form = ConsentForm()
    if not form.validate_on_submit():
        from timebank.privacy.erasure import erasure_open

        return render_template("privacy/mine.html", consents=consents_current(current_user), consent_form=form,
                               reach=_reach(current_user),
                               leaving=erasure_open(current_user)), 422
    shown = _reach(current_user)
    kinds = [kind for kind in form.KINDS if (kind != "sms" or shown["has_phone"]) and (kind != "push" or shown["push"])]
    changed = consents_save(member=_me(), choices={kind: bool(form[kind].data) for kind in kinds})
    flash(_("Your choices are saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("privacy.mine"), 303)


@bp.route("/me/leave", methods=["GET", "POST"])
@login_required
def leave():
    from timebank.privacy.erasure import erasure_open, erasure_request

    form = LeaveForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _leave_page(form, 422)
        try:
            made = erasure_request(member=_me())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return _leave_page(form, error.status_code)
        session[LEAVING] = True
        flash(_("Your request is recorded. Your data will be erased on %(date)s. Until then, you can come back.",
                date=format_date(made.due_at.date())), "success")
        return redirect(url_for("privacy.leave"), 303)
    return _leave_page(form)


def _leave_page(form, status: int = 200):
    from timebank.privacy.erasure import erasure_open

    return render_template("privacy/leave.html", form=form, leaving=erasure_open(current_user),
                           back_form=ComeBackForm()), status


@bp.post("/me/leave/cancel")
@login_required
def come_back():
    from timebank.privacy.erasure import erasure_cancel

    if ComeBackForm().validate_on_submit() and erasure_cancel(member=_me()):
        flash(_("Welcome back! Nothing will be erased. Your listings are paused: open them again when you like."),
              "success")
    session.pop(LEAVING, None)
    return redirect(url_for("privacy.mine"), 303)


@bp.post("/coordination/members/<id:member_id>/erase")
@coordinator_required
def erase_now(member_id: int):
    from timebank.privacy.erasure import member_erase_now

    member = db.session.get(Member, member_id) or abort(404)
    form = EraseNowForm()
    if not form.validate_on_submit():
        return _member_data_page(member, 422, erase_form=form)
    try:
        erased = member_erase_now(member=member, actor=_me(), reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        return _member_data_page(db.session.get(Member, member_id), error.status_code, erase_form=form,
                                 error=error.message)
    flash(_("Member no. %(number)s is erased. The account and its transfers stay.", number=erased.number), "success")
    return redirect(url_for("coordination.member", member_id=member_id), 303)


# Signing in while a request to leave waits: she is offered to come back before anything else.

LEAVING = "privacy_leaving"
_OPEN_WHILE_LEAVING = {"privacy.leave", "privacy.come_back", "privacy.index", "privacy.download", "privacy.mine",
                       "members.logout", "static", "main.manifest", "main.service_worker", "main.offline"}


def _offer_to_come_back(sender, user, **extra) -> None:
    from timebank.privacy.erasure import erasure_open

    if erasure_open(user) is not None:
        session[LEAVING] = True


def leaving_first():
    if session.get(LEAVING) and request.endpoint not in _OPEN_WHILE_LEAVING:
        return redirect(url_for("privacy.leave"))
    return None


def register_privacy(app) -> None:
    """Record sign-ins and agreements where they happen; offer a member who is leaving to come back."""
    from flask_login import user_logged_in

    from timebank.privacy.consents import register_consents

    register_consents(app)
    user_logged_in.connect(_offer_to_come_back, app, weak=False)
    app.before_request(leaving_first)
