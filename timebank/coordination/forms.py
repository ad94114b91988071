from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from timebank.forms import FlaskForm, PrefixedForm
from timebank.ledger.forms import DurationFields, hours_field, key_field, new_key
from timebank.members.forms import LanguagesField
from timebank.phones import PhoneNumber
from timebank.validators import PlainText


def _reason(label=_l("Reason"), max_length=2000):
    return TextAreaField(label, validators=[InputRequired(message=_l("Please write the reason.")),
                                            Length(max=max_length), PlainText(multiline=True)],
                         render_kw={"rows": 2, "maxlength": max_length})


class DecisionForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the applicant"),
        description=_l("Welcome words if you approve (she also reads them on her home page); the reason if you "
                       "decline (required)."),
        validators=[Optional(), Length(max=2000), PlainText(multiline=True)],
    )
    orientation_on = DateField(_l("Welcome meeting with a coordinator (optional)"),
                               description=_l("The day of the appointment, or of a meeting that already took place."),
                               validators=[Optional()])
    approve = SubmitField(_l("Approve"))
    decline = SubmitField(_l("Decline"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("New note (only coordinators and admins read it)"),
                         validators=[InputRequired(message=_l("Please write the note.")), Length(max=4000),
                                     PlainText(multiline=True)], render_kw={"rows": 3, "maxlength": 4000})
    add = SubmitField(_l("Add the note"))


class StatusForm(PrefixedForm):
    prefix_name = "status"
    reason = _reason()
    suspend = SubmitField(_l("Suspend the membership"))
    reactivate = SubmitField(_l("Reactivate the membership"))


class LimitsForm(PrefixedForm):
    """An account's lowest and highest balance, in whole hours, with the reason: a member's (on the coordinator's
    member page) or a partner's (on the admin's partner page)."""

    prefix_name = "limits"
    # The service names the limits it refuses by their own names; these are the fields that show them.
    FIELDS = {"floor": "floor_hours", "ceiling": "ceiling_hours"}

    @classmethod
    def of(cls, account) -> "LimitsForm":
        """The form showing an account's limits as they are (0 where there is no account or no limit)."""
        return cls(formdata=None, floor_hours=(account.floor or 0) // 60 if account else 0,
                   ceiling_hours=(account.ceiling or 0) // 60 if account else 0)

    floor_hours = IntegerField(_l("Lowest balance allowed (hours, 0 or below)"),
                               validators=[InputRequired(message=_l("Please give a number of hours."))],
                               render_kw={"inputmode": "numeric"})
    ceiling_hours = IntegerField(_l("Highest balance allowed (hours)"),
                                 validators=[InputRequired(message=_l("Please give a number of hours."))],
                                 render_kw={"inputmode": "numeric"})
    reason = _reason(max_length=500)
    save = SubmitField(_l("Change the limits"))

    @property
    def floor(self) -> int:
        return self.floor_hours.data * 60

    @property
    def ceiling(self) -> int:
        return self.ceiling_hours.data * 60


class OfflineMemberForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[InputRequired(message=_l("Please give the name.")),
                                                       Length(max=80), PlainText()])
    phone = TelField(_l("Phone number (optional)"), validators=[Optional(), Length(max=32), PlainText(),
                                                                PhoneNumber()],
                     render_kw={"inputmode": "tel"})
    locale = SelectField(_l("Language of the welcome sheet"))
    area = SelectField(_l("Area"), validators=[Optional()])
    languages = LanguagesField(_l("Languages spoken"), validators=[InputRequired(
        message=_l("Please tick at least one language."))])
    create = SubmitField(_l("Create the account and print the welcome sheet"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from flask import current_app

        from timebank.i18n import autonym, language_name

        config = current_app.config
        self.locale.choices = [SelectChoice(code, autonym(code)) for code in config["LANGUAGES"]]
        self.area.choices = [SelectChoice("", "—")] + [SelectChoice(area) for area in config["TIMEBANK_AREAS"]]
        spoken = [SelectChoice(code, language_name(code)) for code in config["TIMEBANK_SPOKEN_LANGUAGES"]]
        self.languages.choices = sorted(spoken, key=lambda choice: choice.label.casefold())


class NewPasswordForm(FlaskForm):
    renew = SubmitField(_l("New temporary password and welcome sheet"))


class BrokeredForm(FlaskForm):
    """Prefixed: several forms on the coordinator's member page each have a reason."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "broker")
        super().__init__(*args, **kwargs)

    reason = TextAreaField(_l("How the member asked (date, in person or by phone)"),
                           validators=[InputRequired(message=_l("Please write the reason.")), Length(max=500),
                                       PlainText(multiline=True)], render_kw={"rows": 2, "maxlength": 500})
    enable = SubmitField(_l("The member asks us to record exchanges for them"))
    disable = SubmitField(_l("Stop acting for this member"))


class RecordForm(FlaskForm, DurationFields):
    provider = SelectField(_l("Who helped this member"),
                           validators=[InputRequired(message=_l("Please choose who helped."))])
    title = StringField(_l("What"), validators=[InputRequired(message=_l("Please say what the exchange is about.")),
                                                Length(max=100), PlainText()])
    hours = hours_field()
    minutes = SelectField(_l("Minutes"), default="0")
    key = key_field(required=False)  # sent twice (a slow connection), the exchange is recorded once
    record = SubmitField(_l("Record the exchange"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()
        if not self.key.data:
            self.key.data = new_key()
        self.provider.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(m.id), f"{m.display_name} · {m.number}") for m in members]


class OrientationForm(PrefixedForm):
    prefix_name = "orientation"
    on = DateField(_l("Day of the welcome meeting"), validators=[Optional()])
    save = SubmitField(_l("Save the day"))


class VerifyForm(PrefixedForm):
    prefix_name = "verify"
    checked = TextAreaField(_l("What you checked"), description=_l("For example: ID seen, two references called."),
                            validators=[InputRequired(message=_l("Please write what you checked.")), Length(max=500),
                                        PlainText(multiline=True)], render_kw={"rows": 2, "maxlength": 500})
    expires_on = DateField(_l("Valid until (optional)"),
                           description=_l("The member is told two weeks before; after that day the badge lapses."),
                           validators=[Optional()])
    verify = SubmitField(_l("Verify this member"))


class UnverifyForm(PrefixedForm):
    prefix_name = "unverify"
    reason = _reason()
    unverify = SubmitField(_l("Withdraw the verification"))


class WarnForm(PrefixedForm):
    prefix_name = "warn"
    body = TextAreaField(_l("Warning (the member must read it before going on)"),
                         validators=[InputRequired(message=_l("Please write the warning.")), Length(max=2000),
                                     PlainText(multiline=True)], render_kw={"rows": 3, "maxlength": 2000})
    warn = SubmitField(_l("Send the warning"))


class HelperForm(PrefixedForm):
    prefix_name = "helper"
    # Named "number" as before; a coordinator may also type a name, a phone number or an e-mail address.
    number = StringField(_l("Trusted helper: member number, name, phone or e-mail"),
                         validators=[Optional(), Length(max=80), PlainText()])
    reason = _reason(_l("How the member asked (date, in person or by phone)"), 500)
    name = SubmitField(_l("Name this helper"))
    remove = SubmitField(_l("Remove the helper"))


class MyHelperForm(FlaskForm):
    number = IntegerField(_l("Member number of the person you trust"),
                          description=_l("They find it on their home page, under their name."),
                          validators=[Optional(), NumberRange(min=1, max=2**31 - 1,
                                                              message=_l("Please give a member number."))],
                          render_kw={"inputmode": "numeric"})
    name = SubmitField(_l("Name my trusted helper"))
    remove = SubmitField(_l("Remove my trusted helper"))


class ReadForm(FlaskForm):
    read = SubmitField(_l("I have read it"))


class SessionsForm(PrefixedForm):
    prefix_name = "sessions"
    reason = _reason(_l("Why (for example: her phone was stolen, she called us)"), 500)
    end = SubmitField(_l("Sign out everywhere"))


class VersionAskForm(FlaskForm):
    ask = SubmitField(_l("Ask for their version"))


class VersionForm(FlaskForm):
    version = TextAreaField(_l("What happened, in your own words"),
                            description=_l("The coordinator reads both versions before deciding."),
                            validators=[InputRequired(message=_l("Please write what happened, in your own words.")),
                                        Length(max=2000), PlainText(multiline=True)],
                            render_kw={"rows": 5, "maxlength": 2000})
    send = SubmitField(_l("Send my version"))


def report_decision_form():
    """The listings' report decision, with the reason the author of what is hidden reads (required to hide)."""
    from timebank.listings.forms import ReportDecisionForm

    class ReportDecisionWithReason(ReportDecisionForm):
        reason = TextAreaField(_l("Reason, for the author"),
                               description=_l("The author is told that it is hidden, with these words."),
                               validators=[Optional(), Length(max=500), PlainText(multiline=True)],
                               render_kw={"rows": 2, "maxlength": 500})

    return ReportDecisionWithReason()
