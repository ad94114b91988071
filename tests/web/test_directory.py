"""Members find each other by name, skill, language and area; contact details follow each member's choice."""
import pytest

from tests.conftest import text_of
from tests.factories import publish
from timebank.extensions import db
from timebank.members.models import ContactVisibility, Member, Status


@pytest.fixture
def neighbours(app, people):
    amina = people.member("Amina Diallo", languages=("fr", "ff"), area="Les Tilleuls")
    karim = people.member("Karim Benali", languages=("fr", "ar"), area="Centre")
    fatou = people.member("Fatou Ndiaye", languages=("wo", "fr"), area="Gare")
    people.applicant("Nadia Haddad")
    publish(app, fatou, "Ourlets et retouches", category="sewing-repairs", languages=("wo",))
    with app.app_context():
        db.session.get(Member, fatou.id).phone = "06 11 22 33 44"
        db.session.commit()
    return amina, karim, fatou


def names(response):
    page = text_of(response)
    return [name for name in ("Amina Diallo", "Karim Benali", "Fatou Ndiaye", "Nadia Haddad") if name in page]


def test_search_by_name_skill_language_and_area(client, auth, neighbours):
    auth.login("amina@example.org")
    assert names(client.get("/members")) == ["Amina Diallo", "Karim Benali", "Fatou Ndiaye"]  # no applicant
    assert names(client.get("/members?name=KAR")) == ["Karim Benali"]
    assert names(client.get("/members?skill=retouche")) == ["Fatou Ndiaye"]
    assert names(client.get("/members?language=ar")) == ["Karim Benali"]
    assert names(client.get("/members?area=Gare")) == ["Fatou Ndiaye"]
    assert names(client.get("/members?name=%25")) == []  # a wildcard is just a character
    assert "3 members" in text_of(client.get("/members"))


def test_each_card_says_area_languages_and_verified_and_the_choices_stay_chosen(app, client, auth, neighbours):
    from timebank.timeutil import utcnow

    amina, karim, fatou = neighbours
    with app.app_context():
        db.session.get(Member, karim.id).verified_at = utcnow()
        db.session.commit()
    auth.login("amina@example.org")
    page = text_of(client.get("/members"))
    assert "Karim Benali ✓ verified Centre · Arabic, French" in page
    assert "Fatou Ndiaye Gare · French, Wolof" in page
    page = client.get("/members?language=ar&area=Centre").get_data(as_text=True)
    assert '<option value="ar" selected>' in page and '<option value="Centre" selected>' in page
    assert names(client.get("/members?language=xx&area=nowhere")) == ["Amina Diallo", "Karim Benali", "Fatou Ndiaye"]


def test_names_are_found_whatever_the_accents_and_capitals(client, people, auth, neighbours):
    people.member("Élodie Çelik", email="elodie@example.org")
    auth.login("amina@example.org")
    for typed in ("élodie", "ÉLODIE", "Elodie", "celik", "ÇELİK"[:4]):
        assert "Élodie Çelik" in text_of(client.get("/members", query_string={"name": typed})), typed


def test_odd_directory_input_is_harmless(client, auth, neighbours):
    auth.login("amina@example.org")
    for query in ({"name": "\x00"}, {"name": "a\x00"}, {"page": "-3"}, {"endpoint": "x"}, {"_external": "1"}):
        response = client.get("/members", query_string=query)
        assert response.status_code in (200, 404), query
        assert "Page -3" not in text_of(response)


def test_a_profile_shows_what_members_need_to_know(client, auth, neighbours):
    amina, karim, fatou = neighbours
    auth.login("amina@example.org")
    page = text_of(client.get(f"/members/{fatou.id}"))
    assert "Fatou Ndiaye" in page and "Gare" in page and "French, Wolof" in page
    assert "Member since" in page and "Ourlets et retouches" in page
    assert "06 11 22 33 44" not in page and "fatou@example.org" not in page


