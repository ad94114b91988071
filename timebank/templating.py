"""Jinja filters and globals shared by every template."""
from __future__ import annotations

import re
from datetime import date

from flask import Flask
from jinja2 import pass_eval_context
from markupsafe import Markup, escape
from flask_babel import format_date, format_datetime

from timebank.i18n import bdi, format_minutes, isolate, minutes_html
from timebank.phones import phone_display, phone_tel


_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def linkify(text: str | None) -> Markup:
    """Escape user text entirely, then turn its web addresses into links (nothing else becomes HTML)."""
    escaped = str(escape(text or ""))
    return Markup(_URL.sub(lambda m: f'<a href="{m.group(0)}" rel="nofollow noopener noreferrer">{m.group(0)}</a>',
                           escaped))


@pass_eval_context
def minutes_filter(eval_ctx, minutes: int | None, signed: bool = False) -> str:
    """A duration in a page (a signed one in <bdi>) or in a plain-text e-mail (a signed one between FSI and PDI)."""
    return minutes_html(minutes, signed) if eval_ctx.autoescape else format_minutes(minutes, signed)


@pass_eval_context
def bdi_filter(eval_ctx, value) -> str:
    """A person's text isolated inside a sentence: <bdi> in a page, invisible isolate marks in a plain-text e-mail."""
    return bdi(value) if eval_ctx.autoescape else isolate(value)


def format_iso_date(value: str, style: str = "medium") -> str:
    """A date kept as text in an event's details ("2026-12-03"), shown in the reader's language."""
    try:
        return format_date(date.fromisoformat(value), style)
    except (TypeError, ValueError):
        return value or ""


def register_filters(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        minutes=minutes_filter,
        linkify=linkify,
        bdi=bdi_filter,
        isodate=format_iso_date,
        date=format_date,
        datetime=format_datetime,
        phone=phone_display,
        tel=phone_tel,
    )
