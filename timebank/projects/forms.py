"""Forms of the projects' pages: opening and editing a project, joining a task, saying and deciding hours."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from timebank.forms import FlaskForm
from timebank.ledger.forms import DurationFields
from timebank.listings.forms import _category_choices
from timebank.partners.forms import KeyedForm
from timebank.projects.services import ProjectFields
from timebank.validators import PlainText

COMMUNITY = "community"


class ProjectForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(message=_l("Please give a title.")), Length(max=120),
                                                 PlainText()], render_kw={"maxlength": 120})
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=3000),
                                                               PlainText(multiline=True)],
                                render_kw={"rows": 4, "maxlength": 3000})
    goal_hours = IntegerField(_l("Goal, in hours"), default=10, validators=[
        InputRequired(message=_l("Please give a number of hours.")),
        NumberRange(min=1, max=100000, message=_l("Please give a goal of at least one hour."))],
        render_kw={"inputmode": "numeric"})
    starts_on = DateField(_l("From (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Until (optional)"), validators=[Optional()])
    sponsor = SelectField(_l("Who gives the hours to the residents"), validators=[InputRequired()])
    category = SelectField(_l("Category of the tasks"), validators=[Optional()])
    tasks = TextAreaField(_l("Tasks the project needs, one per line"),
                          validators=[Optional(), Length(max=3000), PlainText(multiline=True)],
                          render_kw={"rows": 4, "maxlength": 3000})
    save = SubmitField(_l("Open the project"))

    def __init__(self, *args, sponsors=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "sponsor" in self._fields:
            self.sponsor.choices = [SelectChoice(value, label) for value, label in sponsors]
        self.category.choices = _category_choices(categories, _l("Choose a category"))

    def fields(self) -> ProjectFields:
        return ProjectFields(title=self.title.data or "", description=self.description.data or "",
                             goal_minutes=(self.goal_hours.data or 0) * 60, starts_on=self.starts_on.data,
                             ends_on=self.ends_on.data)

    def task_titles(self) -> list[str]:
        return (self.tasks.data or "").splitlines()

    def category_id(self) -> int | None:
        return int(self.category.data) if (self.category.data or "").isdigit() else None


class ProjectEditForm(ProjectForm):
    sponsor = None
    tasks = TextAreaField(_l("Add tasks, one per line (optional)"),
                          validators=[Optional(), Length(max=3000), PlainText(multiline=True)],
                          render_kw={"rows": 3, "maxlength": 3000})
    save = SubmitField(_l("Save the project"))


class CloseForm(KeyedForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "close")
        super().__init__(*args, **kwargs)

    close = SubmitField(_l("Close the project"))


class JoinForm(KeyedForm):
    shown = BooleanField(_l("Show my name on the project's page"), default=False)
    join = SubmitField(_l("I take part"))


class HoursForm(KeyedForm, DurationFields):
    hours = IntegerField(_l("Hours"), default=1, validators=[
        InputRequired(message=_l("Please give a number of hours (0 is fine if you give minutes).")),
        NumberRange(min=0, max=24, message=_l("Between 0 and 24 hours."))], render_kw={"inputmode": "numeric"})
    minutes = SelectField(_l("Minutes"), default="0")
    note = StringField(_l("What you did (optional)"), validators=[Optional(), Length(max=300), PlainText()],
                       render_kw={"maxlength": 300})
    send = SubmitField(_l("Say my hours"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_minutes()


class DecideForm(KeyedForm):
    reason = StringField(_l("Reason, if you decline"), validators=[Optional(), Length(max=500), PlainText()],
                         render_kw={"maxlength": 500})
    confirm = SubmitField(_l("Confirm: pay the hours"))
    decline = SubmitField(_l("Decline"))
