"""Importing members from a spreadsheet (admins only): check the file, then import all of it or nothing."""
from __future__ import annotations

import base64
import binascii

from flask import abort, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from timebank.admin.forms import ImportConfirmForm, ImportUploadForm
from timebank.admin.imports import MAX_BYTES, AlreadyImported, import_parse, import_prepare, members_import
from timebank.admin.views import bp
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.security import admin_required


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="members-import")


@bp.route("/import", methods=["GET", "POST"], endpoint="imports")
@admin_required
def import_page():
    form = ImportUploadForm()
    if request.method == "GET":
        return render_template("admin/import.html", form=form)
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        form.file.errors = [_("Please choose a file.")]
        return render_template("admin/import.html", form=form), 422
    data = upload.read(MAX_BYTES + 1)
    plan = import_parse(data)
    confirm = None
    if plan.ok:
        nonce = import_prepare(actor=current_user, data=data)
        confirm = ImportConfirmForm(formdata=None,
                                    payload=_signer().dumps({"data": base64.b64encode(data).decode(), "nonce": nonce}))
    return render_template("admin/import.html", form=form, plan=plan, confirm=confirm), 200 if plan.ok else 422


@bp.post("/import/confirm")
@admin_required
def import_confirm():
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        payload = _signer().loads(form.payload.data or "")
        data = base64.b64decode(payload["data"], validate=True)
        nonce = str(payload["nonce"])
    except (BadSignature, binascii.Error, ValueError, TypeError, KeyError):
        abort(400)
    try:
        imported = members_import(actor=current_user, data=data, nonce=nonce)
    except AlreadyImported as error:
        db.session.rollback()
        return render_template("admin/import.html", form=ImportUploadForm(), error=error.message), 409
    except DomainError as error:
        db.session.rollback()
        return render_template("admin/import.html", form=ImportUploadForm(), plan=import_parse(data),
                               error=error.message), 422
    from timebank.coordination.sheets import address_is_local, sheet_context

    sheets = []
    for item in imported:
        if item.password is not None:
            with force_locale(item.member.locale):
                sheets.append(Markup(render_template("coordination/_sheet.html",
                                                     **sheet_context(item.member, item.password))))
    address = current_app.config["TIMEBANK_BASE_URL"]
    return (render_template("admin/imported.html", imported=imported, sheets=sheets, address=address,
                            address_local=bool(sheets) and address_is_local(address)), 200,
            {"Cache-Control": "no-store"})
