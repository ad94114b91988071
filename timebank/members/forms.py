"""Forms check the shape of input; the services check the rules."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from timebank.forms import FlaskForm
from timebank.i18n import autonym, language_name
from timebank.members.models import ContactVisibility
from timebank.phones import PhoneNumber
from timebank.validators import NoNul, PlainText, SafeEmail

PASSWORD_MAX = 128
NAME_MAX = 80


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LanguagesField(MultiCheckboxField):
    """Languages as checkboxes: the instance's most spoken first, the others behind "Other languages"."""

    PRIMARY_COUNT = 8

    @property
    def primary(self) -> list[str]:
        return current_app.config["TIMEBANK_SPOKEN_LANGUAGES"][: self.PRIMARY_COUNT]


def _password_field(label):
    return PasswordField(
        label,
        validators=[InputRequired(message=_l("Please choose a password.")), Length(max=PASSWORD_MAX), NoNul()],
        render_kw={"autocomplete": "new-password"},
    )


def _phone_field(label, description=None):
    return TelField(label, description=description, validators=[Optional(), Length(max=32), NoNul(), PhoneNumber()],
                    render_kw={"autocomplete": "tel", "inputmode": "tel"})


def _check_password_length(form, field):
    minimum = current_app.config["TIMEBANK_PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(_l("Your password needs at least %(n)s characters.", n=minimum))


class _ProfileFields:
    def fill_choices(self):
        config = current_app.config
        self.area.choices = [SelectChoice("", _l("Choose your area"))] + [
            SelectChoice(area) for area in config["TIMEBANK_AREAS"]
        ]
        spoken = [SelectChoice(code, language_name(code)) for code in config["TIMEBANK_SPOKEN_LANGUAGES"]]
        self.languages.choices = sorted(spoken, key=lambda choice: choice.label.casefold())
        self.locale.choices = [SelectChoice(code, autonym(code)) for code in config["LANGUAGES"]]


class RegisterForm(FlaskForm, _ProfileFields):
    display_name = StringField(
        _l("Your name"),
        description=_l("As you want other members to see it, e.g. Amina D."),
        validators=[InputRequired(message=_l("Please tell us your name.")), Length(max=NAME_MAX), PlainText()],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[
            InputRequired(message=_l("Please give your e-mail address.")),
            Length(max=254),
            NoNul(),
            Email(message=_l("This does not look like an e-mail address."), check_deliverability=False),
            SafeEmail(),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    password = _password_field(_l("Password"))
    phone = _phone_field(_l("Phone number (optional)"),
                         _l("The coordinators see it, and the people you agree an exchange with; you can "
                            "change this in your profile."))
    call_me = BooleanField(_l("Call me on this number rather than writing to me"))
    locale = SelectField(_l("Language of the website and e-mails"))
    area = SelectField(
        _l("Your area"), validators=[InputRequired(message=_l("Please choose your area."))]
    )
    languages = LanguagesField(
        _l("Languages you speak"),
        validators=[InputRequired(message=_l("Please tick at least one language."))],
    )
    charter = BooleanField(
        _l("I have read the charter and I accept it"),
        validators=[InputRequired(message=_l("Please read and accept the charter to join."))],
    )
    submit = SubmitField(_l("Send my application"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_choices()
        self.password.description = _l(
            "At least %(n)s characters. A short sentence is easy to remember.",
            n=current_app.config["TIMEBANK_PASSWORD_MIN_LENGTH"],
        )

    def validate_password(self, field):
        _check_password_length(self, field)


class ProfileForm(FlaskForm, _ProfileFields):
    display_name = StringField(
        _l("Your name"),
        validators=[InputRequired(message=_l("Please tell us your name.")), Length(max=NAME_MAX), PlainText()],
    )
    bio = TextAreaField(
        _l("A few words about you"),
        description=_l("What you like doing, when you are available. Other members will read it."),
        validators=[Optional(), Length(max=1000), PlainText(multiline=True)],
    )
    area = SelectField(_l("Your area"), validators=[InputRequired(message=_l("Please choose your area."))])
    languages = LanguagesField(
        _l("Languages you speak"),
        validators=[InputRequired(message=_l("Please tick at least one language."))],
    )
    phone = _phone_field(_l("Phone number (optional)"))
    contact_visibility = SelectField(
        _l("Who may see your phone number and e-mail address"),
        choices=[
            SelectChoice(ContactVisibility.COUNTERPARTS.value, _l("People who agreed an exchange with me, and the coordinators")),
            SelectChoice(ContactVisibility.COORDINATORS.value, _l("Only the coordinators")),
            SelectChoice(ContactVisibility.MEMBERS.value, _l("All members of the timebank")),
        ],
    )
    locale = SelectField(_l("Language of the website and e-mails"))
    notify_matches = BooleanField(_l("Tell me when someone near me needs what I offer, or offers what I need"))
    submit = SubmitField(_l("Save my profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_choices()


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("E-mail address or member number"),
        validators=[InputRequired(message=_l("Please give your e-mail address or member number.")),
                    Length(max=254), NoNul()],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(message=_l("Please type your password.")), Length(max=PASSWORD_MAX), NoNul()],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay signed in on this phone or computer"), default=True)
    submit = SubmitField(_l("Sign in"))


def _check_phone(form, field):
    from timebank.phones import phone_e164

    if phone_e164(field.data) is None:
        raise ValidationError(_l("Please type a phone number, like 06 12 34 56 78 (or +33 6 12 34 56 78)."))


def _phone_field():
    return StringField(_l("Your phone number"),
                       validators=[InputRequired(message=_l("Please type your phone number.")), Length(max=40),
                                   NoNul(), _check_phone],
                       render_kw={"autocomplete": "tel", "inputmode": "tel"})


class PhoneForm(FlaskForm):
    """Ask for a sign-in code by text message."""

    phone = _phone_field()
    submit = SubmitField(_l("Send me a code"))


class CodeForm(FlaskForm):
    phone = _phone_field()
    code = StringField(_l("The code in the text message"),
                       validators=[InputRequired(message=_l("Please type the six digits of the code.")),
                                   Length(max=12), NoNul()],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            InputRequired(message=_l("Please give your e-mail address.")),
            Length(max=254),
            NoNul(),
            Email(message=_l("This does not look like an e-mail address."), check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(FlaskForm):
    password = _password_field(_l("New password"))
    submit = SubmitField(_l("Save my new password"))

    def validate_password(self, field):
        _check_password_length(self, field)


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


class SignOutEverywhereForm(FlaskForm):
    sign_out = SubmitField(_l("Sign out everywhere else"))


MODE_LABELS = {
    "now": _l("By e-mail at once"),
    "digest": _l("In one e-mail a day"),
    "never": _l("Only on the website"),
    "sms": _l("By text message (SMS)"),
    "push": _l("By a notification on my phone"),
}


def _mode_field(label):
    return SelectField(label, choices=[SelectChoice(mode, text) for mode, text in MODE_LABELS.items()])


class EmailPreferencesForm(FlaskForm):
    """How a member is told about each topic; only the ways she can receive are offered (``offer``)."""

    exchanges = _mode_field(_l("My exchanges that need my answer (proposals, answers, confirmations)"))
    messages = _mode_field(_l("Messages"))
    hours = _mode_field(_l("Hours given to me"))
    reminders = _mode_field(_l("Reminders (an exchange tomorrow, a confirmation due)"))
    matches = _mode_field(_l("News of my listings (matches nearby, a listing ending)"))
    texts = RadioField(_l("Text messages (SMS) to my phone"),
                       choices=[SelectChoice("on", _l("Yes, when I choose them above")),
                                SelectChoice("off", _l("No text message at all"))],
                       description=_l("Replying STOP to a text message also stops them."))
    save = SubmitField(_l("Save my choices"))

    TOPICS = ("exchanges", "messages", "hours", "reminders", "matches")

    def offer(self, modes: list[str]) -> EmailPreferencesForm:
        for topic in self.TOPICS:
            self[topic].choices = [SelectChoice(mode, MODE_LABELS[mode]) for mode in modes]
        return self


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(message=_l("Please type your password.")),
                                            Length(max=PASSWORD_MAX), NoNul()],
        render_kw={"autocomplete": "current-password"})
    new_password = _password_field(_l("New password"))
    change = SubmitField(_l("Change my password"))

    def validate_new_password(self, field):
        _check_password_length(self, field)


class CharterForm(FlaskForm):
    accept = BooleanField(_l("I have read the charter and I accept it"),
                          validators=[InputRequired(message=_l("Please read and accept the charter to go on."))])
    submit = SubmitField(_l("Go on"))
