"""Pages for acting on a member's behalf, choosing one's trusted helper, and reading a coordinator's warning."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from timebank.coordination import acting
from timebank.coordination.forms import MyHelperForm, ReadForm
from timebank.coordination.models import MemberWarning
from timebank.coordination.services import warning_read, warning_unread
from timebank.errors import DomainError, NotFound
from timebank.extensions import db
from timebank.members.models import Member
from timebank.security import member_required

bp = Blueprint("acting", __name__)


@bp.get("/acting/<id:member_id>")
@member_required
def member(member_id: int):
    """What a coordinator or a trusted helper sees of the member they act for."""
    from timebank.exchanges.reading import my_exchanges
    from timebank.ledger import services as ledger

    principal = db.session.get(Member, member_id) or abort(404)
    role = acting.agent_role(current_user, principal)
    if role is None:
        abort(403)
    account = ledger.account_of(principal)
    return render_template("acting/member.html", principal=principal, role=role,
                           balance=ledger.balance_of(account) if account else None,
                           statement=ledger.statement(account=account, page=1, per_page=10) if account else None,
                           account=account, exchanges=my_exchanges(member=principal))


@bp.route("/me/helper", methods=["GET", "POST"])
@member_required
def my_helper():
    from timebank.members.services import member_by_number

    form = MyHelperForm()
    status = 200
    if form.validate_on_submit():
        try:
            if form.remove.data:
                acting.helper_set(member=current_user, helper=None, actor=current_user)
                flash(_("Nobody manages your account for you any more."), "success")
            elif form.name.data:
                chosen = member_by_number(form.number.data) if form.number.data else None
                if chosen is None:
                    raise NotFound(_("No member has this number."), field="number")
                acting.helper_set(member=current_user, helper=chosen, actor=current_user)
                flash(_("%(name)s can now manage your account for you.", name=chosen.display_name), "success")
            else:
                abort(400)
        except DomainError as error:
            db.session.rollback()
            form.number.errors = list(form.number.errors) + [error.message]
            status = error.status_code
        else:
            return redirect(url_for("acting.my_helper"), 303)
    elif request.method == "POST":
        status = 422
    return render_template("acting/my_helper.html", form=form,
                           helping=acting.members_helped_by(current_user)), status


@bp.route("/me/warnings/<id:warning_id>", methods=["GET", "POST"])
@login_required
def warning(warning_id: int):
    item = db.session.get(MemberWarning, warning_id)
    if item is None or item.member_id != current_user.id:
        abort(404)
    form = ReadForm()
    if form.validate_on_submit():
        warning_read(warning=item, member=current_user)
        following = warning_unread(current_user)
        if following is not None:
            return redirect(url_for("acting.warning", warning_id=following.id), 303)
        flash(_("Thank you."), "success")
        return redirect(url_for("main.index"), 303)
    return render_template("acting/warning.html", warning=item, form=form), 422 if request.method == "POST" else 200


# Endpoints a member with an unread warning may still reach.
_OPEN_WITH_WARNING = {"static", "acting.warning", "members.logout", "main.health",
                      "privacy.leave", "privacy.come_back"}  # a member who is leaving may still come back


def warnings_first():
    """Before anything else, a member reads the warning a coordinator sent them."""
    me, endpoint = current_user._get_current_object(), request.endpoint
    if not me.is_authenticated or endpoint in _OPEN_WITH_WARNING or endpoint is None:
        return None
    pending_id = getattr(me, "unread_warning_id", _UNKNOWN)
    if pending_id is _UNKNOWN:  # loaded some other way than by navigation.member_and_menu
        pending = warning_unread(me)
        pending_id = pending.id if pending is not None else None
    if pending_id is None:
        return None
    return redirect(url_for("acting.warning", warning_id=pending_id), 303)


_UNKNOWN = object()
