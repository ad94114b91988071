from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from timebank.exchanges.steps import MESSAGE_MAX
from timebank.forms import FlaskForm
from timebank.ledger.forms import DurationFields, hours_field, key_field, new_key
from timebank.validators import PlainText


class ProposeForm(FlaskForm, DurationFields):
    role = RadioField(
        _l("Who gives the service?"),
        choices=[SelectChoice("provide", _l("I do it")), SelectChoice("receive", _l("The other person does it"))],
        validators=[InputRequired(message=_l("Please say who gives the service."))],
    )
    title = StringField(_l("What"), validators=[InputRequired(message=_l("Please say what the exchange is about.")),
                                                Length(max=100), PlainText()], render_kw={"maxlength": 100})
    hours = hours_field()
    minutes = SelectField(_l("Minutes"), default="0")
    on_date = DateField(_l("Date"), validators=[InputRequired(message=_l("Please choose a date."))])
    at_time = TimeField(_l("Time (optional)"), validators=[Optional()])
    message = TextAreaField(
        _l("Message (optional)"), validators=[Optional(), Length(max=MESSAGE_MAX), PlainText(multiline=True)],
        render_kw={"rows": 3, "maxlength": MESSAGE_MAX})
    key = HiddenField(validators=[Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")])
    submit = SubmitField(_l("Send the proposal"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()
        if not self.key.data:
            self.key.data = new_key()


class CounterForm(FlaskForm, DurationFields):
    hours = hours_field()
    minutes = SelectField(_l("Minutes"), default="0")
    on_date = DateField(_l("Date"), validators=[InputRequired(message=_l("Please choose a date."))])
    at_time = TimeField(_l("Time (optional)"), validators=[Optional()])
    key = key_field(required=False)
    submit = SubmitField(_l("Suggest this change"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()


class DoneForm(FlaskForm, DurationFields):
    hours = hours_field()
    minutes = SelectField(_l("Minutes"), default="0")
    key = key_field(required=False)
    submit = SubmitField(_l("It is done"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Why?"), validators=[Optional(), Length(max=MESSAGE_MAX), PlainText(multiline=True)],
                           render_kw={"rows": 2, "maxlength": MESSAGE_MAX})
    key = key_field(required=False)


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"),
                         validators=[InputRequired(message=_l("Please write a message.")), Length(max=MESSAGE_MAX),
                                     PlainText(multiline=True)],
                         render_kw={"rows": 3, "maxlength": MESSAGE_MAX})
    submit = SubmitField(_l("Send"))


class StepForm(FlaskForm):
    """A step with nothing to fill in (accept, confirm): the CSRF token and the form's key."""

    key = key_field(required=False)


class ResolveForm(FlaskForm, DurationFields):
    resolution = RadioField(
        _l("Decision"),
        choices=[SelectChoice("upheld", _l("As agreed (or as marked done)")),
                 SelectChoice("changed", _l("Another duration")),
                 SelectChoice("cancelled", _l("No hours: cancel the exchange"))],
        validators=[InputRequired(message=_l("Please choose a decision."))],
    )
    hours = hours_field()
    minutes = SelectField(_l("Minutes"), default="0")
    reason = TextAreaField(
        _l("Reason, for both people"),
        validators=[InputRequired(message=_l("Please write the reason: both people will read it.")),
                    Length(max=MESSAGE_MAX), PlainText(multiline=True)],
        render_kw={"rows": 3, "maxlength": MESSAGE_MAX})
    shortfall = RadioField(
        _l("Hours the helper has already used"),
        choices=[SelectChoice("partial", _l("Take back only what the helper can give back now")),
                 SelectChoice("community", _l("Take back all of it: the community account gives the rest"))],
        validators=[Optional()])
    key = key_field(required=False)
    submit = SubmitField(_l("Settle the disagreement"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.resolution.data != "changed" and (self.hours.errors or self.minutes.errors):
            # Only "another duration" reads the duration: folded away and left empty, it blocks no other decision.
            self.hours.errors, self.minutes.errors = [], []
            valid = not any(field.errors for field in self)
        return valid


class GroupForm(FlaskForm, DurationFields):
    title = StringField(_l("Title"), validators=[InputRequired(message=_l("Please give a title.")), Length(max=100),
                                                 PlainText()], render_kw={"maxlength": 100})
    description = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=2000),
                                                                      PlainText(multiline=True)],
                                render_kw={"rows": 3, "maxlength": 2000})
    on_date = DateField(_l("Date"), validators=[InputRequired(message=_l("Please choose a date."))])
    at_time = TimeField(_l("Time (optional)"), validators=[Optional()])
    hours = hours_field()
    minutes = SelectField(_l("Minutes"), default="0")
    max_participants = IntegerField(
        _l("How many participants at most"), default=8,
        validators=[InputRequired(message=_l("Please give a number of participants.")),
                    NumberRange(min=1, max=50, message=_l("Between 1 and 50 participants."))],
        render_kw={"inputmode": "numeric", "min": 1, "max": 50})
    key = key_field(required=False)
    submit = SubmitField(_l("Announce the session"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()
        if not self.key.data:
            self.key.data = new_key()
