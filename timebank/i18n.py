"""Languages of the interface: choosing one per request, right-to-left, names of languages."""
from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import gettext, ngettext
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup
from timebank.fastpaths import locale_code


# Every language the code can offer (a catalogue in timebank/translations, category names, default texts); an
# instance offers some of them (LANGUAGES in its settings). README: "Adding a language".
LOCALES = ("fr", "en", "ar", "tr", "pt")
RTL_LOCALES = frozenset({"ar", "fa", "ur", "he"})


def select_locale() -> str:
    """Pick the request's language: ?lang=, then the remembered choice, then the browser."""
    available = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI, or mail rendered outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang")
    if chosen in available:
        return chosen
    remembered = session.get("lang")
    if remembered in available:
        return remembered
    if current_user and current_user.is_authenticated and current_user.locale in available:
        return current_user.locale
    return request.accept_languages.best_match(available) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language_choice() -> None:
    """Remember ``?lang=`` for this visit only.

    A GET link (or an image on another site) must not change what is stored: the language of a member's
    e-mails changes only through her profile form, a POST with its CSRF token.
    """
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        session["lang"] = chosen


def text_direction() -> str:
    return "rtl" if locale_code() in current_app.config["RTL_LANGUAGES"] else "ltr"


_LANGUAGE_NAMES: dict[tuple[str, str], str] = {}  # the names CLDR gives never change while a process runs


def language_name(code: str, *, in_locale: str | None = None) -> str:
    """Name a language in the reader's language ("arabe", "Arabic", "العربية")."""
    reader = in_locale or locale_code()
    key = (code, reader)
    cache = _LANGUAGE_NAMES
    if key not in cache:
        if len(cache) > 20_000:  # codes come from saved rows, but a process need not keep every oddity
            cache.clear()
        try:
            name = Locale.parse(reader).languages.get(code) or code
        except (UnknownLocaleError, ValueError):
            name = code
        cache[key] = name[:1].upper() + name[1:] if reader != "ar" else name
    return cache[key]


def autonym(code: str) -> str:
    """Name a language in itself, for the language switcher ("Français", "العربية")."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def bdi(value: object) -> Markup:
    """Isolate a person's text inside a sentence (a name in "Conversation with %(name)s"), escaped first."""
    return Markup("<bdi>{}</bdi>").format(value if value is not None else "")


FSI, PDI = "\u2068", "\u2069"  # first-strong isolate and its end: a signed amount reads as one unit


def isolate(value: object) -> str:
    """Isolate a person's text inside a plain-text sentence (an e-mail): "مرحبًا ⁨Karim⁩،" keeps the comma after
    the name. The marks are invisible."""
    text = "" if value is None else str(value)
    return f"{FSI}{text}{PDI}" if text else ""
MINUS, NBSP = "\u2212", "\u00a0"


_MINUTES_WORDS: dict[tuple[str, int, bool], tuple[str, bool, Markup]] = {}  # (language, minutes, signed): the words


def _signed_minutes(minutes: int | None, signed: bool) -> tuple[str, bool, Markup]:
    """The words of a duration with its sign at their start, whether it carries a sign, and the same for a page
    (kept a process per language: a statement page writes forty of them)."""
    key = (locale_code(), int(minutes or 0), bool(signed))
    words = _MINUTES_WORDS.get(key)
    if words is None:
        if len(_MINUTES_WORDS) > 50_000:
            _MINUTES_WORDS.clear()
        text, has_sign = _minutes_words(key[1], key[2])
        words = _MINUTES_WORDS[key] = (text, has_sign, _minutes_markup(text, has_sign))
    return words


def _minutes_words(minutes: int, signed: bool) -> tuple[str, bool]:
    sign = MINUS if minutes < 0 else "+" if signed and minutes > 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    # Arabic agrees the word with the number (ساعة، ساعتان، 3 ساعات), hence ngettext.
    hours_text = ngettext("%(num)s h", "%(num)s h", hours)
    if hours and rest:
        text = gettext("%(hours)s %(minutes)02d", hours=hours_text, minutes=rest)
    elif hours or not rest:  # nothing at all reads "0 h"
        text = hours_text
    else:
        text = gettext("%(minutes)s min", minutes=rest)
    if sign and not text[:1].isdigit():  # "− ساعة و30 دقيقة": the sign is not glued to a word
        sign += NBSP
    return sign + text, bool(sign)


def format_minutes(minutes: int | None, signed: bool = False) -> str:
    """Show a duration the way people say it: "1 h 30" (fr), "1 h 30 min" (en), "ساعة و30 دقيقة" (ar).

    A signed amount ("−1 h 30", "+2 h" with ``signed``) is isolated (FSI … PDI), so that its sign stays at its
    start inside a sentence of the other direction."""
    text, has_sign, _html = _signed_minutes(minutes, signed)
    return f"{FSI}{text}{PDI}" if has_sign else text


