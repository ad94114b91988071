"""What every page asks many times, answered once a request (or once a process) instead of every time.

A page asks the reader's language code a hundred times (every card, every language name), translates sixty
sentences and builds a hundred addresses. Flask-Babel looks the request's locale and catalogue up again on each
call, and ``url_for`` runs Werkzeug's URL builder: together a few milliseconds a page. Here:

- ``locale_code()`` is ``locale_code()``, kept on the request's Babel namespace for as long as the locale
  object is the same one (``flask_babel.refresh()`` after a language change makes a new one);
- the templates' ``_``/``ngettext`` use the catalogue found once for that same locale;
- the templates' ``url_for`` keeps the addresses it built (endpoint, arguments, blueprint and script root as
  the key, a bounded table a process, emptied when full), falling back to Flask's for anything unusual (``_external``, lists…);
- ``kept_html(render, record, *args, vary=…)`` keeps a card's HTML rendered for a record that says it renders by
  value (``RENDERS_BY_VALUE``: a frozen record of every field its card shows), so that twenty cards a page are
  rendered once a process rather than on every view. Its key is the record itself (a changed title is a new key),
  the arguments and ``vary`` (the reader's language…: everything else the HTML depends on).
"""
from __future__ import annotations

from flask import Flask, current_app
from flask.globals import _cv_app, _cv_request
from flask_babel import get_locale, get_translations

_ADDRESSES = 4096  # addresses kept a process (listing and member pages come and go; the menu's stay)
_CARDS = 4096  # cards kept rendered a process (about 1 KB each)


def _namespace():
    """Flask-Babel's namespace of this request (its locale and catalogues), made by its first ``get_locale()``;
    read from the application context itself, not through ``g``'s proxy (a page asks it a hundred times)."""
    context = _cv_app.get(None)
    if context is None:
        return None
    namespace = context.g.__dict__.get("_flask_babel")
    if namespace is None:  # not asked yet
        get_locale()
        namespace = context.g.__dict__.get("_flask_babel")
    return namespace


def _locale(namespace):
    return getattr(namespace, "babel_locale", None) or get_locale()


def locale_code() -> str:
    """The request's language code ("fr", "ar"), as ``str(get_locale())``."""
    namespace = _namespace()
    if namespace is None:
        return str(get_locale())
    locale = _locale(namespace)
    seen = namespace.__dict__.get("timebank_code")
    if seen is not None and seen[0] is locale:
        return seen[1]
    code = str(locale)
    namespace.timebank_code = (locale, code)
    return code


def _catalogue():
    namespace = _namespace()
    if namespace is None:
        return get_translations()
    locale = _locale(namespace)
    seen = namespace.__dict__.get("timebank_catalogue")
    if seen is not None and seen[0] is locale:
        return seen[1]
    catalogue = get_translations()
    namespace.timebank_catalogue = (locale, catalogue)
    return catalogue


def _install_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _install_url_for(app: Flask) -> None:
    built: dict = {}
    flask_url_for = app.url_for

    def url_for(endpoint: str, **values) -> str:
        context = _cv_request.get(None)
        if context is None:
            return flask_url_for(endpoint, **values)
        asked = context.request
        try:
            key = (endpoint, asked.blueprint if endpoint[:1] == "." else None, asked.script_root, asked.host,
                   tuple(values.items()))
            address = built.get(key)
        except TypeError:  # a list among the values: Flask's own way
            return flask_url_for(endpoint, **values)
        if address is None:
            address = flask_url_for(endpoint, **values)
            if any(name[:1] == "_" for name in values):
                return address
            if len(built) >= _ADDRESSES:
                built.clear()
            built[key] = address
        return address

    app.jinja_env.globals["url_for"] = url_for
    app.extensions["timebank.addresses"] = built


def _install_kept_html(app: Flask) -> None:
    kept: dict = {}

    def kept_html(render, record, *args, vary: tuple = ()):
        """``render(record, *args)`` (a macro), kept for the same record, arguments and ``vary``."""
        if not getattr(record, "RENDERS_BY_VALUE", False):  # an ORM object: equal to itself only, and mutable
            return render(record, *args)
        context = _cv_request.get(None)
        where = (context.request.script_root, context.request.host) if context is not None else None
        key = (render.name, record, args, vary, where)
        html = kept.get(key)
        if html is None:
            html = render(record, *args)
            if len(kept) >= _CARDS:
                kept.clear()
            kept[key] = html
        return html

    app.jinja_env.globals["kept_html"] = kept_html
    app.extensions["timebank.kept_html"] = kept


def register_fastpaths(app: Flask) -> None:
    _install_gettext(app)
    if app.debug:  # in development a changed static file or template must show at once
        app.jinja_env.globals["kept_html"] = lambda render, record, *args, vary=(): render(record, *args)
    else:
        _install_url_for(app)
        _install_kept_html(app)


def addresses_forget(app: Flask | None = None) -> None:
    """Forget the kept addresses and cards (a static file's content changed while the process runs)."""
    extensions = (app or current_app).extensions
    extensions.get("timebank.addresses", {}).clear()
    extensions.get("timebank.kept_html", {}).clear()
