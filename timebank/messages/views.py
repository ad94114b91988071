from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from timebank.errors import DomainError
from timebank.extensions import db
from timebank.forms import FlaskForm
from timebank.members.models import Member
from timebank.messages import services
from timebank.messages.models import DirectMessage
from timebank.security import member_required
from timebank.validators import PlainText

bp = Blueprint("messages", __name__)


class WriteForm(FlaskForm):
    body = TextAreaField(_l("Your message"),
                         validators=[InputRequired(message=_l("Please write a message.")),
                                     Length(max=services.MESSAGE_MAX), PlainText(multiline=True)],
                         render_kw={"rows": 3, "maxlength": services.MESSAGE_MAX})
    submit = SubmitField(_l("Send"))


class BlockForm(FlaskForm):
    block = SubmitField(_l("Block"))
    unblock = SubmitField(_l("Unblock"))


@bp.get("/messages")
@member_required
def index():
    from timebank.exchanges.inbox import inbox
    from timebank.notifications.messages import notification_markup
    from timebank.notifications.services import notifications_list

    # How many notices are new is the menu's count, read with the member (navigation.member_and_menu).
    return render_template("messages/index.html", threads=inbox(member=current_user),
                           notices=notifications_list(member=current_user, limit=3), text=notification_markup)


def _other_or_404(member_id: int) -> Member:
    other = db.session.get(Member, member_id)
    if other is None or other.id == current_user.id or not (other.is_active_member or current_user.is_coordinator):
        abort(404)
    return other


@bp.route("/messages/<id:member_id>", methods=["GET", "POST"])
@member_required
def conversation(member_id: int):
    other = _other_or_404(member_id)
    form = WriteForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.message_send(sender=current_user, recipient=other, body=form.body.data)
        except DomainError as error:
            form.body.errors = list(form.body.errors) + [error.message]
            status = error.status_code
        else:
            flash(_("Your message is sent."), "success")
            return redirect(url_for("messages.conversation", member_id=other.id), 303)
    elif request.method == "POST":
        status = 422
    services.conversation_mark_read(member=current_user, other=other)
    return render_template("messages/conversation.html", other=other, form=form,
                           messages=services.conversation(member=current_user, other=other),
                           blocked_me=services.is_blocked(sender=current_user, recipient=other)), status


@bp.post("/members/<id:member_id>/block")
@member_required
def block(member_id: int):
    other = _other_or_404(member_id)
    form = BlockForm()
    if not form.validate_on_submit() or not (form.block.data or form.unblock.data):
        abort(400)
    services.member_block(blocker=current_user, blocked=other, block=bool(form.block.data))
    flash(_("%(name)s can no longer write to you or propose exchanges to you.", name=other.display_name)
          if form.block.data else _("%(name)s can write to you again.", name=other.display_name), "success")
    return redirect(url_for("members.show", member_id=other.id), 303)


@bp.route("/messages/report/<id:message_id>", methods=["GET", "POST"])
@member_required
def report(message_id: int):
    """Tell the coordinators about a message received; they may hide it."""
    from timebank.listings.views import report_page

    message = db.session.get(DirectMessage, message_id)
    if message is None or message.recipient_id != current_user.id:
        abort(404)
    return report_page(back=url_for("messages.conversation", member_id=message.sender_id), message=message)
