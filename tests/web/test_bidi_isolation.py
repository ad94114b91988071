"""Text a person wrote keeps its own direction inside a page of another direction: a French title ending in
"?" on an Arabic page keeps its question mark at its end, and a date next to a name does not merge with it.
Every such text sits inside a <bdi> or an element with dir="auto"."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import g

from tests.world import build_neighbourhood, close, module_app, signed_in
from timebank.extensions import db

# A French ending that a right-to-left page would move to the wrong end if it were not isolated.
FRENCH = " pour la CAF, vous venez ?"
# Arabic words that would take a French page's punctuation and digits with them if they were not isolated.
ARABIC = "أوراق الكاف، هل تأتون؟"
ARABIC_NAME = "عمر حدّو 2"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Isolation(HTMLParser):
    """Each text of the page's body, with whether an enclosing element isolates it (<bdi> or dir="auto")."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        isolating = tag == "bdi" or dict(attrs).get("dir") == "auto"
        self.stack.append((tag, isolating))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if data.strip() and not any(tag in ("title", "script", "style", "option") for tag, _ in self.stack):
            self.texts.append((data, any(isolating for _, isolating in self.stack)))


def unisolated(html: str, *needles: str) -> list[str]:
    """The texts containing one of the needles that no element isolates; fails if a needle is not on the page."""
    parser = Isolation()
    parser.feed(html)
    for needle in needles:
        assert any(needle in text for text, _ in parser.texts), f"{needle!r} is not on the page"
    return [text for text, isolated in parser.texts if not isolated and any(n in text for n in needles)]


@pytest.fixture(scope="module")
def world(migrated_database, tmp_path_factory):
    app = module_app(migrated_database, tmp_path_factory)
    built = build_neighbourhood(app, text=FRENCH)
    from timebank.members.services import profile_update
    from tests.factories import member

    with app.test_request_context(headers={"Accept-Language": "en"}):
        g.locale = "en"
        k = member(built["karim"])
        profile_update(member=k, display_name="Karim Benali.", bio=f"Retraité{FRENCH}", area=f"Centre{FRENCH}",
                       languages=["fr"], phone=None, contact_visibility=k.contact_visibility, locale="en",
                       notify_matches=False)
        omar = member(built["residents"]["other"])
        profile_update(member=omar, display_name=ARABIC_NAME, bio=ARABIC, area="الحي 3", languages=["ar"],
                       phone=None, contact_visibility=omar.contact_visibility, locale="ar", notify_matches=False)
        db.session.commit()
        from timebank.messages.services import message_send

        message_send(sender=omar, recipient=member(built["residents"]["member"]), body=ARABIC)
        db.session.commit()
    from tests.factories import publish

    built["ids"]["omar_listing"] = publish(app, built["residents"]["other"], ARABIC, description=ARABIC,
                                           languages=("ar",), area="الحي 3")

    built["app"] = app
    yield built
    close(app)


def arabic(world, who="member"):
    client = signed_in(world["app"], world["residents"][who])
    client.get("/?lang=ar")  # remembered for the visit
    return client


def french(world, who="member"):
    client = signed_in(world["app"], world["residents"][who])
    client.get("/?lang=fr")
    return client


def page(client, address: str, direction: str = "rtl") -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    html = response.get_data(as_text=True)
    assert f'<html lang="{"ar" if direction == "rtl" else "fr"}" dir="{direction}"' in html
    return html


def test_a_french_listing_card_is_isolated_on_an_arabic_page(world):
    html = page(arabic(world), "/listings")
    assert unisolated(html, FRENCH.strip(), "Karim") == []


def test_a_french_listing_page_is_isolated_on_an_arabic_page(world):
    html = page(arabic(world), f"/listings/{world['ids']['karim_listing']}")
    assert unisolated(html, FRENCH.strip(), "Karim Benali.") == []


def test_a_message_thread_isolates_the_name_and_the_date_separately(world):
    html = page(arabic(world), f"/messages/{world['karim'].id}")
    assert unisolated(html, FRENCH.strip(), "Karim Benali.") == []
    # The name and the date are two isolates, never one text "30/11/2026 Karim Benali."
    parser = Isolation()
    parser.feed(html)
    assert any(text.strip() == "Karim Benali." for text, isolated in parser.texts if isolated)


