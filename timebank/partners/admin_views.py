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
from timebank.coordination.forms import LimitsForm
from timebank.partners.forms import PartnerForm, PartnerStatusForm, RemoveRepresentativeForm, RepresentativeForm
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
    forms.setdefault("limits_form", LimitsForm.of(partner.account))
    forms.setdefault("rep_form", RepresentativeForm(formdata=None))
    forms.setdefault("remove_form", RemoveRepresentativeForm(formdata=None))
    forms.setdefault("status_form", PartnerStatusForm(formdata=None))
    return render_template("partners/admin_edit.html", partner=partner,
                           representatives=representatives(partner=partner),
                           balance=ledger.balance_of(partner.account), **forms), status


def _edit_step(partner_id: int, form, name: str, act, aliases: dict | None = None):
    """One change on a partner's page: the partner or 404, the form checked, then ``act(partner, form)``, which
    returns the message to flash. A refusal shows the page again with the form as it was typed and the message
    next to its field (422)."""
    partner = _partner_or_404(partner_id)
    if not form.validate_on_submit():
        return _edit_page(partner, 422, **{name: form})
    try:
        message = act(partner, form)
    except DomainError as error:
        db.session.rollback()
        return _edit_page(_partner_or_404(partner_id), _place(form, error, aliases), **{name: form})
    flash(message, "success")
    return redirect(url_for("partners_admin.edit", partner_id=partner_id), 303)


@bp.route("/<id:partner_id>", methods=["GET", "POST"])
@admin_required
def edit(partner_id: int):
    if request.method == "GET":
        return _edit_page(_partner_or_404(partner_id))

    def act(partner, form):
        service.partner_update(actor=current_user, partner=partner, fields=form.fields(), logo=form.logo_data())
        return _("The partner is saved.")

    return _edit_step(partner_id, PartnerForm(), "form", act)


@bp.post("/<id:partner_id>/representatives")
@admin_required
def representative_add(partner_id: int):
    def act(partner, form):
        member = service.member_by_number(form.number.data)
        if member is None:
            raise DomainError(_("No member has this number."), field="number")
        service.representative_add(actor=current_user, partner=partner, member=member, reason=form.reason.data)
        return _("%(name)s now represents %(partner)s.", name=member.display_name, partner=partner.name)

    return _edit_step(partner_id, RepresentativeForm(), "rep_form", act, {"member": "number"})


@bp.post("/<id:partner_id>/representatives/<id:member_id>/remove")
@admin_required
def representative_remove(partner_id: int, member_id: int):
    _partner_or_404(partner_id)
    member = db.session.get(Member, member_id) or abort(404)

    def act(partner, form):
        service.representative_remove(actor=current_user, partner=partner, member=member, reason=form.reason.data)
        return _("%(name)s no longer represents %(partner)s.", name=member.display_name, partner=partner.name)

    return _edit_step(partner_id, RemoveRepresentativeForm(), "remove_form", act)


@bp.post("/<id:partner_id>/limits")
@admin_required
def limits(partner_id: int):
    def act(partner, form):
        service.partner_set_limits(actor=current_user, partner=partner, floor=form.floor, ceiling=form.ceiling,
                                   reason=form.reason.data)
        return _("The limits of the partner's account are changed.")

    return _edit_step(partner_id, LimitsForm(), "limits_form", act, LimitsForm.FIELDS)


@bp.post("/<id:partner_id>/status")
@admin_required
def status(partner_id: int):
    def act(partner, form):
        suspend = bool(form.suspend.data)
        service.partner_set_suspended(actor=current_user, partner=partner, suspended=suspend,
                                      reason=form.reason.data, key=form.key.data)
        return (_("The partner is suspended: its rewards are hidden and its reserved bookings released.") if suspend
                else _("The partner is active again."))

    return _edit_step(partner_id, PartnerStatusForm(), "status_form", act)
