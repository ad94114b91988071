"""Exports (admins only): each table as CSV, or all of them in one ZIP; each download is in the audit log."""
from __future__ import annotations

from flask import Response, abort, render_template, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SubmitField

from timebank.admin.views import bp
from timebank.audit import audit
from timebank.csvfile import csv_response
from timebank.exports import EXPORTS, export_csv, export_zip, readme_parts
from timebank.extensions import db
from timebank.forms import FlaskForm
from timebank.security import admin_required
from timebank.timeutil import utcnow


class DownloadForm(FlaskForm):
    download = SubmitField(_l("Download"))


@bp.get("/exports")
@admin_required
def exports():
    return render_template("admin/exports.html", form=DownloadForm(), names=list(EXPORTS),
                           readme=readme_parts())


def _logged(name: str) -> None:
    audit(actor=current_user, action="export_downloaded", target=name)
    db.session.commit()


@bp.post("/exports/<name>.csv")
@admin_required
def export_one(name: str):
    if name not in EXPORTS:
        abort(404)
    if not DownloadForm().validate_on_submit():
        abort(400)
    _logged(name)
    filename = f"timebank-{name}-{utcnow():%Y-%m-%d}.csv"
    return csv_response(stream_with_context(chunk.encode("utf-8") for chunk in export_csv(name)),
                        filename=filename, **{"Cache-Control": "no-store"})


@bp.post("/exports/all.zip")
@admin_required
def export_all():
    if not DownloadForm().validate_on_submit():
        abort(400)
    _logged("all")
    spool = export_zip()
    filename = f"timebank-{utcnow():%Y-%m-%d}.zip"
    return Response(iter(lambda: spool.read(64 * 1024), b""), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
