"""Join, sign in and out, reset a forgotten password; a signed-in member's last activity."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from timebank.errors import DomainError, InvalidToken
from timebank.extensions import limiter
from timebank.members import services, signin
from timebank.members.forms import ForgotPasswordForm, LoginForm, LogoutForm, RegisterForm, ResetPasswordForm
from timebank.security import is_safe_next

bp = Blueprint("members", __name__)


def _login_account_key() -> str:
    """Rate-limit key for one account guessed from one address.

    Keyed on the account alone, anyone could lock any member out by typing wrong passwords for her; with
    the address too, a stranger only stops himself, and Karim still signs in from his own phone.
    """
    account = signin.login_limit_key(request.form.get("identifier") or "")
    return f"login-account:{account}@{get_remote_address()}"


def _account_anywhere_key() -> str:
    return f"login-account-anywhere:{signin.login_limit_key(request.form.get('identifier') or '')}"


# A phone or computer where a member signed in, or chose a new password from the e-mailed link, keeps a
# signed list of those members: it is not held back when strangers elsewhere guess her password.
DEVICE_COOKIE = "timebank_device"
DEVICE_DAYS = 365


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="timebank.known-device")


def _known_member_ids() -> list[int]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        ids = _devices().loads(raw, max_age=DEVICE_DAYS * 24 * 3600)
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _known_device() -> bool:
    """Is this the phone or computer of the member whose account is being signed in to?"""
    known = _known_member_ids()
    identifier = request.form.get("identifier") or ""
    if not known or "\x00" in identifier or len(identifier) > 254:
        return False
    member = services.member_by_identifier(identifier)
    return member is not None and member.id in known


def _remember_device(response, member):
    known = [member.id] + [i for i in _known_member_ids() if i != member.id][:4]
    response.set_cookie(DEVICE_COOKIE, _devices().dumps(known), max_age=DEVICE_DAYS * 24 * 3600, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _guessed_account_message() -> str:
    return _("Someone may be trying to guess this password. Sign in from a phone or computer you used before, "
             "or choose a new password with “I forgot my password”: this phone or computer will then be let in.")


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


def _email_key(prefix: str):
    """Rate-limit key for one e-mail address typed in a form, whoever types it and from wherever."""
    def key() -> str:
        return f"{prefix}:{(services.normalise_email(request.form.get('email')) or '')[:254]}"

    return key


def _sent(response) -> bool:
    # Only forms that were accepted count: a resident correcting a typo is not held back.
    return response.status_code in (302, 303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TIMEBANK_REGISTER_LIMIT"], methods=["POST"], deduct_when=_sent)
@limiter.limit(lambda: current_app.config["TIMEBANK_REGISTER_LIMIT_PER_EMAIL"], methods=["POST"],
               key_func=_email_key("register-email"), deduct_when=_sent)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    invitation = request.args.get("invite") or None
    if invitation is not None and (problem := services.invitation_problem(invitation)) is not None:
        return render_template("members/invitation_unusable.html", problem=problem), 403
    if current_app.config["TIMEBANK_REGISTRATION_MODE"] == "invitation" and invitation is None:
        return render_template("members/invitation_only.html"), 403
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = request.args.get("lang") or session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]
    if form.validate_on_submit():
        try:
            services.member_register(
                display_name=form.display_name.data,
                email=form.email.data,
                password=form.password.data,
                locale=form.locale.data,
                area=form.area.data,
                languages=form.languages.data,
                charter_accepted=form.charter.data,
                invitation=invitation,
                phone=form.phone.data,
                call_me=form.call_me.data,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            # The same answer whether the address was new (an account is made) or already a member's (she
            # gets an e-mail): the form must not tell strangers who is a member. Nobody is signed in here.
            session["lang"] = form.locale.data
            flash(_("Thank you, %(name)s! Now sign in with your e-mail address and the password you chose. "
                    "If this address already had an account, we have sent it an e-mail.",
                    name=form.display_name.data.strip().split()[0]), "success")
            return redirect(url_for("members.login"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("members/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TIMEBANK_LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed)
@limiter.limit(lambda: current_app.config["TIMEBANK_LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key, deduct_when=_failed)
@limiter.limit(lambda: current_app.config["TIMEBANK_LOGIN_LIMIT_PER_ACCOUNT_ANYWHERE"], methods=["POST"],
               key_func=_account_anywhere_key, deduct_when=_failed, exempt_when=_known_device,
               error_message=_guessed_account_message)
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
            member = signin.member_authenticate(
                identifier=form.identifier.data, password=form.password.data
            )
            if member is not None:
                _start_session(member, remember=form.remember.data)
                return _remember_device(redirect(next_page or url_for("main.index")), member)
            status = 401
            # The same words whether the account exists or not.
            form.password.errors.append(_("This e-mail address or member number and this password do not match."))
    return render_template("members/login.html", form=form, next_page=next_page), status


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # Signing out ends the session everywhere: a copied cookie must not outlive it.
            signin.sessions_end(member=current_user)
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
@limiter.limit(lambda: current_app.config["TIMEBANK_RESET_LIMIT_PER_EMAIL"], methods=["POST"],
               key_func=_email_key("reset-email"), deduct_when=_sent)
def password_forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        signin.password_reset_request(email=form.email.data)
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
        member = signin.password_reset_member(token=token)
    except InvalidToken as error:
        flash(error.message, "error")
        return render_template("members/password_forgot.html", form=ForgotPasswordForm()), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        signin.password_reset_complete(token=token, password=form.password.data)
        flash(_("Your new password is saved. You can sign in with it now."), "success")
        # The link came to her mailbox: this phone or computer is hers.
        return _remember_device(redirect(url_for("members.login")), member)
    status = 422 if request.method == "POST" else 200
    return render_template("members/password_reset.html", form=form, member=member), status


def note_activity():
    """Keep the member's last activity (for the admins), at most once an hour."""
    me = current_user._get_current_object()  # the member herself: each use of the proxy costs a look-up
    if me.is_authenticated and request.endpoint not in (None, "static"):
        signin.member_seen(me)
