"""Jinja filters and globals shared by every template."""
from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import lru_cache

from flask import Flask
from jinja2 import pass_eval_context
from markupsafe import Markup, escape
from babel import dates
from flask_babel import format_datetime, to_user_timezone

from timebank.fastpaths import locale_code
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


def date_filter(value: date | datetime | None, style: str = "medium") -> str:
    """A day in the reader's language, as Flask-Babel's ``format_date`` (a moment is first taken to the
    association's time zone); the words of a day are kept, a page showing many lines of the same few days."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return _day_words(value, style, locale_code())


@lru_cache(maxsize=4096)
def _day_words(day: date, style: str, locale: str) -> str:
    return dates.format_date(day, style, locale=locale)


def datetime_filter(value: datetime | None, style: str = "medium") -> str:
    """A moment in the reader's language and the association's time zone, as Flask-Babel's ``format_datetime``;
    in the short and medium styles its day and its time of day are words kept like ``date_filter``'s."""
    if value is None:
        return ""
    if style not in ("short", "medium"):
        return format_datetime(value, style)
    moment, locale = to_user_timezone(value), locale_code()
    return (_moment_pattern(style, locale).replace("{0}", _time_words(moment.time(), style, locale))
            .replace("{1}", _day_words(moment.date(), style, locale)))


@lru_cache(maxsize=64)
def _moment_pattern(style: str, locale: str) -> str:
    return dates.get_datetime_format(style, locale=locale).replace("'", "")


@lru_cache(maxsize=4096)
def _time_words(moment: time, style: str, locale: str) -> str:
    return dates.format_time(moment, style, locale=locale)


def format_iso_date(value: str, style: str = "medium") -> str:
    """A date kept as text in an event's details ("2026-12-03"), shown in the reader's language."""
    try:
        return date_filter(date.fromisoformat(value), style)
    except (TypeError, ValueError):
        return value or ""


def register_filters(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        minutes=minutes_filter,
        linkify=linkify,
        bdi=bdi_filter,
        isodate=format_iso_date,
        date=date_filter,
        datetime=datetime_filter,
        phone=phone_display,
        tel=phone_tel,
    )
