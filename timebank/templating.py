"""Jinja filters and globals shared by every template."""
from __future__ import annotations

from flask import Flask, has_request_context
from flask_babel import format_date, format_datetime, gettext, ngettext
from flask_login import current_user


def format_minutes(minutes: int | None) -> str:
    """Show a duration the way people say it: "1 h 30" (fr), "1 h 30 min" (en), "ساعة و30 دقيقة" (ar)."""
    minutes = int(minutes or 0)
    sign = "−" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    # Arabic agrees the word with the number (ساعة، ساعتان، 3 ساعات), hence ngettext.
    hours_text = ngettext("%(num)s h", "%(num)s h", hours)
    if hours and rest:
        text = gettext("%(hours)s %(minutes)02d", hours=hours_text, minutes=rest)
    elif hours:
        text = hours_text
    else:
        text = gettext("%(minutes)s min", minutes=rest)
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
