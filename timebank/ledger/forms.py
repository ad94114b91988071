from __future__ import annotations

import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from timebank.forms import FlaskForm
from timebank.validators import PlainText

COMMUNITY = "community"


def new_key() -> str:
    """A fresh idempotency key, put in the form when it is shown: a resent form never pays twice."""
    return uuid.uuid4().hex


class DurationFields:
    """Hours (a number) and minutes (in steps) of one duration; forms declare `hours` and `minutes`."""

    def fill_minutes(self):
        step = current_app.config["TIMEBANK_LEDGER_STEP"]
        self.minutes.choices = [SelectChoice(str(m), f"{m:02d}") for m in range(0, 60, step)] or [SelectChoice("0")]
        # The browser's own limit must not refuse what the service accepts (the largest transfer is a setting).
        self.hours.render_kw = {**(self.hours.render_kw or {}),
                                "max": current_app.config["TIMEBANK_LEDGER_MAX_TRANSFER"] // 60}

    @property
    def total_minutes(self) -> int:
        return (self.hours.data or 0) * 60 + int(self.minutes.data or 0)


class HoursField(IntegerField):
    """Whole hours, with a message people understand when they type letters."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Please give a number of hours in figures, for example 2.")) from None


def _not_negative(form, field):
    if field.data is not None and field.data < 0:
        raise ValidationError(_l("The number of hours cannot be negative."))


def hours_field():
    return HoursField(
        _l("Hours"),
        default=1,
        validators=[InputRequired(message=_l("Please give a number of hours (0 is fine if you give minutes).")),
                    _not_negative],
        render_kw={"inputmode": "numeric", "min": 0, "max": 24},
    )


# Only letters, digits, - and _: the services add their own scope ("give:<member>:<key>").
_KEY_VALIDATORS = [InputRequired(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")]


def key_field(*, required: bool = True) -> HiddenField:
    """The form's idempotency key. A step of an exchange may come without one (the state already guards it)."""
    return HiddenField(validators=_KEY_VALIDATORS if required else [Optional(), *_KEY_VALIDATORS[1:]])


class GiveForm(FlaskForm, DurationFields):
    # The recipient is found by what the giver types (a name, a member number), then chosen among the members found:
    # ``to`` carries her id (or "community"), so a timebank of hundreds never lists everyone.
    who = StringField(_l("To whom: a name or a member number"),
                      validators=[Optional(), Length(max=80), PlainText()], render_kw={"autocomplete": "off"})
    find = SubmitField(_l("Find"))
    to = HiddenField(validators=[InputRequired(message=_l("Please choose who receives the hours."))])
    hours = hours_field()
    minutes = SelectField(_l("Minutes"), default="0")
    category = SelectField(_l("Kind of service"),
                           description=_l("The association counts the hours of each kind of service for its report."),
                           validators=[Optional()])
    memo = StringField(
        _l("What for"),
        description=_l("For example: help with the CAF form, two hours of childcare."),
        validators=[Optional(), Length(max=200), PlainText()],
    )
    key = HiddenField(validators=_KEY_VALIDATORS)
    confirm = HiddenField()
    submit = SubmitField(_l("Continue"))

    def __init__(self, *args, recipient_of=lambda member_id: None, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()
        from flask_babel import get_locale

        self._recipient_of = recipient_of
        self.category.choices = [SelectChoice("", _l("Not said"))] + [
            SelectChoice(str(category.id), category.name(str(get_locale()))) for category in categories]
        if not self.key.data:
            self.key.data = new_key()

    @property
    def recipient(self):
        """The member chosen (None for the community account, or nothing valid chosen yet)."""
        data = (self.to.data or "").strip()
        return self._recipient_of(int(data)) if data.isascii() and data.isdigit() and len(data) < 10 else None

    def validate_to(self, field):
        if field.data != COMMUNITY and self.recipient is None:
            raise ValidationError(_l("Please choose who receives the hours."))


class GrantForm(FlaskForm, DurationFields):
    """Welcome hours (from the timebank) or hours from the community account, given by an admin."""

    member = SelectField(_l("Member"), validators=[InputRequired(message=_l("Please choose a member."))])
    hours = hours_field()
    minutes = SelectField(_l("Minutes"), default="0")
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=300), PlainText(multiline=True)])
    key = HiddenField(validators=_KEY_VALIDATORS)
    submit = SubmitField(_l("Give the hours"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()
        self.member.choices = [SelectChoice("", _l("Choose a member"))] + [
            SelectChoice(str(member.id), f"{member.display_name} · {member.number}") for member in members
        ]
        if not self.key.data:
            self.key.data = new_key()
