"""The notifications' own form: stopping phone notifications works without a script too."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from timebank.forms import FlaskForm


class PushOffForm(FlaskForm):
    off = SubmitField(_l("Turn off notifications on all my phones"))
