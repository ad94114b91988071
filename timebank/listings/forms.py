from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from timebank.fastpaths import locale_code
from timebank.forms import FlaskForm
from timebank.i18n import language_name
from timebank.listings.models import ListingType
from timebank.members.forms import LanguagesField
from timebank.validators import PlainText

TITLE_MAX, DESCRIPTION_MAX, TAGS_MAX, AVAILABILITY_MAX, REASON_MAX = 100, 2000, 200, 200, 1000


def _language_choices():
    choices = [SelectChoice(code, language_name(code)) for code in current_app.config["TIMEBANK_SPOKEN_LANGUAGES"]]
    return sorted(choices, key=lambda choice: choice.label.casefold())


def _category_choices(categories, placeholder):
    locale = locale_code()
    return [SelectChoice("", placeholder)] + [
        SelectChoice(str(category.id), category.name(locale)) for category in categories
    ]


def _trimmed(value):
    # A blank choice typed into the address (" ", a tab, a line break) means "any", not a value to look up.
    return value.strip() if isinstance(value, str) else value


class ListingForm(FlaskForm):
    type = RadioField(
        _l("What do you want to do?"),
        choices=[SelectChoice(ListingType.OFFER.value, _l("I can help (an offer)")),
                 SelectChoice(ListingType.REQUEST.value, _l("I need help (a request)"))],
        validators=[InputRequired(message=_l("Please choose: an offer or a request."))],
    )
    title = StringField(
        _l("Title"),
        description=_l("In a few words, at most %(n)s characters. For example: Help with the CAF form.", n=TITLE_MAX),
        validators=[InputRequired(message=_l("Please give a title.")), Length(max=TITLE_MAX), PlainText()],
        render_kw={"maxlength": TITLE_MAX},
    )
    category = SelectField(_l("Category"), validators=[InputRequired(message=_l("Please choose a category."))])
    description = TextAreaField(
        _l("Details (optional)"),
        description=_l("When, where, what to bring… At most %(n)s characters.", n=DESCRIPTION_MAX),
        validators=[Optional(), Length(max=DESCRIPTION_MAX), PlainText(multiline=True)],
        render_kw={"maxlength": DESCRIPTION_MAX, "rows": 4},
    )
    languages = LanguagesField(
        _l("In which languages"), validators=[InputRequired(message=_l("Please tick at least one language."))])
    area = SelectField(_l("Area"), validators=[Optional()], filters=[_trimmed])
    duration = SelectField(_l("How long, about (optional)"), validators=[Optional()])
    availability = StringField(
        _l("When are you available (optional)"),
        description=_l("For example: Wednesday afternoons, weekends. At most %(n)s characters.", n=AVAILABILITY_MAX),
        validators=[Optional(), Length(max=AVAILABILITY_MAX), PlainText()],
        render_kw={"maxlength": AVAILABILITY_MAX},
    )
    ends_on = DateField(_l("Until (optional)"), validators=[Optional()],
                        description=_l("After this date the listing is no longer shown."))
    tags = StringField(
        _l("Key words (optional)"),
        description=_l("Separated by commas, for example: CAF, letters, Arabic. At most %(n)s characters.", n=TAGS_MAX),
        validators=[Optional(), Length(max=TAGS_MAX), PlainText()],
        render_kw={"maxlength": TAGS_MAX},
    )
    on_behalf = SelectField(_l("Published by"), validators=[Optional()], filters=[_trimmed])
    submit = SubmitField(_l("Publish"))

    def __init__(self, *args, categories=(), partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        # "For myself" or "for <partner>", when the author represents partners (the service checks it again).
        self.on_behalf.choices = [SelectChoice("", _l("For myself"))] + [
            SelectChoice(str(partner.id), _l("For %(partner)s", partner=partner.name)) for partner in partners]
        self.category.choices = _category_choices(categories, _l("Choose a category"))
        self.languages.choices = _language_choices()
        self.area.choices = [SelectChoice("", _l("Not said"))] + [
            SelectChoice(area) for area in current_app.config["TIMEBANK_AREAS"]]
        from timebank.i18n import format_minutes

        self.duration.choices = [SelectChoice("", _l("Not said"))] + [
            SelectChoice(str(minutes), format_minutes(minutes))
            for minutes in (30, 60, 90, 120, 180, 240, 360, 480)]


    @property
    def partner_id(self) -> int | None:
        value = self.on_behalf.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class StatusForm(FlaskForm):
    pause = SubmitField(_l("Pause"))
    reopen = SubmitField(_l("Reopen"))
    close = SubmitField(_l("Close for good"))


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong?"),
        description=_l("Only the coordinators will read it. At most %(n)s characters.", n=REASON_MAX),
        validators=[InputRequired(message=_l("Please say what is wrong.")), Length(max=REASON_MAX),
                    PlainText(multiline=True)],
        render_kw={"maxlength": REASON_MAX, "rows": 4},
    )
    submit = SubmitField(_l("Send to the coordinators"))


class ReportDecisionForm(FlaskForm):
    hide = SubmitField(_l("Hide it"))
    dismiss = SubmitField(_l("Nothing to do"))
