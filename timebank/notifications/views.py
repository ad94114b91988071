from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from timebank.notifications import services
from timebank.notifications.messages import notification_markup

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    notices = services.notifications_list(member=current_user)
    unread = {notice.id for notice in notices if notice.read_at is None}
    page = render_template("notifications/index.html", notices=notices, unread=unread, text=notification_markup)
    services.notifications_mark_read(member=current_user)
    return page
