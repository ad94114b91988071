from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, render_template, send_from_directory
from flask_login import current_user

from timebank.exchanges.reading import my_exchanges
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.listings.services import listings_search, today
from timebank.members.services import member_pending_list

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/index.html")
    if not current_user.is_active_member:
        return render_template("members/waiting.html")
    pending = member_pending_list() if current_user.is_coordinator else []
    account = ledger.account_of(current_user)
    near = listings_search(area=current_user.area, per_page=4, exclude_member=current_user)
    exchanges = my_exchanges(member=current_user)
    from timebank.coordination.acting import members_helped_by

    return render_template("main/dashboard.html", pending_count=len(pending), helping=members_helped_by(current_user),
                           balance=ledger.balance_of(account) if account else None,
                           near=near.listings, today=today(), exchanges=exchanges)


@bp.get("/health")
def health():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/health/ready")
def health_ready():
    """For monitoring: the database is reachable and migrated, and each periodic job runs on time.

    Names and states only (no member, no error text); 503 when something needs a person.
    """
    from timebank.database import database_state
    from timebank.scheduler import job_states

    database = database_state()
    jobs = {state.job.name: state.state for state in job_states()} if database == "ok" else {}
    ready = database == "ok" and all(state in ("ok", "running") for state in jobs.values())
    response = jsonify(status="ok" if ready else "error", database=database, jobs=jobs)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503


_LOGO_NAME = re.compile(r"^logo-[0-9a-f]{16}\.png$")


@bp.get("/logo/<name>")
def logo(name: str):
    """The instance's logo: only files the settings page wrote, named by their content."""
    if not _LOGO_NAME.match(name):
        abort(404)
    return send_from_directory(current_app.config["TIMEBANK_UPLOAD_FOLDER"], name, mimetype="image/png",
                               max_age=365 * 24 * 3600)
