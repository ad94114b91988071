"""Search across languages, and results in the reader's order.

Nour reads Arabic and some French: she types أوراق (papers) and finds the demo's paperwork listings written in
French; Claire, admin, adds a word to a category and it finds its listings at once; a helper who speaks
Nour's language comes first, and her card says so.
"""
import re

import pytest
import sqlalchemy as sa

from tests.conftest import count_queries, login, text_of
from tests.factories import category_id, publish
from timebank.extensions import db
from timebank.listings.models import Category, Listing, ListingType
from timebank.listings.services import listings_search


def found(app, **criteria):
    with app.test_request_context():
        return {listing.id for listing in listings_search(per_page=1000, **criteria).listings}


@pytest.fixture
def demo(app):
    from timebank.demo import demo_load

    with app.test_request_context():
        demo_load()
    return app


def test_the_demo_paperwork_is_found_in_every_language_and_spelling(demo):
    app = demo
    with app.app_context():
        paperwork = category_id("paperwork")
        childcare = category_id("childcare")
    papers = found(app, category_id=paperwork)
    assert len(papers) >= 8  # the demo's paperwork listings still open
    arabic = {query: found(app, q=query) for query in ("أوراق", "الأوراق", "اوراق", "أَوْرَاق")}
    assert all(result == papers for result in arabic.values()), arabic  # only the category finds these words
    for query in ("paperwork", "papiers", "CAF", "APL"):
        assert papers <= found(app, q=query), query
    with app.app_context():
        garde = set(db.session.scalars(sa.select(Listing.id).where(
            Listing.title.like("Garde d'enfants%"), Listing.type == ListingType.OFFER)))
    garde &= found(app, category_id=childcare)  # the ones open and shown
    assert garde
    for query in ("childcare", "أطفال", "الأطفال", "حضانة", "baby-sitting"):
        assert garde <= found(app, q=query), query


def test_a_resident_typing_arabic_sees_french_listings(demo, client):
    client.post("/login", data={"identifier": "amina@example.org", "password": "timebank-demo"})
    page = text_of(client.get("/listings", query_string={"q": "الأوراق"}))
    assert "Aide pour les papiers de la CAF" in page
    assert "Nothing found" not in page


@pytest.mark.parametrize("query", ['"أوراق', "أوراق AND (", "papiers OR", "NEAR(papiers caf)", "body : papiers",
                                   "category : c4", "c4", "#4", "'; DROP TABLE listing; --", "ال", "ـ", "َ"])
def test_operators_and_quotes_stay_words(app, people, query):
    amina = people.member("Amina Diallo")
    publish(app, amina, "Aide pour les papiers de la CAF", category="paperwork")
    publish(app, amina, "Cours de cuisine", category="cooking")
    found(app, q=query)  # no error is the point
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Listing)) == 2
    # The category's own token is out of reach of what is typed.
    assert found(app, q="c4") == found(app, q="#4") == set()


def test_words_inside_a_listing_are_folded_too(app, people):
    amina = people.member("Amina Diallo")
    vowelled = publish(app, amina, "مُسَاعَدَةٌ في كِتَابَةِ الرَّسَائِلِ", category="other")
    stretched = publish(app, amina, "مســاعدة في إعداد الملفّات", category="other")
    assert found(app, q="مساعدة") == {vowelled, stretched}
    assert found(app, q="كتابه") == {vowelled}
    assert found(app, q="الاعداد") == {stretched}


def test_synonyms_and_names_edited_by_an_admin_find_the_listings_at_once(app, client, people):
    claire = people.admin("Claire Dubois")
    amina = people.member("Amina Diallo")
    shelf = publish(app, amina, "Monter une étagère", category="diy")
    assert found(app, q="zanaat") == set()
    login(client, claire)
    with app.app_context():
        diy = category_id("diy")
    page = client.get(f"/admin/categories/{diy}").get_data(as_text=True)
    assert "bricolage, travaux" in page  # the shipped synonyms, ready to edit
    too_long = client.post(f"/admin/categories/{diy}", data={
        "name_fr": "Bricolage", "name_en": "DIY", "name_ar": "أعمال يدوية", "icon": "hammer",
        "synonyms": "bricolage, " + "x" * 61})
    assert too_long.status_code == 422
    assert "Each word or expression may have at most 60 characters." in text_of(too_long)
    with app.app_context():
        assert db.session.get(Category, diy).names["en"] == "DIY and small works"  # nothing was written
    saved = client.post(f"/admin/categories/{diy}", data={
        "name_fr": "Petits travaux", "name_en": "Handiwork", "name_ar": "أعمال يدوية", "icon": "hammer",
        "synonyms": "bricolage ; tamirat\nzanaat, Bricolage"})
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.get(Category, diy).synonyms == ["bricolage", "tamirat", "zanaat"]
    assert found(app, q="zanaat") == {shelf}  # a new synonym
    assert found(app, q="handiwork") == {shelf}  # a new name
    assert found(app, q="يدوية") == {shelf}
    assert found(app, q="DIY") == set()  # the old name no longer finds it
    assert found(app, q="travaux") == {shelf}  # the new French name


