"""Admins: welcome hours from the timebank and hours from the community account."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from timebank.errors import DomainError
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.giving import services as giving
from timebank.ledger import services as ledger
from timebank.ledger.errors import IdempotencyConflict
from timebank.ledger.forms import GrantForm, new_key
from timebank.members.models import Member
from timebank.members.services import members_active
from timebank.scheduler import JobState, job_states
from timebank.security import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(welcome=None, grant=None, status=200):
    members = members_active()
    community, system = ledger.community_account(), ledger.system_account()
    return render_template(
        "admin/index.html",
        welcome=welcome or GrantForm(prefix="welcome", members=members),
        grant=grant or GrantForm(prefix="grant", members=members),
        community=ledger.balance_of(community),
        issued=-system.posted,
        jobs=[_job_row(state) for state in job_states()],
    ), status


def _every(period: timedelta) -> str:
    minutes = int(period.total_seconds() // 60)
    if minutes and minutes % (24 * 60) == 0:
        return ngettext("every day", "every %(num)s days", minutes // (24 * 60))
    if minutes and minutes % 60 == 0:
        return ngettext("every hour", "every %(num)s hours", minutes // 60)
    return ngettext("every minute", "every %(num)s minutes", max(minutes, 1))


def _job_row(state: JobState) -> dict:
    """What the admin page shows of a periodic job: when it last ran, how long it took, how it went."""
    took = None
    if state.duration_ms is not None:
        took = _("%(seconds)s s", seconds=format_decimal(round(state.duration_ms / 1000, 1), format="#,##0.0"))
    return {"title": state.job.title, "every": _every(state.job.period), "state": state.state,
            "started_at": state.started_at, "took": took, "outcome": state.outcome, "summary": state.summary,
            "late": state.state in ("late", "never")}


@bp.get("/")
@admin_required
def index():
    return _page()


def _grant(prefix: str, action):
    form = GrantForm(prefix=prefix, members=members_active())
    forms = {"welcome": None, "grant": None}
    forms[prefix] = form
    if not form.validate_on_submit():
        return _page(**forms, status=422)
    member = db.session.get(Member, int(form.member.data)) or abort(404)
    try:
        action(member, form)
    except DomainError as error:
        if isinstance(error, IdempotencyConflict):
            form.key.data = new_key()
        (form.hours.errors if error.field == "minutes" else
         form.reason.errors if error.field == "reason" else form.form_errors).append(error.message)
        return _page(**forms, status=error.status_code)
    flash(_("%(name)s received %(amount)s.", name=member.display_name, amount=format_minutes(form.total_minutes)),
          "success")
    return redirect(url_for("admin.index"), 303)


@bp.post("/welcome")
@admin_required
def welcome():
    return _grant("welcome", lambda member, form: giving.welcome_grant(
        admin=current_user, member=member, minutes=form.total_minutes, memo=form.reason.data or "",
        key=form.key.data))


@bp.post("/community-grant")
@admin_required
def community_grant():
    return _grant("grant", lambda member, form: giving.community_grant(
        admin=current_user, member=member, minutes=form.total_minutes, reason=form.reason.data or "",
        key=form.key.data))

