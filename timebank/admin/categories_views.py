"""The categories page (admins only)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.admin import categories as service
from timebank.admin.forms import CategoryForm, CategoryStepForm
from timebank.admin.views import bp
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.listings.models import Category
from timebank.listings.services import categories
from timebank.security import admin_required


def _list(form: CategoryForm | None = None, status: int = 200):
    return render_template("admin/categories.html", categories=categories(include_archived=True),
                           usage=service.category_usage(), step_form=CategoryStepForm(),
                           form=form or CategoryForm(icons=service.icons_available())), status


def _save(form: CategoryForm, action, success: str, page):
    if not form.validate_on_submit():
        return page(form, 422)
    try:
        action(form)
    except DomainError as error:
        db.session.rollback()
        target = form._fields.get(error.field or "")
        (target.errors.append(error.message) if target is not None and isinstance(target.errors, list)
         else form.form_errors.append(error.message))
        return page(form, error.status_code if error.status_code != 400 else 422)
    flash(success, "success")
    return redirect(url_for("admin.categories"), 303)


@bp.route("/categories", methods=["GET", "POST"], endpoint="categories")
@admin_required
def categories_page():
    if request.method == "GET":
        return _list()
    form = CategoryForm(icons=service.icons_available())
    return _save(form, lambda f: service.category_create(actor=current_user, fields=f.fields()),
                 _("The category is created."), _list)


@bp.route("/categories/<id:category_id>", methods=["GET", "POST"])
@admin_required
def category(category_id: int):
    item = db.session.get(Category, category_id) or abort(404)

    def page(form=None, status=200):
        if form is None:
            names = {f"name_{code}": name for code, name in item.names.items()}
            form = CategoryForm(formdata=None, icons=service.icons_available(), **names, icon=item.icon,
                                requires_verified=item.requires_verified, synonyms=", ".join(item.synonyms or []))
        return render_template("admin/category.html", category=item, form=form), status

    if request.method == "GET":
        return page()
    form = CategoryForm(icons=service.icons_available())
    return _save(form, lambda f: service.category_update(actor=current_user, category=item, fields=f.fields()),
                 _("The category is saved."), page)


@bp.post("/categories/<id:category_id>/step")
@admin_required
def category_step(category_id: int):
    item = db.session.get(Category, category_id) or abort(404)
    form = CategoryStepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if form.up.data or form.down.data:
            service.category_move(actor=current_user, category=item, up=bool(form.up.data))
        elif form.archive.data or form.restore.data:
            service.category_archive(actor=current_user, category=item, archived=bool(form.archive.data))
            flash(_("The category is archived: its listings stay readable, no new listing can use it.")
                  if form.archive.data else _("The category is back."), "success")
        else:
            abort(400)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _list(status=error.status_code)
    return redirect(url_for("admin.categories") + f"#category-{item.id}", 303)
