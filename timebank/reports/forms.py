from __future__ import annotations

from datetime import date

from babel.dates import get_month_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from timebank.forms import FlaskForm

# The fields each kind of period reads; the others are left alone, whatever they hold.
USED_FIELDS = {"year": ("year",), "quarter": ("year", "quarter"), "month": ("year", "month"),
               "custom": ("start", "end")}


class PeriodForm(FlaskForm):
    """Which period the report covers. Shapes only: ``report_period`` checks the dates themselves."""

    class Meta:
        csrf = False  # a GET: a report's address can be bookmarked and sent to another coordinator

    period = RadioField(
        _l("Period"),
        choices=[SelectChoice("year", _l("A year")), SelectChoice("quarter", _l("A quarter")),
                 SelectChoice("month", _l("A month")), SelectChoice("custom", _l("From one date to another"))],
        invalid_choice_message=_l("Please choose a period: a year, a quarter, a month, or from one date to another."),
    )
    year = IntegerField(_l("Year"), validators=[Optional()],
                        invalid_value_message=_l("Please give the year in figures, for example 2026."),
                        render_kw={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off"})
    quarter = SelectField(_l("Quarter"), validators=[Optional()],
                          invalid_choice_message=_l("Please choose a quarter."))
    month = SelectField(_l("Month"), validators=[Optional()], invalid_choice_message=_l("Please choose a month."))
    start = DateField(_l("From"), validators=[Optional()],
                      invalid_value_message=_l("Please give a date, for example 2026-01-31."))
    end = DateField(_l("To (included)"), validators=[Optional()],
                    invalid_value_message=_l("Please give a date, for example 2026-12-31."))
    submit = SubmitField(_l("Show the report"))

    def __init__(self, formdata=None, *, today: date, **kwargs):
        # Missing from the address: the current year so far (and this quarter, this month ready to choose).
        kwargs.setdefault("period", "year")
        kwargs.setdefault("year", today.year)
        kwargs.setdefault("quarter", str((today.month - 1) // 3 + 1))
        kwargs.setdefault("month", str(today.month))
        super().__init__(formdata, **kwargs)
        names = get_month_names("wide", locale=get_locale())
        self.month.choices = [SelectChoice(str(n), names[n]) for n in range(1, 13)]
        self.quarter.choices = [
            SelectChoice(str(q), _l("%(first)s to %(last)s", first=names[3 * q - 2], last=names[3 * q]))
            for q in range(1, 5)]

    def validate(self, extra_validators=None) -> bool:
        """Check the period's kind and the fields it uses; ignore the fields it does not use."""
        super().validate(extra_validators)
        used = ("period",) + USED_FIELDS.get(self.period.data, ())
        for name, field in self._fields.items():
            if name not in used:
                field.errors = []
        return not self.errors
