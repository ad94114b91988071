from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from timebank.ledger.forms import DurationFields, hours_field
from timebank.members.forms import LanguagesField
from wtforms.validators import InputRequired, Length, Optional

from timebank.validators import PlainText


class DecisionForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the applicant (optional)"),
        validators=[Optional(), Length(max=2000), PlainText(multiline=True)],
    )
    approve = SubmitField(_l("Approve"))
    decline = SubmitField(_l("Decline"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("New note (only coordinators and admins read it)"),
                         validators=[InputRequired(message=_l("Please write the note.")), Length(max=4000),
                                     PlainText(multiline=True)], render_kw={"rows": 3, "maxlength": 4000})
    add = SubmitField(_l("Add the note"))


class StatusForm(FlaskForm):
    """Prefixed: several forms on the coordinator's member page each have a reason."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "status")
        super().__init__(*args, **kwargs)

    reason = TextAreaField(_l("Reason"), validators=[InputRequired(message=_l("Please write the reason.")),
                                                     Length(max=2000), PlainText(multiline=True)],
                           render_kw={"rows": 2, "maxlength": 2000})
    suspend = SubmitField(_l("Suspend the membership"))
    reactivate = SubmitField(_l("Reactivate the membership"))


class LimitsForm(FlaskForm):
    """Prefixed: several forms on the coordinator's member page each have a reason."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "limits")
        super().__init__(*args, **kwargs)

    floor_hours = IntegerField(_l("Lowest balance allowed (hours, 0 or below)"),
                               validators=[InputRequired(message=_l("Please give a number of hours."))],
                               render_kw={"inputmode": "numeric"})
    ceiling_hours = IntegerField(_l("Highest balance allowed (hours)"),
                                 validators=[InputRequired(message=_l("Please give a number of hours."))],
                                 render_kw={"inputmode": "numeric"})
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(message=_l("Please write the reason.")),
                                                     Length(max=500), PlainText(multiline=True)],
                           render_kw={"rows": 2, "maxlength": 500})
    save = SubmitField(_l("Change the limits"))


class OfflineMemberForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[InputRequired(message=_l("Please give the name.")),
                                                       Length(max=80), PlainText()])
    phone = StringField(_l("Phone number (optional)"), validators=[Optional(), Length(max=32), PlainText()],
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
    record = SubmitField(_l("Record the exchange"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()
        self.provider.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(m.id), f"{m.display_name} · {m.number}") for m in members]