def minutes_html(minutes: int | None, signed: bool = False) -> Markup:
    """The ``minutes`` filter of the pages: a signed amount is one <bdi>, the sign at its start."""
    return _signed_minutes(minutes, signed)[2]


def _minutes_markup(text: str, has_sign: bool) -> Markup:
    if not has_sign:
        return Markup.escape(text)
    # A signed number is written left to right in every language, so the minus stands left of its digits (not
    # "3−" on an Arabic page); the words around it keep their own direction and order ("−3 ساعات": the number
    # on the right of the word on an Arabic page). The amount is in the page's language, so the isolate takes the
    # page's direction: left to guess, a browser reads the "3" first and sets "ساعات" after it, to the right.
    direction = _page_direction()
    number = re.match(r"[−+]\d+", text)
    if number:
        return Markup('<bdi class="signed" dir="{}"><span dir="ltr">{}</span>{}</bdi>').format(
            direction, number.group(), text[number.end():])
    return Markup('<bdi class="signed" dir="{}">{}</bdi>').format(direction, text)


def _page_direction() -> str:
    try:
        return text_direction()
    except (RuntimeError, KeyError):  # outside an application: the words were formatted in the default (French)
        return "ltr"


# The association's own texts, written once per language in the settings (key in the configuration).
LOCAL_TEXTS = {
    "charter": "TIMEBANK_CHARTER",
    "description": "TIMEBANK_DESCRIPTION",
    "opening_hours": "TIMEBANK_OPENING_HOURS",
    "welcome_meeting": "TIMEBANK_WELCOME_MEETING",
    "welcome_message": "TIMEBANK_WELCOME_MESSAGE",
    "email_signature": "TIMEBANK_EMAIL_SIGNATURE",
}


def texts_by_language(value: object, default_locale: str) -> dict[str, str]:
    """One text per language code, from a saved value: a dict, or a single text written before texts had a
    language (it reads as the default language's)."""
    if isinstance(value, dict):
        return {str(code): text.strip() for code, text in value.items() if isinstance(text, str) and text.strip()}
    if isinstance(value, str) and value.strip():
        return {default_locale: value.strip()}
    return {}


def local_text(name: str, locale: str | None = None) -> str:
    """The association's text ``name`` in the reader's language, else in the instance's default language.

    Never in another language by accident: a text missing in both reads as nothing."""
    config = current_app.config
    default = config["BABEL_DEFAULT_LOCALE"]
    texts = texts_by_language(config.get(LOCAL_TEXTS[name]), default)
    return texts.get(locale or locale_code()) or texts.get(default) or ""


# Between the items of a list: the Arabic comma on an Arabic page. (Babel's format_list is not used: CLDR's Arabic
# lists join every item with "و" and no comma, and it would glue that letter to a person's word.)
LIST_SEPARATORS = {"ar": "\u060c ", "fa": "\u060c ", "ur": "\u060c "}


def list_separator(locale: str | None = None) -> str:
    return LIST_SEPARATORS.get((locale or locale_code()).split("_")[0], ", ")


@pass_eval_context
def join_list(eval_ctx, items, locale: str | None = None):
    """Join the items of a list with the reader's comma: "Français, Arabe", "الفرنسية، العربية"."""
    separator = list_separator(locale)
    if eval_ctx.autoescape:
        return Markup(separator).join(items)
    return separator.join(str(item) for item in items)


_LANGUAGE_LISTS: dict[tuple[tuple[str, ...], str], Markup] = {}


def language_names(codes) -> Markup:
    """A list of languages named in the reader's language and joined with her comma ("Français, Arabe"), as
    ``codes|map("language_name")|join_list`` says it; worked out once a process for each list and language (a
    directory page names thirty members' languages)."""
    reader = locale_code()
    key = (tuple(codes), reader)
    found = _LANGUAGE_LISTS.get(key)
    if found is None:
        if len(_LANGUAGE_LISTS) > 20_000:
            _LANGUAGE_LISTS.clear()
        found = _LANGUAGE_LISTS[key] = Markup(list_separator(reader)).join(
            language_name(code, in_locale=reader) for code in key[0])
    return found


def register_i18n(app: Flask) -> None:
    app.before_request(remember_language_choice)
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.filters["language_names"] = language_names
    app.jinja_env.filters["join_list"] = join_list
    app.jinja_env.globals.update(
        text_direction=text_direction,
        language_name=language_name,
        autonym=autonym,
        local_text=local_text,
        current_locale=locale_code,
    )