def test_an_exchange_page_is_isolated_on_an_arabic_page(world):
    html = page(arabic(world), f"/exchanges/{world['ids']['agreed']}")
    assert unisolated(html, FRENCH.strip(), "Karim Benali.") == []


def test_a_member_page_is_isolated_on_an_arabic_page(world):
    html = page(arabic(world), f"/members/{world['karim'].id}")
    assert unisolated(html, FRENCH.strip(), "Karim Benali.") == []


def test_the_inbox_is_isolated_on_an_arabic_page(world):
    html = page(arabic(world), "/messages")
    assert unisolated(html, FRENCH.strip(), "Karim Benali.") == []


def test_the_home_page_is_isolated_on_an_arabic_page(world):
    html = page(arabic(world), "/")
    assert unisolated(html, "Karim Benali.") == []


# A French page with Arabic content: an Arabic name, title, bio and message keep their own direction, and the
# French punctuation and numbers around them stay where French readers expect them.


def test_an_arabic_listing_card_is_isolated_on_a_french_page(world):
    html = page(french(world), "/listings", "ltr")
    assert unisolated(html, ARABIC, ARABIC_NAME.split()[0]) == []


def test_an_arabic_listing_page_is_isolated_on_a_french_page(world):
    html = page(french(world), f"/listings/{world['ids']['omar_listing']}", "ltr")
    assert unisolated(html, ARABIC, ARABIC_NAME, "الحي 3") == []


def test_an_arabic_member_page_is_isolated_on_a_french_page(world):
    html = page(french(world), f"/members/{world['residents']['other'].id}", "ltr")
    assert unisolated(html, ARABIC, ARABIC_NAME) == []


def test_an_arabic_message_is_isolated_on_a_french_page(world):
    client = french(world)
    assert unisolated(page(client, "/messages", "ltr"), ARABIC_NAME) == []
    html = page(client, f"/messages/{world['residents']['other'].id}", "ltr")
    assert unisolated(html, ARABIC, ARABIC_NAME) == []


def test_the_coordinators_see_arabic_and_french_texts_isolated_in_the_audit_log(world):
    client = signed_in(world["app"], world["residents"]["coordinator"])
    html = page(client, "/coordination/audit?lang=ar")
    assert unisolated(html, "Sandrine Martin") == []
    html = page(client, f"/coordination/members/{world['residents']['other'].id}?lang=fr", "ltr")
    assert unisolated(html, ARABIC_NAME) == []


def test_a_plain_text_email_isolates_the_names_in_its_sentences(world):
    """In an e-mail there is no markup: the name sits between the invisible isolate marks FSI and PDI."""
    from timebank.notifications.models import OutboxMessage
    import sqlalchemy as sa

    with world["app"].app_context():
        bodies = [m.body for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]
    greetings = [body.splitlines()[0] for body in bodies]
    assert any("\u2068Amina\u2069" in line for line in greetings), greetings[:3]
    assert not any(line.startswith("Hello Amina") for line in greetings)  # never a bare name in a sentence
    assert any(f"\u2068{ARABIC_NAME}\u2069" in body for body in bodies)  # "عمر حدّو 2 wrote to you:"


def test_the_welcome_sheet_isolates_the_name_and_the_association_s_address(world):
    app = world["app"]
    before, app.config["TIMEBANK_CONTACT"] = app.config["TIMEBANK_CONTACT"], "Maison des Tilleuls, 3 rue des Lilas"
    try:
        client = signed_in(app, world["residents"]["coordinator"])
        response = client.post("/coordination/members/new", data={
            "display_name": "Karim Benali", "locale": "ar", "area": "Centre", "languages": ["ar"]})
    finally:
        app.config["TIMEBANK_CONTACT"] = before
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    assert '<section class="sheet-page" lang="ar" dir="rtl">' in html
    assert unisolated(html, "Karim Benali", "Maison des Tilleuls") == []


# Last: the tests below build an app of their own (on PostgreSQL, emptying the module's database).


def test_the_bdi_filter_escapes_what_it_wraps(app):
    from timebank.templating import bdi

    with app.test_request_context():
        assert str(bdi('<b>Nadia</b> & "co"')) == "<bdi>&lt;b&gt;Nadia&lt;/b&gt; &amp; &#34;co&#34;</bdi>"
