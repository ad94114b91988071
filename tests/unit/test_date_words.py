"""The pages' date filters keep the words of a day and of a time of day: they must read as Flask-Babel's."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale, format_date, format_datetime

from timebank.templating import date_filter, datetime_filter

# Around the change to summer time in Paris (29 March 2026), midnight, and over a year.
MOMENTS = [datetime(2026, 3, 28, 22, 30) + timedelta(minutes=7 * 3571 * n) for n in range(120)]


@pytest.mark.parametrize("locale", ["fr", "en", "ar", "tr", "pt"])
def test_the_kept_words_are_flask_babels_in_every_language(app, locale):
    with app.test_request_context(), force_locale(locale):
        for moment in MOMENTS:
            for style in ("short", "medium", "long", "full"):
                assert datetime_filter(moment, style) == format_datetime(moment, style)
            for style in ("short", "medium", "long", "full", "MMM y"):
                assert date_filter(moment, style) == format_date(moment, style)
                assert date_filter(moment.date(), style) == format_date(moment.date(), style)


def test_a_late_evening_in_utc_is_the_next_day_in_paris(app):
    with app.test_request_context(), force_locale("fr"):
        assert date_filter(datetime(2026, 7, 1, 23, 30), "long") == "2 juillet 2026"
        assert datetime_filter(datetime(2026, 7, 1, 12, 5), "short") == "01/07/2026 14:05"
        assert date_filter(None) == "" and datetime_filter(None) == ""
        assert date_filter(date(2026, 12, 25), "full").startswith("vendredi 25 décembre")
