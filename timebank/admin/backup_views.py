"""Admins: download a backup of the whole instance (SQLite), or read how to make one (PostgreSQL)."""
from __future__ import annotations

import tempfile

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SubmitField

from timebank.backup import BackupError, backup_file_name, backup_supported, backup_write
from timebank.audit import audit
from timebank.database import atomic
from timebank.forms import FlaskForm
from timebank.security import admin_required

bp = Blueprint("backup", __name__, url_prefix="/admin/backup")


class BackupForm(FlaskForm):
    submit = SubmitField(_l("Download a backup"))


@bp.get("")
@admin_required
def index():
    return render_template("admin/backup.html", form=BackupForm(), supported=backup_supported())


@bp.post("")
@admin_required
def download():
    form = BackupForm()
    if not form.validate_on_submit():
        return render_template("admin/backup.html", form=form, supported=backup_supported()), 400
    name = backup_file_name()
    archive = tempfile.TemporaryFile()  # closed by the response once sent
    try:
        manifest = backup_write(file=archive)
    except BackupError as error:
        archive.close()
        flash(error.message, "error")
        return redirect(url_for("backup.index"), 303)
    atomic(lambda: audit(actor=current_user, action="backup_downloaded", target=name,
                         members=manifest.members, transfers=manifest.transfers,
                         sha256=manifest.database_sha256))
    archive.seek(0)
    response = send_file(archive, mimetype="application/gzip", as_attachment=True, download_name=name,
                         max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
