from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField, TextAreaField
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
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(message=_l("Please write the reason.")),
                                                     Length(max=2000), PlainText(multiline=True)],
                           render_kw={"rows": 2, "maxlength": 2000})
    suspend = SubmitField(_l("Suspend the membership"))
    reactivate = SubmitField(_l("Reactivate the membership"))


class LimitsForm(FlaskForm):
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
