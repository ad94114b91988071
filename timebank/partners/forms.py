"""Forms of the partners' pages: the admin's partner form, representatives, rewards, bookings.

A partner's limits use the form of a member's (``coordination.forms.LimitsForm``)."""
from __future__ import annotations

import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from timebank.forms import FlaskForm, PrefixedForm
from timebank.ledger.forms import DurationFields
from timebank.partners.models import PartnerKind
from timebank.partners.services import DESCRIPTION_LANGUAGES, PartnerFields
from timebank.validators import PlainText

# Only letters, digits, - and _: the services add their own scope.
_KEY_VALIDATORS = [InputRequired(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")]


def new_key() -> str:
    """A fresh idempotency key, put in the form when it is shown: a resent form acts once."""
    return uuid.uuid4().hex


class KeyedForm(PrefixedForm):
    key = HiddenField(validators=_KEY_VALIDATORS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.key.data:
            self.key.data = new_key()


_LANGUAGE_LABELS = {
    "fr": _l("Description in French"), "en": _l("Description in English"), "ar": _l("Description in Arabic"),
    "tr": _l("Description in Turkish"), "pt": _l("Description in Portuguese"),
}


def _description(code: str) -> TextAreaField:
    extra = {"dir": "rtl", "lang": "ar"} if code == "ar" else {"dir": "auto", "lang": code}
    return TextAreaField(_LANGUAGE_LABELS[code], validators=[Optional(), Length(max=3000), PlainText(multiline=True)],
                         render_kw={"rows": 4, "maxlength": 3000, **extra})


class PartnerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(message=_l("Please give the name.")), Length(max=120),
                                               PlainText()])
    kind = SelectField(_l("Kind of organisation"), choices=[], validators=[InputRequired()])
    description_fr = _description("fr")
    description_en = _description("en")
    description_ar = _description("ar")
    description_tr = _description("tr")
    description_pt = _description("pt")
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300), PlainText()])
    contact = StringField(_l("Contact (phone, e-mail, opening hours)"),
                          validators=[Optional(), Length(max=300), PlainText()])
    logo = FileField(_l("Logo (PNG or JPEG, at most 1 MB)"), render_kw={"accept": "image/png,image/jpeg"})
    save = SubmitField(_l("Save the partner"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(kind.value, kind.label) for kind in PartnerKind]

    def fields(self) -> PartnerFields:
        return PartnerFields(
            name=self.name.data, kind=PartnerKind(self.kind.data),
            descriptions={code: self[f"description_{code}"].data or "" for code in DESCRIPTION_LANGUAGES},
            address=self.address.data or "", contact=self.contact.data or "")

    def logo_data(self) -> bytes | None:
        upload = self.logo.data
        if not upload or not getattr(upload, "filename", ""):
            return None
        return upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)


def _reason_field() -> TextAreaField:
    return TextAreaField(_l("Reason"), validators=[InputRequired(message=_l("Please write the reason.")),
                                                   Length(max=500), PlainText(multiline=True)],
                         render_kw={"rows": 2, "maxlength": 500})


class RepresentativeForm(PrefixedForm):
    prefix_name = "rep"

    number = IntegerField(_l("Member number"), validators=[InputRequired(message=_l("Please give a member number."))],
                          render_kw={"inputmode": "numeric"})
    reason = _reason_field()
    add = SubmitField(_l("Name as representative"))


class RemoveRepresentativeForm(PrefixedForm):
    prefix_name = "remove"

    reason = _reason_field()
    remove = SubmitField(_l("Remove"))


class PartnerStatusForm(KeyedForm):
    prefix_name = "status"

    reason = _reason_field()
    suspend = SubmitField(_l("Suspend the partner"))
    reactivate = SubmitField(_l("Make the partner active again"))

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) and bool(self.suspend.data or self.reactivate.data)


class RewardForm(FlaskForm, DurationFields):
    title = StringField(_l("Title"), validators=[InputRequired(message=_l("Please give a title.")), Length(max=100),
                                                 PlainText()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000),
                                                               PlainText(multiline=True)],
                                render_kw={"rows": 3, "maxlength": 2000, "dir": "auto"})
    hours = IntegerField(_l("Hours"), default=1, validators=[
        InputRequired(message=_l("Please give a number of hours (0 is fine if you give minutes).")),
        NumberRange(min=0, max=24, message=_l("Between 0 and 24 hours."))], render_kw={"inputmode": "numeric"})
    minutes = SelectField(_l("Minutes"), default="0")
    places = IntegerField(_l("Number available"), default=1, validators=[
        InputRequired(message=_l("Please give the number of places.")),
        NumberRange(min=1, max=1000, message=_l("Between 1 and 1000 places."))], render_kw={"inputmode": "numeric"})
    starts_on = DateField(_l("From (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Until (optional)"), validators=[Optional()])
    save = SubmitField(_l("Publish the reward"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()


class BookForm(KeyedForm):
    book = SubmitField(_l("Book it"))


class CancelBookingForm(KeyedForm):
    cancel = SubmitField(_l("Cancel my booking"))


class DecideBookingForm(KeyedForm):
    used = SubmitField(_l("Mark used"))
    refuse = SubmitField(_l("Refuse"))


class WithdrawRewardForm(KeyedForm):
    withdraw = SubmitField(_l("Withdraw the reward"))
