"""Forms of the admin pages: settings, logo, categories, people, imports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from timebank.admin.settings import LEDGER_STEPS, Settings
from timebank.forms import FlaskForm
from timebank.i18n import LOCALES, RTL_LOCALES
from timebank.members.forms import MultiCheckboxField, ProfileForm, RegisterForm
from timebank.phones import PhoneNumber, phone_display
from timebank.validators import PlainText

_HOURS = _l("Please give a whole number of hours.")
_DAYS = _l("Please give a number of days.")


def _mode_choices():
    return [SelectChoice("now", _l("At once")), SelectChoice("digest", _l("One e-mail a day")),
            SelectChoice("never", _l("Never")), SelectChoice("sms", _l("By text message"))]


class SettingsForm(FlaskForm):
    name = StringField(_l("Name of the timebank"), validators=[InputRequired(message=_l("Please give a name.")),
                                                                Length(max=80), PlainText()])
    contact = StringField(_l("Contact address (e-mail or postal address)"),
                          validators=[InputRequired(message=_l("Please give a contact address.")), Length(max=200),
                                      PlainText()])
    phone = StringField(_l("Phone of the association"),
                        description=_l("On the welcome sheets, for residents without internet."),
                        validators=[Optional(), Length(max=32), PlainText(), PhoneNumber()],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    address = TextAreaField(_l("Street address of the association"),
                            description=_l("Where residents can come and see a coordinator."),
                            validators=[Optional(), Length(max=300), PlainText(multiline=True)],
                            render_kw={"rows": 2, "maxlength": 300})
    welcome_place = TextAreaField(_l("Where the welcome meetings happen"),
                                  validators=[Optional(), Length(max=300), PlainText(multiline=True)],
                                  render_kw={"rows": 2, "maxlength": 300})
    session_days = IntegerField(_l("How long “stay signed in” lasts (days)"),
                                description=_l("On her own phone a member signs in once; signing out ends it at once."),
                                validators=[InputRequired(message=_DAYS), NumberRange(min=1, max=400, message=_l(
                                    "Please give a number between 1 and 400."))], render_kw={"inputmode": "numeric"})
    languages = MultiCheckboxField(_l("Languages of the website"))
    default_locale = SelectField(_l("Default language"))
    registration_mode = RadioField(_l("How residents join"), choices=[
        SelectChoice("approval", _l("They apply; a coordinator approves each application")),
        SelectChoice("open", _l("Open: anyone who registers is a member at once")),
        SelectChoice("invitation", _l("Only with an invitation link from the association"))])
    areas = TextAreaField(_l("Areas of the neighbourhood (one per line)"),
                          validators=[InputRequired(message=_l("Please give at least one area.")), Length(max=5000),
                                      PlainText(multiline=True)], render_kw={"rows": 6})
    floor_hours = IntegerField(_l("Lowest balance of a new account (hours, 0 or below)"),
                               validators=[InputRequired(message=_HOURS), NumberRange(min=-1000, max=0, message=_l("Please give a number between −1000 and 0."))],
                               render_kw={"inputmode": "numeric"})
    ceiling_hours = IntegerField(_l("Highest balance of a new account (hours)"),
                                 validators=[InputRequired(message=_HOURS), NumberRange(min=1, max=1000, message=_l("Please give a number between 1 and 1000."))],
                                 render_kw={"inputmode": "numeric"})
    apply_limits = BooleanField(_l("Also give these limits to existing accounts that have the usual limits"))
    welcome_hours = IntegerField(_l("Welcome hours for each new member"),
                                 validators=[InputRequired(message=_HOURS), NumberRange(min=0, max=1000, message=_l("Please give a number between 0 and 1000."))],
                                 render_kw={"inputmode": "numeric"})
    step = SelectField(_l("Smallest amount of time (minutes)"), coerce=int,
                       choices=[SelectChoice(step, str(step)) for step in LEDGER_STEPS])
    max_transfer_hours = IntegerField(_l("Largest single transfer (hours)"),
                                      validators=[InputRequired(message=_HOURS), NumberRange(min=1, max=168, message=_l("Please give a number between 1 and 168."))],
                                      render_kw={"inputmode": "numeric"})
    auto_confirm_days = IntegerField(_l("An exchange not confirmed is confirmed automatically after (days)"),
                                     validators=[InputRequired(message=_DAYS), NumberRange(min=1, max=60, message=_l("Please give a number between 1 and 60."))],
                                     render_kw={"inputmode": "numeric"})
    dispute_window_days = IntegerField(_l("Members may raise a disagreement during (days after confirmation)"),
                                       validators=[InputRequired(message=_DAYS), NumberRange(min=1, max=365, message=_l("Please give a number between 1 and 365."))],
                                       render_kw={"inputmode": "numeric"})
    plan_ahead_months = IntegerField(_l("How far ahead an exchange may be planned (months)"),
                                     description=_l("The hours of an agreed exchange are held until its date."),
                                     validators=[InputRequired(message=_l("Please give a number of months.")),
                                                 NumberRange(min=1, max=24, message=_l("Please give a number between 1 and 24."))],
                                     render_kw={"inputmode": "numeric"})
    email_exchanges = SelectField(_l("E-mail about exchanges"))
    email_messages = SelectField(_l("E-mail about messages"))
    email_hours = SelectField(_l("E-mail about hours received"))
    email_reminders = SelectField(_l("Reminders (an exchange tomorrow, a confirmation due)"))
    email_matches = SelectField(_l("E-mail about offers and requests nearby"))
    supervisory_authority = TextAreaField(_l("Authority residents can complain to about their data"),
                                          description=_l("Left empty: the CNIL."),
                                          validators=[Optional(), Length(max=500), PlainText(multiline=True)],
                                          render_kw={"rows": 2, "maxlength": 500})
    export_notes = BooleanField(_l("Include coordinators' private notes when a member downloads her data"),
                                description=_l("The privacy page explains the choice to members."))
    erasure_grace_days = IntegerField(_l("A member who asked to be erased can come back during (days)"),
                                      validators=[InputRequired(message=_DAYS), NumberRange(min=1, max=90, message=_l(
                                          "Please give a number between 1 and 90."))], render_kw={"inputmode": "numeric"})
    erasure_to_community = BooleanField(_l("Move the hours left by an erased member to the community account"),
                                        description=_l("Otherwise they stay on her closed account."))
    retention_declined_months = IntegerField(_l("Keep declined applications for (months)"), validators=[
        InputRequired(message=_l("Please give a number of months.")),
        NumberRange(min=1, max=60, message=_l("Please give a number between 1 and 60."))],
        render_kw={"inputmode": "numeric"})
    retention_inactive_years = IntegerField(_l("Erase members who have not signed in for (years)"),
                                            description=_l("They are warned by e-mail or text message first."), validators=[
        InputRequired(message=_l("Please give a number of years.")),
        NumberRange(min=1, max=10, message=_l("Please give a number between 1 and 10."))],
        render_kw={"inputmode": "numeric"})
    retention_sign_in_months = IntegerField(_l("Keep sign-in records for (months)"), validators=[
        InputRequired(message=_l("Please give a number of months.")),
        NumberRange(min=1, max=60, message=_l("Please give a number between 1 and 60."))],
        render_kw={"inputmode": "numeric"})
    retention_outbox_months = IntegerField(_l("Keep the text of e-mails sent for (months)"), validators=[
        InputRequired(message=_l("Please give a number of months.")),
        NumberRange(min=1, max=60, message=_l("Please give a number between 1 and 60."))],
        render_kw={"inputmode": "numeric"})
    save = SubmitField(_l("Save the settings"))

    PRIVACY = ("supervisory_authority", "export_notes", "erasure_grace_days",
               "retention_declined_months", "retention_inactive_years", "retention_sign_in_months",
               "retention_outbox_months")
    TOPICS = ("exchanges", "messages", "hours", "reminders", "matches")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from timebank.i18n import autonym

        self.languages.choices = [SelectChoice(code, autonym(code)) for code in LOCALES]
        self.default_locale.choices = [SelectChoice(code, autonym(code)) for code in LOCALES]
        for topic in self.TOPICS:
            self[f"email_{topic}"].choices = _mode_choices()

    def fill(self, current: Settings) -> None:
        self.name.data, self.contact.data = current.name, current.contact
        self.languages.data = list(current.languages)
        self.default_locale.data, self.registration_mode.data = current.default_locale, current.registration_mode
        self.areas.data = "\n".join(current.areas)
        for name in TEXTS:
            for code in LOCALES:
                self[f"{name}_{code}"].data = getattr(current, name).get(code, "")
        self.floor_hours.data, self.ceiling_hours.data = current.floor // 60, current.ceiling // 60
        self.welcome_hours.data, self.step.data = current.welcome // 60, current.step
        self.max_transfer_hours.data = current.max_transfer // 60
        self.auto_confirm_days.data, self.dispute_window_days.data = (current.auto_confirm_days,
                                                                      current.dispute_window_days)
        self.plan_ahead_months.data = current.plan_ahead_months
        for topic in self.TOPICS:
            self[f"email_{topic}"].data = current.email_defaults.get(topic, "now")
        self.session_days.data = current.session_days
        self.phone.data, self.address.data = phone_display(current.phone), current.address
        self.welcome_place.data = current.welcome_place
        for name in self.PRIVACY:
            self[name].data = getattr(current, name)
        self.erasure_to_community.data = current.erasure_balance == "community"

    def text_fields(self, name: str, offered) -> list:
        """The text ``name``'s fields of the languages the page shows, the default language first."""
        return [self[f"{name}_{code}"] for code in offered]

    def texts(self, name: str, current: Settings | None, offered) -> dict:
        """The text ``name`` per language: as typed for the languages shown, as saved for the others."""
        texts = dict(getattr(current, name)) if current is not None else {}
        for code in LOCALES:
            if code in offered:
                texts[code] = (self[f"{name}_{code}"].data or "").strip()
        return {code: text for code, text in texts.items() if text}

    def settings(self, current: Settings | None = None, offered=LOCALES) -> Settings:
        areas = tuple(dict.fromkeys(line.strip() for line in (self.areas.data or "").splitlines() if line.strip()))
        return Settings(
            name=self.name.data.strip(), description=self.texts("description", current, offered),
            contact=self.contact.data.strip(), opening_hours=self.texts("opening_hours", current, offered),
            default_locale=self.default_locale.data, languages=tuple(self.languages.data or ()),
            registration_mode=self.registration_mode.data, charter=self.texts("charter", current, offered),
            areas=areas,
            floor=self.floor_hours.data * 60, ceiling=self.ceiling_hours.data * 60,
            welcome=self.welcome_hours.data * 60, step=self.step.data, max_transfer=self.max_transfer_hours.data * 60,
            auto_confirm_days=self.auto_confirm_days.data, dispute_window_days=self.dispute_window_days.data,
            plan_ahead_months=self.plan_ahead_months.data,
            email_defaults={topic: self[f"email_{topic}"].data for topic in self.TOPICS},
            welcome_meeting=self.texts("welcome_meeting", current, offered), session_days=self.session_days.data,
            welcome_message=self.texts("welcome_message", current, offered),
            email_signature=self.texts("email_signature", current, offered),
            phone=(self.phone.data or "").strip(), address=(self.address.data or "").strip(),
            welcome_place=(self.welcome_place.data or "").strip(),
            **self._privacy())

    def _privacy(self) -> dict:
        values = {name: self[name].data for name in self.PRIVACY}
        from timebank.config import Defaults

        values["supervisory_authority"] = ((values["supervisory_authority"] or "").strip()
                                           or Defaults.TIMEBANK_SUPERVISORY_AUTHORITY)
        values["export_notes"] = bool(values["export_notes"])
        values["erasure_balance"] = "community" if self.erasure_to_community.data else "keep"
        return values



