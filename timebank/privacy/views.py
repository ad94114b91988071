"""The privacy page and a member's own data: what is kept, taking it away, leaving."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("privacy", __name__)


def controller() -> dict:
    """Who answers for the data: the association's name and how to reach it (settings of the instance)."""
    config = current_app.config
    return {"name": config["TIMEBANK_NAME"], "contact": config["TIMEBANK_CONTACT"],
            "address": config.get("TIMEBANK_ADDRESS", "") or "", "phone": config.get("TIMEBANK_PHONE", "") or ""}


@bp.get("/privacy")
def index():
    return render_template("privacy/index.html", controller=controller(), config=current_app.config)
