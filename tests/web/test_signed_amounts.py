"""A negative balance reads "−3 h" in every language: the sign sits before the number in logical order, inside an
isolate, so an Arabic sentence cannot move it to the far end, and it is never glued to a word. Reserved hours say
which way they go."""
from __future__ import annotations

import re

import pytest
from flask import g
from flask_babel import force_locale

from tests.factories import member
from tests.world import build_neighbourhood, close, module_app, signed_in
from timebank.i18n import FSI, MINUS, NBSP, PDI, format_minutes
from timebank.templating import minutes_html

class _Signed:
    """The signed amounts of a page, as read: each one <bdi>, its sign and digits kept left to right inside."""

    pattern = re.compile(r'<bdi class="signed" dir="(?:ltr|rtl)">(.*?)</bdi>', re.S)

    def findall(self, html: str) -> list[str]:
        return [re.sub(r"<[^>]+>", "", found) for found in self.pattern.findall(html)]

    def search(self, html: str):
        found = self.findall(html)
        return re.match(r"(.*)", found[0], re.S) if found else None


SIGNED = _Signed()


@pytest.fixture(scope="module")
def world(migrated_database, tmp_path_factory):
    """Amina gave three hours to Karim: her balance is below zero; she has hours reserved both ways."""
    app = module_app(migrated_database, tmp_path_factory)
    built = build_neighbourhood(app)
    from timebank.giving.services import give_time

    with app.test_request_context(headers={"Accept-Language": "en"}):
        g.locale = "en"
        give_time(giver=member(built["residents"]["member"]), recipient=member(built["karim"]), minutes=180,
                  memo="Déménagement", key="signed-1", category_id=built["ids"]["category"])
    built["app"] = app
    yield built
    close(app)


def hours_page(world, lang: str) -> str:
    client = signed_in(world["app"], world["residents"]["member"])
    client.get(f"/?lang={lang}")
    html = client.get("/me/hours").get_data(as_text=True)
    assert f'lang="{lang}"' in html
    return html


@pytest.mark.parametrize("lang, three_hours", [("fr", "3 h"), ("ar", "3 ساعات")])
def test_a_negative_balance_keeps_its_sign_before_the_number_inside_an_isolate(world, lang, three_hours):
    html = hours_page(world, lang)

    balance = re.search(r'<p class="balance-figure negative">(.*?)</p>', html, re.S).group(1)
    assert SIGNED.findall(balance) == [MINUS + three_hours]
    statement = html.split('id="statement-title"', 1)[1]
    assert SIGNED.search(statement).group(1) == MINUS + three_hours  # the newest row: what she gave Karim


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_reserved_hours_say_which_way_they_go(world, lang):
    html = hours_page(world, lang)

    reserved = html.split('id="reserved-title"', 1)[1].split("</section>", 1)[0]
    amounts = SIGNED.findall(reserved)
    assert {amount[0] for amount in amounts} == {"+", MINUS}  # some to receive, some to give
    balance = html.split('class="balance card"', 1)[1].split("</section>", 1)[0]
    assert {amount[0] for amount in SIGNED.findall(balance)} == {MINUS, "+"}


def test_a_signed_amount_is_one_isolated_unit_in_plain_text_and_in_pages(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert format_minutes(-90) == f"{FSI}{MINUS}1 h 30{PDI}"
            assert format_minutes(90) == "1 h 30"  # unsigned: nothing added
            assert format_minutes(30, signed=True) == f"{FSI}+30 min{PDI}"
            assert str(minutes_html(-90)) == f'<bdi class="signed" dir="ltr"><span dir="ltr">{MINUS}1</span> h 30</bdi>'
        with force_locale("ar"):
            # "ساعة و30 دقيقة" starts with a word: the sign is kept apart by a no-break space.
            assert format_minutes(-90) == f"{FSI}{MINUS}{NBSP}ساعة و30 دقيقة{PDI}"
            assert format_minutes(-180) == f"{FSI}{MINUS}3 ساعات{PDI}"
            # On a page the minus stands left of its digits, as numbers are written, not "3−".
            assert str(minutes_html(-180)) == f'<bdi class="signed" dir="rtl"><span dir="ltr">{MINUS}3</span> ساعات</bdi>'
