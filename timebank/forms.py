"""The base of every form: WTForms' own messages in the page's language; hidden inputs and buttons without ids."""
from __future__ import annotations

from babel import support
from flask import current_app
from flask_babel import get_translations
from flask_wtf import FlaskForm as _FlaskWTFForm
from wtforms.i18n import messages_path
from timebank.fastpaths import locale_code

_WTFORMS: dict[str, support.Translations] = {}


class _WTFormsCatalogue:
    """WTForms' own catalogue for the page's language, read from disk once per process and language (Flask-WTF
    would read it again on every request)."""

    @staticmethod
    def _catalogue():
        locale = locale_code()
        found = _WTFORMS.get(locale)
        if found is None:
            found = _WTFORMS[locale] = support.Translations.load(messages_path(), [locale], domain="wtforms")
        return found

    def gettext(self, string: str) -> str:
        return self._catalogue().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ungettext(singular, plural, n)


wtforms_translations = _WTFormsCatalogue()


class FormTranslations:
    """Our catalogue first, then WTForms' own (the one Flask-WTF picks for the request's locale).

    WTForms' catalogues leave gaps (Arabic has no plural of "Field cannot be
    longer than %(max)d characters.", no "Not a valid time value."): ours holds
    those messages (see ``wtforms_messages``) and wins where it translates one.
    """

    def gettext(self, string: str) -> str:
        ours = get_translations().ugettext(string)
        return ours if ours != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = get_translations().ungettext(singular, plural, n)
        return ours if ours not in (singular, plural) else wtforms_translations.ngettext(singular, plural, n)


form_translations = FormTranslations()


class FlaskForm(_FlaskWTFForm):
    """Every form of the timebank derives from this one (a test checks it)."""

    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return form_translations

        def render_field(self, field, render_kw):
            # A page often holds several forms, each with its CSRF token (and idempotency key) and its
            # buttons: an id on these would repeat on the page, and no label points at them.
            if getattr(field.widget, "input_type", None) in ("hidden", "submit"):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


class PrefixedForm(FlaskForm):
    """Several forms share a page: each gets its own prefix (``prefix_name``), so their ids never collide."""

    prefix_name = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


def wtforms_messages(gettext, ngettext) -> list:
    """WTForms' messages that its catalogues leave untranslated or mistranslated, marked for `make messages`.

    The extractor reads the calls below, so these msgids stay in our catalogue;
    a test passes identity functions to check they are still WTForms' own.
    """
    return [
        ngettext("Field must be at least %(min)d character long.",
                 "Field must be at least %(min)d characters long.", 2),
        ngettext("Field cannot be longer than %(max)d character.",
                 "Field cannot be longer than %(max)d characters.", 2),
        ngettext("Field must be exactly %(max)d character long.",
                 "Field must be exactly %(max)d characters long.", 2),
        ngettext("'%(value)s' is not a valid choice for this field.",
                 "'%(value)s' are not valid choices for this field.", 2),
        gettext("Not a valid integer value."),
        gettext("Not a valid time value."),
    ]
