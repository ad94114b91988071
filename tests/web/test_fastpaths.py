"""What a page asks many times is answered once (timebank/fastpaths.py), and answers exactly as before."""
from __future__ import annotations

import flask_babel
import pytest
from flask import url_for as flask_url_for

from tests.conftest import login, text_of
from timebank.fastpaths import locale_code


def _template_url_for(app):
    return app.jinja_env.globals["url_for"]


@pytest.mark.parametrize("endpoint, values", [
    ("listings.show", {"listing_id": 7}),
    ("listings.index", {"type": "offer", "q": "vélo & co"}),
    ("listings.index", {"q": "vélo & co", "type": "offer"}),  # another order of the same arguments
    ("static", {"filename": "css/timebank.css"}),
    ("static", {"filename": "css/timebank.css", "v": "0123456789ab"}),
    ("main.index", {"_anchor": "top"}),
    ("main.index", {"_external": True}),
    ("listings.index", {"category": ["1", "2"]}),  # a list: not kept, built by Flask each time
])
def test_a_kept_address_is_the_address_flask_builds(app, endpoint, values):
    with app.test_request_context("/listings"):
        ours = _template_url_for(app)
        assert ours(endpoint, **values) == flask_url_for(endpoint, **values)
        assert ours(endpoint, **values) == flask_url_for(endpoint, **values)  # the second time, from the table


def test_a_relative_endpoint_is_kept_per_blueprint(app):
    with app.test_request_context("/listings"):
        from flask import request
        request.url_rule = app.url_map._rules_by_endpoint["listings.index"][0]
        assert _template_url_for(app)(".index") == "/listings"
    with app.test_request_context("/exchanges"):
        from flask import request
        request.url_rule = app.url_map._rules_by_endpoint["exchanges.index"][0]
        assert _template_url_for(app)(".index") == flask_url_for("exchanges.index")


def test_an_address_follows_the_site_s_mount_point(app):
    with app.test_request_context("/listings", base_url="http://localhost/banque"):
        assert _template_url_for(app)("listings.show", listing_id=3) == "/banque/listings/3"
    with app.test_request_context("/listings"):
        assert _template_url_for(app)("listings.show", listing_id=3) == "/listings/3"


def test_the_language_and_its_words_follow_a_change_within_one_request(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert locale_code() == "fr"
        hello = app.jinja_env.from_string('{{ _("Listings") }}')
        french = hello.render()
        with flask_babel.force_locale("ar"):
            assert locale_code() == "ar"
            assert hello.render() != french
        assert locale_code() == "fr" and hello.render() == french


def test_a_member_reads_her_own_language_on_every_page(client, people):
    amina = people.member("Amina Diallo", email="amina@example.org", locale="ar")
    login(client, amina)
    for _ in range(2):  # the second time from what was kept
        assert "الإعلانات" in text_of(client.get("/listings"))
    client.get("/?lang=fr")
    assert "Annonces" in text_of(client.get("/listings"))


def _cards(page: str) -> list[str]:
    """The listing cards of a page, as HTML."""
    return ["<li" + card.split("</li>", 1)[0] for card in page.split("<li")[1:] if 'class="listing-card' in card[:40]]


def test_a_card_kept_rendered_shows_every_change_of_what_it_shows(app, client, people):
    """Cards are rendered once a process for the same card record (fastpaths.kept_html): a changed title, the
    reader's language and who reads (an applicant sees no names) each show at once."""
    from tests.factories import publish
    from timebank.extensions import db
    from timebank.listings.models import Listing

    amina = people.member("Amina Diallo", email="amina@example.org")
    karim = people.member("Karim Benali", email="karim@example.org")
    nadia = people.applicant("Nadia Haddad", email="nadia@example.org")
    listing_id = publish(app, amina, "Vélo à réparer")
    kept = app.extensions["timebank.kept_html"]

    login(client, karim)
    first = _cards(client.get("/listings").get_data(as_text=True))
    assert len(first) == 1 and "Vélo à réparer" in first[0] and "Amina" in first[0] and "Can help" in first[0]
    assert sorted(key[0] for key in kept) == ["_card_html", "_cards_html"]  # the card, and the page's row of cards
    assert _cards(client.get("/listings").get_data(as_text=True)) == first and len(kept) == 2  # from the table

    with app.app_context():
        db.session.get(Listing, listing_id).title = "Vélo et trottinette"
        db.session.commit()
    changed = _cards(client.get("/listings").get_data(as_text=True))
    assert "Vélo et trottinette" in changed[0] and "Vélo à réparer" not in changed[0]

    arabic = _cards(client.get("/listings?lang=ar").get_data(as_text=True))
    assert "Vélo et trottinette" in arabic[0] and "Can help" not in arabic[0]

    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(other, nadia)
    waiting = _cards(other.get("/listings").get_data(as_text=True))
    assert "Vélo et trottinette" in waiting[0] and "Amina" not in waiting[0]


def test_a_statement_line_kept_rendered_says_what_it_says_rendered_anew(app, client, people):
    """A statement's lines are kept rendered a process (``ledger/hours.html``): each side of a transfer reads its
    own line, in its own language, exactly as a line rendered anew."""
    from tests.factories import member
    from timebank.extensions import db
    from timebank.giving.services import give_time

    amina = people.member("Amina Diallo", email="amina@example.org")
    karim = people.member("Karim Benali", email="karim@example.org")
    with app.test_request_context():
        give_time(giver=member(amina), recipient=member(karim), minutes=90, memo="Merci pour le vélo", key="g1")
        db.session.commit()
    kept = app.extensions["timebank.kept_html"]

    def statement(path="/me/hours"):
        import re

        page = client.get(path).get_data(as_text=True)
        html = page[page.index('<ul class="statement">'):].split("</ul>", 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", html).split())

    login(client, amina)
    first = statement()
    assert "You gave to Karim Benali" in first and "Merci pour le vélo" in first and len(kept) >= 1
    assert statement() == first  # from the table
    kept.clear()
    assert statement() == first  # rendered anew
    assert "Karim Benali" in statement("/me/hours?lang=ar") and "You gave" not in statement("/me/hours?lang=ar")
    login(client, karim)
    theirs = statement()
    assert "You received from Amina Diallo" in theirs and "You gave" not in theirs


def test_the_balance_kept_rendered_follows_the_balance_and_the_language(app, client, people):
    """The balance box is kept rendered a process for the same figures and language: a gift shows at once, in the
    reader's language, and another member's box with the same figures is the same box."""
    from tests.factories import member
    from timebank.extensions import db
    from timebank.giving.services import give_time

    amina = people.member("Amina Diallo", email="amina@example.org")
    karim = people.member("Karim Benali", email="karim@example.org")

    def box(path="/me/hours"):
        page = text_of(client.get(path))
        return page[page.index("My balance"):].split("Give time")[0]

    login(client, karim)
    theirs = box()
    login(client, amina)
    before = box()
    assert before == theirs and "You have 0 h" in before
    with app.test_request_context():
        give_time(giver=member(amina), recipient=member(karim), minutes=90, memo="Vélo", key="g-balance")
        db.session.commit()
    after = box()
    assert after != before and "1 h 30" in after
    assert "You have" not in text_of(client.get("/me/hours?lang=ar"))
    login(client, karim)
    assert "You have 1 h 30" in box()
