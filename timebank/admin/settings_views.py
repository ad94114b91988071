"""The settings page (admins only) and the logo it sets."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from timebank.admin.forms import TEXTS, LogoForm, SettingsForm
from timebank.admin.settings import logo_save, settings_current, settings_save
from timebank.admin.views import bp
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.security import admin_required

KEPT_SHOWN = 20  # accounts named on the page after new default limits; the audit log has them all


def _offered() -> list[str]:
    """The languages whose texts the page shows: the default language first, then the others offered."""
    current = settings_current()
    return [current.default_locale] + [code for code in current.languages if code != current.default_locale]


def _page(form: SettingsForm, logo_form: LogoForm | None = None, status: int = 200):
    return render_template("admin/settings.html", form=form, logo_form=logo_form or LogoForm(), texts=TEXTS,
                           offered=_offered()), status


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    form = SettingsForm()
    if request.method == "GET":
        form.fill(settings_current())
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        new = form.settings(settings_current(), offered=_offered())
        saved = settings_save(actor=current_user, new=new, apply_limits=form.apply_limits.data)
    except DomainError as error:
        db.session.rollback()
        target = getattr(form, {"floor": "floor_hours", "ceiling": "ceiling_hours", "welcome": "welcome_hours",
                                "max_transfer": "max_transfer_hours", "email_defaults": "email_exchanges"}
                         .get(error.field, error.field or ""), None)
        if target is not None:
            target.errors = list(target.errors) + [error.message]
        else:
            form.form_errors.append(error.message)
        return _page(form, status=error.status_code if error.status_code != 400 else 422)
    flash(_("The settings are saved.") if saved.changed else _("Nothing changed."), "success")
    if saved.limits is not None:
        flash(ngettext("%(num)s account got the new limits.", "%(num)s accounts got the new limits.",
                       saved.limits.changed), "success")
        if saved.limits.kept:
            flash(ngettext("%(num)s account kept its limits:", "%(num)s accounts kept their limits:",
                           len(saved.limits.kept)), "info")
            for kept in saved.limits.kept[:KEPT_SHOWN]:
                flash(kept.message, "info")
            if len(saved.limits.kept) > KEPT_SHOWN:
                flash(_("… and %(num)s more: the audit log lists them all.", num=len(saved.limits.kept) - KEPT_SHOWN),
                      "info")
    return redirect(url_for("admin.settings"), 303)


@bp.post("/settings/logo")
@admin_required
def logo():
    form = LogoForm()
    upload = request.files.get("logo")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        form.logo.errors = [_("Please choose an image file.")]
        return _page(_filled(), form, 422)
    try:
        logo_save(actor=current_user, data=upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1))
    except DomainError as error:
        form.logo.errors = [error.message]
        return _page(_filled(), form, error.status_code if error.status_code != 400 else 422)
    flash(_("The logo is saved."), "success")
    return redirect(url_for("admin.settings"), 303)


def _filled() -> SettingsForm:
    form = SettingsForm(formdata=None)
    form.fill(settings_current())
    return form
