from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from timebank.validators import PlainText


class DecisionForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the applicant (optional)"),
        validators=[Optional(), Length(max=2000), PlainText(multiline=True)],
    )
    approve = SubmitField(_l("Approve"))
    decline = SubmitField(_l("Decline"))