# The association's texts, one text area per language (``charter_fr``, ``charter_ar``…): title, hint, rows.
TEXTS = {
    "description": (_l("Short description (home page)"), None, 2),
    "opening_hours": (_l("Opening hours of the association"), None, 2),
    "welcome_meeting": (_l("Welcome meetings for applicants: when and where"),
                        _l("Applicants waiting for approval see it on their page."), 2),
    "welcome_message": (_l("Welcome message"),
                        _l("Each new member reads it in the e-mail that says she is approved, and on her welcome "
                           "sheet."), 3),
    "email_signature": (_l("Signature of the e-mails"), _l("At the foot of every e-mail the timebank sends."), 2),
    "charter": (_l("Charter"), _l("When you change it, in any language, every member accepts it again."), 6),
}


def _add_text_fields() -> None:
    from timebank.admin.settings import TEXT_MAX
    from timebank.i18n import autonym

    for name, (title, _hint, rows) in TEXTS.items():
        for code in LOCALES:
            setattr(SettingsForm, f"{name}_{code}", TextAreaField(
                autonym(code), validators=[Optional(), Length(max=TEXT_MAX[name]), PlainText(multiline=True)],
                render_kw={"rows": rows, "maxlength": TEXT_MAX[name], "lang": code,
                           "dir": "rtl" if code in RTL_LOCALES else "ltr"}))