def test_a_helper_who_speaks_her_language_comes_first_and_the_card_says_so(app, client, people):
    nour = people.member("Nour Haddad", area="Gare", languages=("ar", "fr"))
    karim = people.member("Karim Benali", area="Les Tilleuls", languages=("ar", "fr"))
    fatou = people.member("Fatou Ndiaye", area="Gare", languages=("fr",))
    lucas = people.member("Lucas Petit", area="Les Tilleuls", languages=("fr",))
    arabic = publish(app, karim, "Cuisine syrienne", category="cooking", languages=("ar",), area="Les Tilleuls")
    near = publish(app, fatou, "Cuisine du marché", category="cooking", languages=("fr",), area="Gare")
    newest = publish(app, lucas, "Cuisine au four", category="cooking", languages=("fr",), area="Les Tilleuls")
    login(client, nour)
    html = client.get("/listings", query_string={"q": "cuisine"}).get_data(as_text=True)
    order = [html.index(f"/listings/{listing_id}\"") for listing_id in (arabic, near, newest)]
    assert order == sorted(order)  # her language, then her area, then the newest
    page = text_of(client.get("/listings", query_string={"q": "cuisine"}))
    assert page.count("Speaks Arabic") == 1
    assert page.index("Speaks Arabic") < page.index("Cuisine du marché")
    french = client.get("/listings", query_string={"q": "cuisine", "lang": "fr"}).get_data(as_text=True)
    assert re.search(r'class="card-meta speaks">[^<]* arabe</span>', french)  # the language named in a sentence
    # Her languages come with her on every page (navigation.member_and_menu): a change shows on the next one.
    client.post("/me/profile", data={"display_name": "Nour Haddad", "area": "Gare", "languages": ["fr"],
                                     "contact_visibility": "counterparts", "locale": "en"})
    html = client.get("/listings", query_string={"q": "cuisine"}).get_data(as_text=True)
    assert "Speaks" not in text_of(client.get("/listings", query_string={"q": "cuisine"}))
    order = [html.index(f"/listings/{listing_id}\"") for listing_id in (near, newest, arabic)]
    assert order == sorted(order)  # French now, then her area, then the newest
    # Someone who reads French only: French first, then her area, then newest; no card names a language.
    login(client, lucas)
    html = client.get("/listings", query_string={"q": "cuisine"}).get_data(as_text=True)
    order = [html.index(f"/listings/{listing_id}\"") for listing_id in (newest, near, arabic)]
    assert order == sorted(order)
    assert "Speaks" not in text_of(client.get("/listings", query_string={"q": "cuisine"}))


def test_matches_rank_a_helper_who_shares_her_language_first(app, client, people):
    nour = people.member("Nour Haddad", area="Gare", languages=("ar", "fr"))
    karim = people.member("Karim Benali", area="Les Tilleuls", languages=("ar", "fr"))
    fatou = people.member("Fatou Ndiaye", area="Gare", languages=("fr",))
    arabic = publish(app, karim, "Je traduis les courriers", category="paperwork", languages=("ar", "fr"),
                     area="Les Tilleuls")
    french = publish(app, fatou, "Je remplis les dossiers", category="paperwork", languages=("fr",), area="Gare")
    request = publish(app, nour, "Aide pour la CAF", kind="request", category="paperwork", languages=("ar", "fr"),
                      area="Gare")
    login(client, nour)
    html = client.get(f"/listings/{request}").get_data(as_text=True)
    assert html.index(f"/listings/{arabic}\"") < html.index(f"/listings/{french}\"")
    assert "Speaks Arabic" in text_of(client.get(f"/listings/{request}"))


def test_the_home_page_orders_near_listings_for_her_without_counting(app, client, people):
    nour = people.member("Nour Haddad", area="Gare", languages=("ar", "fr"))
    karim = people.member("Karim Benali", area="Gare", languages=("ar", "fr"))
    fatou = people.member("Fatou Ndiaye", area="Gare", languages=("fr",))
    arabic = publish(app, karim, "Couture", category="sewing-repairs", languages=("ar",), area="Gare")
    french = [publish(app, fatou, f"Courses {n}", category="errands-rides", area="Gare") for n in range(4)]
    login(client, nour)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        html = client.get("/").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert html.index(f"/listings/{arabic}\"") < html.index(f"/listings/{french[-1]}\"")
    assert f"/listings/{french[0]}\"" not in html  # four shown: hers first, then the newest
    assert "Speaks Arabic" in text_of(client.get("/"))
    assert not any("count(*) OVER" in statement for statement in statements)


def test_a_search_page_runs_a_fixed_number_of_queries(app, client, people):
    nour = people.member("Nour Haddad", area="Gare", languages=("ar", "fr"))
    others = [people.member(f"Voisine {n}", email=f"v{n}@example.org") for n in range(6)]
    login(client, nour)
    publish(app, others[0], "Papiers CAF 0", category="paperwork", languages=("fr", "ar"))
    client.get("/listings?q=أوراق&language=fr")  # the first view reads what the process then keeps (categories)
    few = count_queries(app, client, "/listings?q=أوراق&language=fr")
    for n, other in enumerate(others):
        publish(app, other, f"Papiers CAF {n + 1}", category="paperwork", languages=("fr", "pt"))
    many = count_queries(app, client, "/listings?q=أوراق&language=fr")
    assert "7 listings" in text_of(client.get("/listings?q=أوراق&language=fr"))
    assert many == few


def test_search_results_are_the_same_with_and_without_a_reader(app, people):
    """Her order changes the order, never what is found nor how many."""
    from timebank.listings.search import Reader

    amina = people.member("Amina Diallo")
    ids = [publish(app, amina, f"Aide {n}", languages=("ar",) if n % 2 else ("fr",)) for n in range(7)]
    with app.test_request_context():
        plain = listings_search(q="aide", per_page=3)
        ordered = [listings_search(q="aide", per_page=3, page=page,
                                   reader=Reader(languages=("ar", "fr"), rare_languages=("ar",)))
                   for page in (1, 2, 3)]
    assert plain.total == ordered[0].total == 7
    assert [listing.id for listing in plain.listings] == ids[::-1][:3]
    seen = [listing.id for result in ordered for listing in result.listings]
    assert seen[:3] == [ids[5], ids[3], ids[1]]  # the Arabic ones first, newest first
    assert seen[3:] == [ids[6], ids[4], ids[2], ids[0]]
