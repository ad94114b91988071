"""Jinja filters and globals shared by every template."""
from __future__ import annotations

import re
from datetime import date

from flask import Flask
from markupsafe import Markup, escape
from flask_babel import format_date, format_datetime

from timebank.i18n import bdi, format_minutes


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
        bdi=bdi,
        isodate=format_iso_date,
        date=format_date,
        datetime=format_datetime,
    )