_add_text_fields()


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo (PNG or JPEG, at most 1 MB)"), render_kw={"accept": "image/png,image/jpeg"})
    upload = SubmitField(_l("Use this logo"))


SYNONYMS_MAX = 1000


class CategoryForm(FlaskForm):
    name_fr = StringField(_l("Name in French"), validators=[InputRequired(message=_l("Please give the name.")),
                                                            Length(max=60), PlainText()])
    name_en = StringField(_l("Name in English"), validators=[InputRequired(message=_l("Please give the name.")),
                                                             Length(max=60), PlainText()])
    name_ar = StringField(_l("Name in Arabic"), validators=[InputRequired(message=_l("Please give the name.")),
                                                            Length(max=60), PlainText()],
                          render_kw={"dir": "rtl", "lang": "ar"})
    name_tr = StringField(_l("Name in Turkish"), validators=[Optional(), Length(max=60), PlainText()],
                          render_kw={"lang": "tr"})
    name_pt = StringField(_l("Name in Portuguese"), validators=[Optional(), Length(max=60), PlainText()],
                          render_kw={"lang": "pt"})
    icon = SelectField(_l("Icon"))
    synonyms = TextAreaField(
        _l("Other words that find it (optional)"),
        description=_l("In any language, separated by commas, for example: papiers, paperwork, أوراق, CAF. "
                       "A search for one of them finds the listings of this category. At most %(n)s characters.",
                       n=SYNONYMS_MAX),
        validators=[Optional(), Length(max=SYNONYMS_MAX), PlainText(multiline=True)],
        render_kw={"rows": 3, "maxlength": SYNONYMS_MAX, "dir": "auto"})
    requires_verified = BooleanField(_l("Only members verified by a coordinator can offer it (e.g. childcare)"))
    save = SubmitField(_l("Save the category"))

    def __init__(self, *args, icons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.icon.choices = [SelectChoice(name, name.replace("-", " ")) for name in icons]

    def fields(self):
        from timebank.admin.categories import CategoryFields

        return CategoryFields(names={code: self[f"name_{code}"].data for code in LOCALES},
                              icon=self.icon.data, requires_verified=bool(self.requires_verified.data),
                              synonyms=self.synonyms.data or "")


class CategoryStepForm(FlaskForm):
    up = SubmitField(_l("Move up"))
    down = SubmitField(_l("Move down"))
    archive = SubmitField(_l("Archive"))
    restore = SubmitField(_l("Bring back"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice("member", _l("Member")),
                                            SelectChoice("coordinator", _l("Coordinator")),
                                            SelectChoice("admin", _l("Admin"))])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(message=_l("Please write the reason.")),
                                                     Length(max=500), PlainText(multiline=True)],
                           render_kw={"rows": 2, "maxlength": 500})
    save = SubmitField(_l("Change the role"))


