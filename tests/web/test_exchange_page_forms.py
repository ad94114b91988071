"""An exchange's page writes its step forms out as plain HTML before anything is sent
(templates/exchanges/_plain_fields.html): that HTML must be what the forms and the `field` and `duration` macros
give, for any duration, date and time, in French and in Arabic, whatever the ledger's step."""
from __future__ import annotations

import re
from datetime import date, time
from types import SimpleNamespace

import pytest
from flask import render_template_string

from timebank.exchanges.forms import CounterForm, DoneForm, MessageForm, ReasonForm, StepForm


def same(html: str) -> str:
    """The HTML as a browser reads it: the spaces between tags and runs of spaces do not count."""
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


FROM_FORMS = """{% from "_macros/forms.html" import duration, field %}
{{ step.csrf_token }}
{{ duration(done) }}{{ done.submit(class="button") }}
{{ duration(counter) }}<div class="duration-fields">{{ field(counter.on_date) }}{{ field(counter.at_time) }}</div>
{{ counter.submit(class="button button-secondary") }}
{{ field(reason.reason) }}
{{ field(message.body) }}{{ message.submit(class="button button-secondary") }}"""

WRITTEN_OUT = """{% import "exchanges/_plain_fields.html" as plain %}
{{ plain.csrf() }}
{{ plain.duration_fields(exchange.minutes) }}{{ plain.submit(_("It is done"), "button") }}
{{ plain.counter_fields(exchange) }}
{{ plain.submit(_("Suggest this change"), "button button-secondary") }}
{{ plain.text_field("reason", _("Why?"), 2) }}
{{ plain.text_field("body", _("Your message"), 3, required=true) }}{{ plain.submit(_("Send"), "button button-secondary") }}"""


@pytest.mark.parametrize("locale", ["fr", "ar"])
@pytest.mark.parametrize("minutes, on_date, at_time", [
    (45, date(2026, 12, 4), None),
    (90, date(2027, 1, 31), time(14, 30)),
    (50, date(2026, 6, 1), time(9, 5)),  # not a multiple of the step: no minute is chosen
    (25 * 60, date(2026, 12, 24), None),  # more than the browser's own limit of a day
])
@pytest.mark.parametrize("step", [15, 30])
def test_the_written_out_fields_are_the_forms_own(make_app, locale, minutes, on_date, at_time, step):
    app = make_app(TIMEBANK_LEDGER_STEP=step, WTF_CSRF_ENABLED=True)
    exchange = SimpleNamespace(minutes=minutes, on_date=on_date, at_time=at_time)
    with app.test_request_context("/exchanges/1", headers={"Accept-Language": locale}):
        durations = {"hours": minutes // 60, "minutes": str(minutes % 60)}
        forms = dict(
            step=StepForm(), done=DoneForm(formdata=None, **durations),
            counter=CounterForm(formdata=None, on_date=on_date, at_time=at_time, **durations),
            reason=ReasonForm(formdata=None), message=MessageForm(formdata=None))
        from_forms = render_template_string(FROM_FORMS, **forms)
        written_out = render_template_string(WRITTEN_OUT, exchange=exchange)
    assert same(written_out) == same(from_forms)
    assert f'value="{on_date.isoformat()}"' in written_out
