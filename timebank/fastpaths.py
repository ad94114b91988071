"""What every page asks many times, answered once a request (or once a process) instead of every time.

A page asks the reader's language code a hundred times (every card, every language name), translates sixty
sentences and builds a hundred addresses. Flask-Babel looks the request's locale and catalogue up again on each
call, and ``url_for`` runs Werkzeug's URL builder: together a few milliseconds a page. Here:

- ``locale_code()`` is ``locale_code()``, kept on the request's Babel namespace for as long as the locale
  object is the same one (``flask_babel.refresh()`` after a language change makes a new one);
- the templates' ``_``/``ngettext`` use the catalogue found once for that same locale;
- the templates' ``url_for`` keeps the addresses it built (endpoint, arguments, blueprint and script root as
  the key, a bounded table a process, emptied when full), falling back to Flask's for anything unusual (``_external``, lists…).
"""
from __future__ import annotations

from flask import Flask, current_app, g
from flask.globals import _cv_request
from flask_babel import get_locale, get_translations

_ADDRESSES = 4096  # addresses kept a process (listing and member pages come and go; the menu's stay)


def _namespace():
    """Flask-Babel's namespace of this request (its locale and catalogues), made by its first ``get_locale()``."""
    try:
        return g._flask_babel
    except (AttributeError, RuntimeError):  # not asked yet, or outside an application context
        get_locale()
        return g.get("_flask_babel") if g else None


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


def register_fastpaths(app: Flask) -> None:
    _install_gettext(app)
    if not app.debug:  # in development a changed static file must get its new address at once
        _install_url_for(app)


def addresses_forget(app: Flask | None = None) -> None:
    """Forget the kept addresses (a static file's content changed while the process runs)."""
    (app or current_app).extensions.get("timebank.addresses", {}).clear()
