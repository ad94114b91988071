"""Jinja filters and globals shared by every template."""
from __future__ import annotations

import re
from datetime import date

from flask import Flask, has_request_context
from markupsafe import Markup, escape
from flask_babel import format_date, format_datetime
from flask_login import current_user

from timebank.i18n import format_minutes


_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def linkify(text: str | None) -> Markup:
    """Escape user text entirely, then turn its web addresses into links (nothing else becomes HTML)."""
    escaped = str(escape(text or ""))
    return Markup(_URL.sub(lambda m: f'<a href="{m.group(0)}" rel="nofollow noopener noreferrer">{m.group(0)}</a>',
                           escaped))


def format_iso_date(value: str, style: str = "medium") -> str:
    """A date kept as text in an event's details ("2026-12-03"), shown in the reader's language."""
    try:
        return format_date(date.fromisoformat(value), style)
    except (TypeError, ValueError):
        return value or ""


def register_filters(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        minutes=format_minutes,
        linkify=linkify,
        isodate=format_iso_date,
        date=format_date,
        datetime=format_datetime,
    )

    @app.context_processor
    def navigation():
        from timebank.members.forms import LogoutForm

        signed_in = has_request_context() and current_user.is_authenticated
        if not signed_in:
            return {"logout_form": None, "unread_notifications": 0, "unread_messages": 0, "unread_direct": 0}
        import sqlalchemy as sa

        from timebank.exchanges.services import unread_messages_query
        from timebank.extensions import db
        from timebank.messages.services import unread_direct_query
        from timebank.notifications.services import notifications_unread_query

        # The three counts of the menu in one round trip.
        notices, messages, direct = db.session.execute(sa.select(
            notifications_unread_query(member=current_user).scalar_subquery(),
            unread_messages_query(member=current_user).scalar_subquery(),
            unread_direct_query(member=current_user).scalar_subquery())).one()
        active = current_user.is_active_member
        return {"logout_form": LogoutForm(formdata=None), "unread_notifications": notices,
                "unread_messages": messages if active else 0, "unread_direct": direct if active else 0}
