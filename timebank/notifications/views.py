from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from timebank.errors import DomainError
from timebank.extensions import db
from timebank.notifications import services
from timebank.notifications.forms import PushOffForm
from timebank.notifications.messages import notification_markup
from timebank.security import member_required

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    notices = services.notifications_list(member=current_user)
    unread = {notice.id for notice in notices if notice.read_at is None}
    page = render_template("notifications/index.html", notices=notices, unread=unread, text=notification_markup)
    services.notifications_mark_read(member=current_user)
    return page


# Phone notifications (web push): the page's script sends what the browser gives, with the CSRF token in a header.


@bp.post("/me/push")
@member_required
def push_on():
    from timebank.notifications.push import push_subscribe

    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error=_("Notifications could not be turned on: please try again.")), 400
    try:
        push_subscribe(member=current_user, endpoint=data.get("endpoint"), keys=data.get("keys"))
    except DomainError as error:
        db.session.rollback()
        return jsonify(error=error.message), error.status_code
    return jsonify(message=_("Notifications are on for this phone.")), 201


@bp.post("/me/push/off")
@login_required
def push_off():
    """Stop notifications: on this phone (its script says which), or on every phone (the form on the profile)."""
    from timebank.notifications.push import push_unsubscribe

    data = request.get_json(silent=True) if request.is_json else None
    if data is not None:
        if not isinstance(data, dict):
            return jsonify(error=_("Notifications could not be turned off: please try again.")), 400
        try:
            push_unsubscribe(member=current_user, endpoint=data.get("endpoint"))
        except DomainError as error:
            db.session.rollback()
            return jsonify(error=error.message), error.status_code
        return jsonify(message=_("Notifications are off for this phone.")), 200
    if not PushOffForm().validate_on_submit():
        abort(400)
    push_unsubscribe(member=current_user)
    flash(_("Notifications are off on all your phones."), "success")
    return redirect(url_for("members.profile"), 303)
