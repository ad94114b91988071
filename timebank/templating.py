"""Jinja filters and globals shared by every template."""
from __future__ import annotations

from flask import Flask, has_request_context
from flask_babel import format_date, format_datetime, gettext
from flask_login import current_user


def format_minutes(minutes: int | None) -> str:
    """Show a duration the way people say it: "1 h 30" (fr), "1 h 30 min" (en), "ساعة و30 دقيقة" (ar)."""
    minutes = int(minutes or 0)
    sign = "−" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        text = gettext("%(h)s h %(m)02d", h=hours, m=rest)
    elif hours:
        text = gettext("%(h)s h", h=hours)
    else:
        text = gettext("%(m)s min", m=rest)
    return sign + text


def register_filters(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        minutes=format_minutes,
        date=format_date,
        datetime=format_datetime,
    )

    @app.context_processor
    def navigation():
        from timebank.members.forms import LogoutForm

        signed_in = has_request_context() and current_user.is_authenticated
        return {"logout_form": LogoutForm() if signed_in else None}
