"""Search finds what residents type, in any language, with any characters, on SQLite and PostgreSQL."""
import pytest
import sqlalchemy as sa

from tests.factories import publish
from timebank.extensions import db
from timebank.listings.models import Listing, ListingType
from timebank.listings.search_words import search_tokens
from timebank.listings.services import listings_search


@pytest.fixture
def corpus(app, people):
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali", area="Centre")
    ids = {
        "creche": publish(app, karim, "Récupérer ma fille à la crèche", kind="request", category="childcare"),
        "ecole": publish(app, amina, "Inscription à l'École Jean-Jaurès", category="paperwork",
                         description="Dossier d'inscription et certificat"),
        "traduction": publish(app, amina, "Traduction de courriers", tags="CAF, lettres", languages=("ar", "fr")),
        "arabe": publish(app, karim, "ترجمة الرسائل الإدارية", languages=("ar",), area="Centre"),
        "velo": publish(app, karim, "Réparation de vélo", category="sewing-repairs", area="Centre"),
    }
    return ids


def found(ctx_app, **filters):
    with ctx_app.test_request_context():
        return {listing.id for listing in listings_search(**filters).listings}


@pytest.mark.parametrize(("query", "expected"), [
    ("creche", {"creche"}),
    ("CRÈCHE", {"creche"}),
    ("ecole", {"ecole"}),
    ("École", {"ecole"}),
    ("tradu", {"traduction", "arabe"}),  # "arabe" is in the category "Traduction et interprétariat"
    ("caf", {"traduction", "ecole"}),  # CAF is one of the synonyms of the category "Papiers et courriers"
    ("velo reparation", {"velo"}),
    ("ترجمة", {"arabe", "traduction"}),  # the category's Arabic name is الترجمة
    ("الرسائل", {"arabe", "ecole"}),  # رسائل (letters) is a synonym of the paperwork category
    ("certificat", {"ecole"}),
])
def test_accents_case_prefixes_tags_and_arabic(app, corpus, query, expected):
    assert found(app, q=query) == {corpus[name] for name in expected}


@pytest.mark.parametrize("query", ['"', '"creche', "creche AND (", "*", "-", "NEAR(a b)", "l'école", "a OR b",
                                   "'; DROP TABLE listing; --", "(((", "…", "%", "_", "\\", "creche\x00", "😀",
                                   "ʼ", "ʻ", "ʼn", "maːl", "⑴", "a:b", "a&b|c!d", "x" * 500])
def test_any_characters_are_searched_without_an_error(app, corpus, query):
    found(app, q=query)  # no exception is the point; and the table is still there
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Listing)) == 5


def test_the_web_page_answers_any_characters(app, corpus, people):
    people.member("Fatou Ndiaye")
    client = app.test_client()
    client.post("/login", data={"identifier": "fatou@example.org", "password": "correct horse battery"})
    for query in ("ʼ", "maːl", "⑴", "'\\:&|!()", "\x00", "ترجمة"):
        assert client.get("/listings", query_string={"q": query}).status_code == 200, query
        assert client.get("/members", query_string={"skill": query, "name": query}).status_code == 200, query


def test_links_and_addresses_are_split_into_words_on_both_databases(app, people):
    amina = people.member("Amina Diallo")
    listing_id = publish(app, amina, "Aide CAF", description="Voir https://www.caf.fr/allocataires ou aide@asso.org")
    for query in ("allocataires", "asso", "caf fr"):
        assert found(app, q=query) == {listing_id}, query


def test_quotes_and_operators_are_just_words(app, corpus):
    assert found(app, q='"crèche"') == {corpus["creche"]}
    assert found(app, q="crèche AND (") == set()  # "and" is a word here, and no listing has it


def test_tokens_keep_only_words():
    assert search_tokens('l\'École "AND" (crèche)* -vélo') == ["l", "école", "and", "crèche", "vélo"]


def test_filters_combine(app, corpus):
    assert found(app, type=ListingType.REQUEST) == {corpus["creche"]}
    assert found(app, area="Centre") == {corpus["arabe"], corpus["velo"]}
    assert found(app, language="ar") == {corpus["traduction"], corpus["arabe"]}
    with app.app_context():
        from tests.factories import category_id

        paperwork = category_id("paperwork")
    assert found(app, category_id=paperwork) == {corpus["ecole"]}
    assert found(app, q="tradu", language="fr") == {corpus["traduction"]}


def test_results_are_newest_first_and_paginated(app, people):
    amina = people.member("Amina Diallo")
    ids = [publish(app, amina, f"Aide numéro {n}") for n in range(5)]
    with app.test_request_context():
        first = listings_search(per_page=2)
        last = listings_search(per_page=2, page=3)
    assert [listing.id for listing in first.listings] == ids[::-1][:2]
    assert first.total == 5 and first.pages == 3
    assert [listing.id for listing in last.listings] == [ids[0]]


def test_counting_stops_at_the_cap(app, people, monkeypatch):
    from timebank.listings import services

    monkeypatch.setattr(services.search, "COUNT_CAP", 3)
    amina = people.member("Amina Diallo")
    for n in range(5):
        publish(app, amina, f"Aide {n}")
    with app.test_request_context():
        page = listings_search(per_page=2)
    assert page.capped and page.total == 4 and page.pages == 2
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post("/login", data={"identifier": "amina@example.org", "password": "correct horse battery"})
    from tests.conftest import text_of

    assert "More than 3 listings: add a word or a choice to find yours." in text_of(client.get("/listings"))
