"""One's own account: the profile, a new password, signing out everywhere, e-mail choices, the charter again."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from timebank.errors import DomainError
from timebank.extensions import db
from timebank.members import services, signin
from timebank.members.forms import ChangePasswordForm, CharterForm, ProfileForm, SignOutEverywhereForm
from timebank.members.models import ContactVisibility, Status
from timebank.members.views import _form_error, bp
from timebank.phones import phone_display


def _keep_this_device(member) -> None:
    """After the member's token changed, keep the device she is using signed in (and remembered if it was)."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(member, remember=remembered)


@bp.route("/me/profile", methods=["GET", "POST"])
@login_required
def profile():
    if current_user.status in (Status.SUSPENDED, Status.DECLINED):
        return render_template("members/waiting.html"), 403
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.phone.data = phone_display(current_user.phone)
        form.languages.data = current_user.language_codes
        form.contact_visibility.data = current_user.contact_visibility.value
    if form.validate_on_submit():
        try:
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
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            session["lang"] = current_user.locale
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("members.profile"))
    return _profile_page(form=form, status=422 if request.method == "POST" else 200)


def _profile_page(*, form=None, password_form=None, status=200):
    from timebank.members.forms import EmailPreferencesForm
    from timebank.notifications.channels import mode_choices

    if form is None:
        form = ProfileForm(formdata=None, obj=current_user)
        form.phone.data = phone_display(current_user.phone)
        form.languages.data = current_user.language_codes
        form.contact_visibility.data = current_user.contact_visibility.value
    emails = EmailPreferencesForm(formdata=None, data=_choices_now()).offer(mode_choices(member=current_user))
    return render_template("members/profile.html", form=form, emails=emails,
                           password_form=password_form or ChangePasswordForm(),
                           everywhere_form=SignOutEverywhereForm(), **_push_context()), status


def _push_context() -> dict:
    """Phone notifications, for an approved member: the key her browser subscribes with, and whether any is on."""
    from timebank.notifications.forms import PushOffForm
    from timebank.notifications.push import has_push, vapid_public_key

    if not current_user.is_active_member:
        return {"push_key": None}
    return {"push_key": vapid_public_key(), "push_on": has_push(current_user), "push_off_form": PushOffForm()}


@bp.post("/me/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            signin.password_change(member=current_user, current=form.current_password.data,
                                     new=form.new_password.data)
        except DomainError as error:
            form.current_password.errors = list(form.current_password.errors) + [error.message]
        else:
            _keep_this_device(current_user._get_current_object())
            flash(_("Your new password is saved. You are signed out on your other phones and computers."),
                  "success")
            return redirect(url_for("members.profile"), 303)
    return _profile_page(password_form=form, status=422)


@bp.post("/me/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """For a lost phone or a shared computer: every other session ends; this one goes on."""
    if not SignOutEverywhereForm().validate_on_submit():
        abort(400)
    signin.sessions_end(member=current_user)
    _keep_this_device(current_user._get_current_object())
    flash(_("You are signed out on every other phone and computer."), "success")
    return redirect(url_for("members.profile"), 303)


def _choices_now() -> dict:
    from timebank.notifications.services import email_preferences

    return {**email_preferences(member=current_user), "texts": "off" if current_user.sms_stopped_at else "on"}


@bp.post("/me/email-preferences")
@login_required
def email_preferences():
    from timebank.members.forms import EmailPreferencesForm
    from timebank.notifications.services import email_preferences_set

    from timebank.members.texts import member_texts_set
    from timebank.notifications.channels import mode_choices

    # A choice the form does not send keeps its value.
    form = EmailPreferencesForm(data=_choices_now()).offer(mode_choices(member=current_user))
    if not form.validate_on_submit():
        abort(422)
    email_preferences_set(member=current_user, modes={name: form[name].data for name in form.TOPICS})
    if current_user.phone:
        member_texts_set(member=current_user, on=form.texts.data == "on")
    flash(_("Your choices are saved."), "success")
    return redirect(url_for("members.profile"), 303)


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
_OPEN_WITHOUT_CHARTER = {"static", "members.charter", "members.logout", "main.health", "main.logo",
                         "privacy.leave", "privacy.come_back"}  # a member who is leaving may still come back


def charter_first():
    me, endpoint = current_user._get_current_object(), request.endpoint
    if (me.is_authenticated and endpoint not in _OPEN_WITHOUT_CHARTER and endpoint is not None
            and services.charter_pending(me)):
        return redirect(url_for("members.charter"), 303)
    return None
