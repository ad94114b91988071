from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from timebank.forms import FlaskForm
from timebank.validators import PlainText


class ExportForm(FlaskForm):
    download = SubmitField(_l("Download the data (ZIP)"))


class ConsentForm(FlaskForm):
    directory = BooleanField(_l("Show me in the members' directory"))
    phone_visible = BooleanField(_l("Every member may see my phone number"))
    sms = BooleanField(_l("Send me text messages"))
    push = BooleanField(_l("Send me notifications on this phone (push)"))
    save = SubmitField(_l("Save my choices"))

    KINDS = ("directory", "phone_visible", "sms", "push")


class LeaveForm(FlaskForm):
    confirm = BooleanField(_l("Yes, I want to leave the timebank and have my data erased"),
                           validators=[InputRequired(message=_l("Please tick the box to confirm."))])
    leave = SubmitField(_l("Leave and erase my data"))


class ComeBackForm(FlaskForm):
    stay = SubmitField(_l("I stay: cancel my request"))


class EraseNowForm(FlaskForm):
    reason = TextAreaField(_l("Reason (kept in the audit log, without her data)"),
                           validators=[InputRequired(message=_l("Please write the reason.")), Length(max=500),
                                       PlainText(multiline=True)], render_kw={"rows": 2, "maxlength": 500})
    confirm = BooleanField(_l("I checked: this member asked to be erased now"),
                           validators=[InputRequired(message=_l("Please tick the box to confirm."))])
    erase = SubmitField(_l("Erase now"))