def test_contact_details_show_only_after_an_agreed_exchange_never_after_a_gift(app, client, auth, neighbours):
    import re

    from timebank.ledger.verify import ledger_verify
    from timebank.timeutil import utcnow

    amina, karim, fatou = neighbours
    auth.login("amina@example.org")
    # A 15-minute gift needs no consent from Fatou: it must not hand over her phone number.
    gift = client.post("/give", data={"to": str(fatou.id), "hours": "0", "minutes": "15", "memo": "Merci",
                                      "key": "gift-1", "confirm": "yes"})
    assert gift.status_code == 303
    assert "06 11 22 33 44" not in text_of(client.get(f"/members/{fatou.id}"))
    # Nor does a mere proposal.
    proposal = client.post(f"/exchanges/new?member={fatou.id}", data={
        "role": "receive", "title": "Ourlet", "hours": "1", "minutes": "0", "on_date": utcnow().date().isoformat()})
    eid = int(re.search(r"/exchanges/(\d+)", proposal.headers["Location"]).group(1))
    assert "06 11 22 33 44" not in text_of(client.get(f"/members/{fatou.id}"))
    auth.logout()
    auth.login("fatou@example.org")
    assert client.post(f"/exchanges/{eid}/accept").status_code == 303
    auth.logout()
    auth.login("amina@example.org")
    assert "06 11 22 33 44" in text_of(client.get(f"/members/{fatou.id}"))  # both agreed: now she may call
    auth.logout()
    auth.login("karim@example.org")
    assert "06 11 22 33 44" not in text_of(client.get(f"/members/{fatou.id}"))
    with app.app_context():
        assert ledger_verify().ok


@pytest.mark.parametrize(("visibility", "karim_sees"), [
    (ContactVisibility.MEMBERS, True), (ContactVisibility.COUNTERPARTS, False),
    (ContactVisibility.COORDINATORS, False)])
def test_each_member_chooses_who_sees_contact_details(app, client, people, auth, neighbours, visibility, karim_sees):
    amina, karim, fatou = neighbours
    with app.app_context():
        db.session.get(Member, fatou.id).contact_visibility = visibility
        db.session.commit()
    auth.login("karim@example.org")
    assert ("06 11 22 33 44" in text_of(client.get(f"/members/{fatou.id}"))) is karim_sees
    auth.logout()
    people.coordinator("Sandrine Martin")
    auth.login("sandrine@example.org")
    assert "06 11 22 33 44" in text_of(client.get(f"/members/{fatou.id}"))


def test_applicants_and_suspended_members_have_no_public_profile(app, client, people, auth, neighbours):
    amina, karim, fatou = neighbours
    with app.app_context():
        db.session.get(Member, karim.id).status = Status.SUSPENDED
        db.session.commit()
    auth.login("amina@example.org")
    assert client.get(f"/members/{karim.id}").status_code == 404
    assert client.get("/members/99999999999").status_code == 404
    assert "Karim Benali" not in text_of(client.get("/members"))


def test_a_profile_can_be_reported(app, client, auth, people, neighbours):
    amina, karim, fatou = neighbours
    people.coordinator("Sandrine Martin")
    auth.login("amina@example.org")
    assert client.post(f"/members/{karim.id}/report", data={"reason": "Asks for money"}).status_code == 303
    auth.logout()
    auth.login("sandrine@example.org")
    assert "Profile: Karim Benali" in text_of(client.get("/coordination/"))


def test_a_large_directory_is_counted_up_to_a_cap(client, auth, neighbours, monkeypatch):
    from timebank.listings import people

    monkeypatch.setattr(people, "DIRECTORY_COUNT_CAP", 2)
    auth.login("amina@example.org")
    page = text_of(client.get("/members"))
    assert "More than 2 members: type a name or a skill to find someone." in page
    assert "1 member" in text_of(client.get("/members?area=Gare"))  # under the cap: the exact number
