"""The outbox page (admins only): e-mail, text messages and phone notifications, queued, failed and sent."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from timebank.admin.forms import OutboxRetryForm
from timebank.admin.views import bp
from timebank.notifications.models import CHANNELS
from timebank.notifications.outbox import STATES, outbox_counts, outbox_list, outbox_retry, outbox_skipped_today
from timebank.security import admin_required


@bp.get("/outbox")
@admin_required
def outbox():
    channel = request.args.get("channel") if request.args.get("channel") in CHANNELS else None
    state = request.args.get("state") if request.args.get("state") in STATES else "queued"
    page = max(1, request.args.get("page", 1, type=int) or 1)
    result = outbox_list(channel=channel, state=state, page=page)
    if page > result.pages:
        abort(404)
    args = {key: value for key, value in (("channel", channel), ("state", state)) if value}
    return render_template("admin/outbox.html", result=result, counts=outbox_counts(), channel=channel, state=state,
                           args=args, skipped=outbox_skipped_today(), retry_form=OutboxRetryForm())


@bp.post("/outbox/<id:message_id>/retry")
@admin_required
def outbox_retry_view(message_id: int):
    if not OutboxRetryForm().validate_on_submit():
        abort(400)
    if not outbox_retry(message_id=message_id):
        abort(404)
    flash(_("The message is back in the queue: it goes with the next sending."), "success")
    return redirect(url_for("admin.outbox", state="failed"), 303)
