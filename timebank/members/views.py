"""Join, sign in and out, reset a password, edit one's profile."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from timebank.errors import DomainError, InvalidToken
from timebank.extensions import limiter
from timebank.members import services
from timebank.members.forms import (
    ChangePasswordForm,
    CharterForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from timebank.members.models import ContactVisibility, Status
from timebank.security import is_safe_next, member_required

bp = Blueprint("members", __name__)


def _login_account_key() -> str:
    """Rate-limit key for one account: the identifier typed, whatever the address."""
    return f"login-account:{services.login_limit_key(request.form.get('identifier') or '')}"


def _failed(response) -> bool:
    # Only failed attempts count towards the limits; a successful sign-in redirects.
    return response.status_code != 302


def _start_session(member, *, remember: bool) -> None:
    # A fresh session at sign-in: nothing from before survives but the language.
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(member, remember=remember, duration=timedelta(days=current_app.config["TIMEBANK_SESSION_DAYS"]))
    session["lang"] = member.locale


def _form_error(form, error: DomainError) -> None:
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(error.message, "error")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    invitation = request.args.get("invite") or None
    if invitation is not None and not services.invitation_valid(invitation):
        flash(_("This invitation link has expired or is not valid. Ask the association for a new one."), "error")
        invitation = None
    if current_app.config["TIMEBANK_REGISTRATION_MODE"] == "invitation" and invitation is None:
        return render_template("members/invitation_only.html"), 403
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = request.args.get("lang") or session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]
    if form.validate_on_submit():
        try:
            member = services.member_register(
                display_name=form.display_name.data,
                email=form.email.data,
                password=form.password.data,
                locale=form.locale.data,
                area=form.area.data,
                languages=form.languages.data,
                charter_accepted=form.charter.data,
                invitation=invitation,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            _start_session(member, remember=False)
            if member.is_active_member:
                flash(_("Welcome, %(name)s! You are now a member.", name=member.first_name), "success")
            else:
                flash(_("Thank you, %(name)s! Your application is received.", name=member.first_name), "success")
            return redirect(url_for("main.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("members/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TIMEBANK_LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed)
@limiter.limit(lambda: current_app.config["TIMEBANK_LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key, deduct_when=_failed)
def login():
    next_page = request.values.get("next")
    if not is_safe_next(next_page):
        next_page = None
    if current_user.is_authenticated:
        return redirect(next_page or url_for("main.index"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            member = services.member_authenticate(
                identifier=form.identifier.data, password=form.password.data
            )
            if member is not None:
                _start_session(member, remember=form.remember.data)
                return redirect(next_page or url_for("main.index"))
            status = 401
            # The same words whether the account exists or not.
            form.password.errors.append(_("This e-mail address or member number and this password do not match."))
    return render_template("members/login.html", form=form, next_page=next_page), status


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        language, forget = session.get("lang"), session.get("_remember")
        session.clear()
        if language:
            session["lang"] = language
        if forget:  # Flask-Login's word to delete the "stay signed in" cookie: clearing the session must keep it
            session["_remember"] = forget
        flash(_("You are signed out. See you soon!"), "success")
    return redirect(url_for("main.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TIMEBANK_RESET_LIMIT"], methods=["POST"])
def password_forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.password_reset_request(email=form.email.data)
        flash(
            _("If an account uses this address, we have sent it a link to choose a new password. "
              "Look in your e-mails (and in the spam folder)."),
            "success",
        )
        return redirect(url_for("members.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("members/password_forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    try:
        member = services.password_reset_member(token=token)
    except InvalidToken as error:
        flash(error.message, "error")
        return render_template("members/password_forgot.html", form=ForgotPasswordForm()), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.password_reset_complete(token=token, password=form.password.data)
        flash(_("Your new password is saved. You can sign in with it now."), "success")
        return redirect(url_for("members.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("members/password_reset.html", form=form, member=member), status


@bp.route("/me/profile", methods=["GET", "POST"])
@login_required
def profile():
    if current_user.status in (Status.SUSPENDED, Status.DECLINED):
        return render_template("members/waiting.html"), 403
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.languages.data = current_user.language_codes
        form.contact_visibility.data = current_user.contact_visibility.value
    if form.validate_on_submit():
        services.profile_update(
            member=current_user,
            display_name=form.display_name.data,
            bio=form.bio.data or "",
            area=form.area.data,
            languages=form.languages.data,
            phone=form.phone.data,
            contact_visibility=ContactVisibility(form.contact_visibility.data),
            locale=form.locale.data,
            notify_matches=form.notify_matches.data,
        )
        session["lang"] = current_user.locale
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("members.profile"))
    return _profile_page(form=form, status=422 if request.method == "POST" else 200)


def _profile_page(*, form=None, password_form=None, status=200):
    from timebank.members.forms import EmailPreferencesForm
    from timebank.notifications.services import email_preferences

    if form is None:
        form = ProfileForm(formdata=None, obj=current_user)
        form.languages.data = current_user.language_codes
        form.contact_visibility.data = current_user.contact_visibility.value
    emails = EmailPreferencesForm(formdata=None, data=email_preferences(member=current_user))
    return render_template("members/profile.html", form=form, emails=emails,
                           password_form=password_form or ChangePasswordForm()), status


@bp.post("/me/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.password_change(member=current_user, current=form.current_password.data,
                                     new=form.new_password.data)
        except DomainError as error:
            form.current_password.errors = list(form.current_password.errors) + [error.message]
        else:
            flash(_("Your new password is saved."), "success")
            return redirect(url_for("members.profile"), 303)
    return _profile_page(password_form=form, status=422)


@bp.post("/me/email-preferences")
@login_required
def email_preferences():
    from timebank.members.forms import EmailPreferencesForm
    from timebank.notifications.services import email_preferences_set

    form = EmailPreferencesForm()
    if not form.validate_on_submit():
        abort(422)
    email_preferences_set(member=current_user, modes={name: form[name].data
                                                      for name in ("exchanges", "messages", "hours", "matches")})
    flash(_("Your e-mail choices are saved."), "success")
    return redirect(url_for("members.profile"), 303)


# Directory and profiles ----------------------------------------------------


@bp.get("/members")
@member_required
def directory():
    from timebank.listings.forms import SearchForm
    from timebank.listings.services import members_directory

    form = SearchForm(request.args)
    form.validate()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    members, total = members_directory(
        q=request.args.get("name", "")[:80], skill=request.args.get("skill", "")[:200],
        language=form.language.data if not form.language.errors else None,
        area=form.area.data if not form.area.errors else None, page=page, private=current_user.is_coordinator)
    pages = max(1, -(-total // 30))
    if page > pages:
        abort(404)
    args = {key: request.args[key] for key in ("name", "skill", "language", "area") if request.args.get(key)}
    return render_template("members/directory.html", form=form, members=members, total=total, page=page,
                           pages=pages, args=args)


def _member_or_404(member_id: int):
    from timebank.extensions import db
    from timebank.members.models import Member

    member = db.session.get(Member, member_id)
    visible = member is not None and (member.is_active_member or current_user.is_coordinator)
    if not visible:
        abort(404)
    return member


@bp.get("/members/<id:member_id>")
@member_required
def show(member_id: int):
    from timebank.listings.services import can_see_contact, member_listings, today

    from timebank.messages.services import has_blocked
    from timebank.messages.views import BlockForm

    member = _member_or_404(member_id)
    return render_template(
        "members/show.html", member=member, listings=member_listings(member=member, viewer=current_user),
        show_contact=can_see_contact(member=member, viewer=current_user),
        today=today(), block_form=BlockForm(), blocked=has_blocked(blocker=current_user, blocked=member))


@bp.route("/members/<id:member_id>/report", methods=["GET", "POST"])
@member_required
def report(member_id: int):
    from timebank.listings.views import report_page

    member = _member_or_404(member_id)
    return report_page(back=url_for("members.show", member_id=member.id), member=member)


@bp.route("/me/charter", methods=["GET", "POST"])
@login_required
def charter():
    """The charter changed: the member reads it and accepts it again before going on."""
    form = CharterForm()
    if form.validate_on_submit():
        services.charter_accept(member=current_user)
        flash(_("Thank you."), "success")
        return redirect(url_for("main.index"), 303)
    return render_template("members/charter.html", form=form), 422 if request.method == "POST" else 200


# Endpoints a member who has not accepted the new charter may still reach.
_OPEN_WITHOUT_CHARTER = {"static", "members.charter", "members.logout", "main.health", "main.logo"}


def note_activity():
    """Keep the member's last activity (for the admins), at most once an hour."""
    if current_user.is_authenticated and request.endpoint not in (None, "static"):
        services.member_seen(current_user)


def charter_first():
    if (current_user.is_authenticated and request.endpoint not in _OPEN_WITHOUT_CHARTER
            and request.endpoint is not None and services.charter_pending(current_user)):
        return redirect(url_for("members.charter"), 303)
    return None
