from __future__ import annotations

import hashlib
import os
import re
from functools import cache

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, send_from_directory, url_for
from flask_login import current_user

from timebank.audit import approval_of
from timebank.exchanges.reading import has_exchanged, my_exchanges
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.listings.services import Reader, listings_search, today
from timebank.listings.views import speaks_label
from timebank.members.approval import member_pending_count

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/index.html")
    if not current_user.is_active_member:
        return render_template("members/waiting.html")
    exchanged, helps = db.session.execute(_home_facts(), {"me": current_user.id}).one()
    newcomer = not exchanged
    pending_count = member_pending_count() if current_user.is_coordinator else 0
    reader = Reader.of(current_user)
    # A preview: four listings near her, in her order, and no count (the page shows none).
    near = listings_search(area=current_user.area, per_page=4, exclude_member=current_user, reader=reader,
                           counted=False)
    exchanges = my_exchanges(member=current_user)
    from timebank.coordination.acting import members_helped_by

    return render_template("main/dashboard.html", pending_count=pending_count,
                           helping=members_helped_by(current_user) if helps else [],
                           balance=ledger.balance_of_member(current_user),
                           near=near.listings, speaks=speaks_label(reader), today=today(), exchanges=exchanges, newcomer=newcomer,
                           approval=approval_of(member=current_user) if newcomer else None)


@cache
def _home_facts() -> sa.Select:
    """Whether the member (``me``) has completed an exchange yet, and whether she is anyone's trusted helper: one
    round trip, built once (the home page asks it on every view)."""
    from timebank.coordination.acting import helps_someone

    me = sa.bindparam("me", type_=sa.Integer)
    return sa.select(has_exchanged(me), helps_someone(me))


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


# Installable, and kind when offline -----------------------------------------------------------------------------

# What the service worker keeps: the look of the site and its pictures. Never a page with someone's data.
_PRECACHE = ("css/timebank.css", "img/icon.svg", "img/icon-192.png", "img/icon-512.png",
             "img/nav/home.svg", "img/nav/layout-grid.svg", "img/nav/messages.svg", "img/nav/clock.svg",
             "img/nav/menu-2.svg")


@bp.get("/manifest.webmanifest")
def manifest():
    from flask_babel import get_locale

    from timebank.i18n import local_text, text_direction

    locale = str(get_locale())
    icons = [{"src": url_for("static", filename=f"img/icon-{size}.png"), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": "any"} for size in (192, 512)]
    icons.append({"src": url_for("static", filename="img/icon-maskable-512.png"), "sizes": "512x512",
                  "type": "image/png", "purpose": "maskable"})
    name = current_app.config["TIMEBANK_NAME"]
    body = {"name": name, "short_name": name[:12], "lang": locale, "dir": text_direction(),
            "description": local_text("description"), "start_url": "/", "scope": "/",
            "display": "standalone", "theme_color": "#0b5d4b", "background_color": "#f4f1ea", "icons": icons}
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


def _precache_version() -> str:
    """Changes whenever a kept file changes, so the service worker replaces its cache."""
    digest = hashlib.sha256()
    for name in _PRECACHE + ("../templates/main/offline.html",):
        path = os.path.join(current_app.static_folder, name)
        if os.path.exists(path):
            stat = os.stat(path)
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


@bp.get("/sw.js")
def service_worker():
    body = render_template("main/sw.js", version=_precache_version(),
                           precache=[url_for("static", filename=name) for name in _PRECACHE])
    return Response(body, mimetype="text/javascript", headers={
        "Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


@bp.get("/offline")
def offline():
    """The page the service worker shows when the network is gone, in the language of the visit."""
    return render_template("main/offline.html")
