"""/admin/partners: admins create and edit partners, set their limits, name and remove representatives."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.errors import DomainError
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.members.models import Member
from timebank.partners import services as service
from timebank.partners.access import representatives
from timebank.partners.forms import (
    PartnerForm,
    PartnerLimitsForm,
    PartnerStatusForm,
    RemoveRepresentativeForm,
    RepresentativeForm,
)
from timebank.partners.models import Partner
from timebank.security import admin_required

bp = Blueprint("partners_admin", __name__, url_prefix="/admin/partners")


def _place(form, error: DomainError, aliases: dict | None = None) -> int:
    """Put the service's message next to its field (or above the form); return the status to answer."""
    field = (aliases or {}).get(error.field, error.field)
    target = form._fields.get(field or "")
    (target.errors.append(error.message) if target is not None and isinstance(target.errors, list)
     else form.form_errors.append(error.message))
    return error.status_code if error.status_code != 400 else 422


def _list(form: PartnerForm | None = None, status: int = 200):
    return render_template("partners/admin_index.html", partners=service.partners(include_suspended=True),
                           form=form or PartnerForm()), status


@bp.route("", methods=["GET", "POST"])
@admin_required
def index():
    if request.method == "GET":
        return _list()
    form = PartnerForm()
    if not form.validate_on_submit():
        return _list(form, 422)
    try:
        partner = service.partner_create(actor=current_user, fields=form.fields(), logo=form.logo_data())
    except DomainError as error:
        db.session.rollback()
        return _list(form, _place(form, error))
    flash(_("The partner is created. Its account allows 0 h either way until you change its limits."), "success")
    return redirect(url_for("partners_admin.edit", partner_id=partner.id), 303)


def _partner_or_404(partner_id: int) -> Partner:
    return db.session.get(Partner, partner_id) or abort(404)


def _edit_page(partner: Partner, status: int = 200, **forms):
    if "form" not in forms:
        descriptions = partner.descriptions or {}
        forms["form"] = PartnerForm(formdata=None, name=partner.name, kind=partner.kind.value,
                                    address=partner.address, contact=partner.contact,
                                    **{f"description_{code}": descriptions.get(code, "")
                                       for code in service.DESCRIPTION_LANGUAGES})
    if "limits_form" not in forms:
        account = partner.account
        forms["limits_form"] = PartnerLimitsForm(formdata=None, floor_hours=(account.floor or 0) // 60,
                                                 ceiling_hours=(account.ceiling or 0) // 60)
    forms.setdefault("rep_form", RepresentativeForm(formdata=None))
    forms.setdefault("remove_form", RemoveRepresentativeForm(formdata=None))
    forms.setdefault("status_form", PartnerStatusForm(formdata=None))
    return render_template("partners/admin_edit.html", partner=partner,
                           representatives=representatives(partner=partner),
                           balance=ledger.balance_of(partner.account), **forms), status


@bp.route("/<id:partner_id>", methods=["GET", "POST"])
@admin_required
def edit(partner_id: int):
    partner = _partner_or_404(partner_id)
    if request.method == "GET":
        return _edit_page(partner)
    form = PartnerForm()
    if not form.validate_on_submit():
        return _edit_page(partner, 422, form=form)
    try:
        service.partner_update(actor=current_user, partner=partner, fields=form.fields(), logo=form.logo_data())
    except DomainError as error:
        db.session.rollback()
        return _edit_page(_partner_or_404(partner_id), _place(form, error), form=form)
    flash(_("The partner is saved."), "success")
    return redirect(url_for("partners_admin.edit", partner_id=partner_id), 303)


@bp.post("/<id:partner_id>/representatives")
@admin_required
def representative_add(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = RepresentativeForm()
    if not form.validate_on_submit():
        return _edit_page(partner, 422, rep_form=form)
    member = service.member_by_number(form.number.data)
    if member is None:
        form.number.errors.append(_("No member has this number."))
        return _edit_page(partner, 422, rep_form=form)
    try:
        service.representative_add(actor=current_user, partner=partner, member=member, reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        return _edit_page(_partner_or_404(partner_id), _place(form, error, {"member": "number"}), rep_form=form)
    flash(_("%(name)s now represents %(partner)s.", name=member.display_name, partner=partner.name), "success")
    return redirect(url_for("partners_admin.edit", partner_id=partner_id), 303)


@bp.post("/<id:partner_id>/representatives/<id:member_id>/remove")
@admin_required
def representative_remove(partner_id: int, member_id: int):
    partner = _partner_or_404(partner_id)
    member = db.session.get(Member, member_id) or abort(404)
    form = RemoveRepresentativeForm()
    if not form.validate_on_submit():
        return _edit_page(partner, 422, remove_form=form)
    try:
        service.representative_remove(actor=current_user, partner=partner, member=member, reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        return _edit_page(_partner_or_404(partner_id), _place(form, error), remove_form=form)
    flash(_("%(name)s no longer represents %(partner)s.", name=member.display_name, partner=partner.name),
          "success")
    return redirect(url_for("partners_admin.edit", partner_id=partner_id), 303)


@bp.post("/<id:partner_id>/limits")
@admin_required
def limits(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = PartnerLimitsForm()
    if not form.validate_on_submit():
        return _edit_page(partner, 422, limits_form=form)
    try:
        service.partner_set_limits(actor=current_user, partner=partner, floor=form.floor_hours.data * 60,
                                   ceiling=form.ceiling_hours.data * 60, reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        return _edit_page(_partner_or_404(partner_id), _place(form, error, {"floor": "floor_hours",
                                                                            "ceiling": "ceiling_hours"}),
                          limits_form=form)
    flash(_("The limits of the partner's account are changed."), "success")
    return redirect(url_for("partners_admin.edit", partner_id=partner_id), 303)


@bp.post("/<id:partner_id>/status")
@admin_required
def status(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = PartnerStatusForm()
    if not form.validate_on_submit() or not (form.suspend.data or form.reactivate.data):
        return _edit_page(partner, 422, status_form=form)
    suspend = bool(form.suspend.data)
    try:
        service.partner_set_suspended(actor=current_user, partner=partner, suspended=suspend,
                                      reason=form.reason.data, key=form.key.data)
    except DomainError as error:
        db.session.rollback()
        return _edit_page(_partner_or_404(partner_id), _place(form, error), status_form=form)
    flash(_("The partner is suspended: its rewards are hidden and its reserved bookings released.") if suspend
          else _("The partner is active again."), "success")
    return redirect(url_for("partners_admin.edit", partner_id=partner_id), 303)