class InvitationForm(FlaskForm):
    note = StringField(_l("For whom or for what (e.g. the Tuesday sewing workshop)"),
                       validators=[InputRequired(message=_l("Please say for whom or for what the invitation is.")),
                                   Length(max=200), PlainText()])
    uses = IntegerField(_l("How many people may join with this link"), default=1,
                        validators=[InputRequired(message=_l("Please give a number of people.")),
                                    NumberRange(min=1, max=50, message=_l("Please give a number between 1 and 50."))],
                        render_kw={"inputmode": "numeric"})
    days = IntegerField(_l("For how many days the link works"), default=14,
                        validators=[InputRequired(message=_DAYS),
                                    NumberRange(min=1, max=90, message=_l("Please give a number between 1 and 90."))],
                        render_kw={"inputmode": "numeric"})
    approve_at_once = BooleanField(_l("Members who join by this link are approved at once (no coordinator's "
                                      "approval)"))
    create = SubmitField(_l("Create an invitation link"))


class InvitationRevokeForm(FlaskForm):
    revoke = SubmitField(_l("Withdraw"))


class ImportUploadForm(FlaskForm):
    file = FileField(_l("Spreadsheet file (CSV, UTF-8)"),
                     description=_l("Columns: name, email, phone, area, languages, locale, balance (hours). Only "
                                    "the name is required."), render_kw={"accept": ".csv,text/csv"})
    preview = SubmitField(_l("Check the file"))


class ImportConfirmForm(FlaskForm):
    payload = HiddenField()
    confirm = SubmitField(_l("Import these members"))


class ImportRowForm(Form):
    """One line of an imported spreadsheet, checked by the very fields of the web forms (not a copy of their rules)."""

    display_name = RegisterForm.display_name
    email = RegisterForm.email
    phone = ProfileForm.phone

    @classmethod
    def problems(cls, *, name: str, email: str, phone: str) -> dict[str, list[str]]:
        """Each field's problems, as the web forms word them (the e-mail address may be left out)."""
        form = cls(formdata=MultiDict({"display_name": name, "email": email, "phone": phone}))
        form.validate()
        return {"name": [str(e) for e in form.display_name.errors],
                "email": list(dict.fromkeys(str(e) for e in form.email.errors)) if email else [],
                "phone": [str(e) for e in form.phone.errors]}


class OutboxRetryForm(FlaskForm):
    retry = SubmitField(_l("Try again"))
