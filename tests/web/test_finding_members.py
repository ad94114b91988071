"""Finding a member: by the number on her welcome sheet, her name however it is typed, and, for coordinators only,
her phone or e-mail — the same way on every page that searches."""
import pytest

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.members.models import Member


@pytest.fixture
def town(app, people):
    helene = people.member("Hélène Roux", email=None)
    karim = people.member("Karim Benali")
    with app.app_context():
        db.session.get(Member, helene.id).phone = "06 12 34 56 78"
        db.session.commit()
    return {"helene": helene, "karim": karim, "amina": people.member("Amina Diallo"),
            "sandrine": people.coordinator("Sandrine Martin"), "claire": people.admin("Claire Dubois")}


def _finds(client, url: str, name: str) -> bool:
    page = text_of(client.get(url))
    return name in page.split("Search", 1)[-1]  # after the search form, not in its labels


SEARCH_PAGES = ("/coordination/?q={}", "/members?name={}", "/admin/people?q={}")


def test_coordinators_and_admins_find_a_member_by_number_name_phone_or_e_mail_on_every_search(client, town):
    helene, karim = town["helene"], town["karim"]
    for who, pages in ((town["sandrine"], SEARCH_PAGES[:2]), (town["claire"], SEARCH_PAGES)):
        login(client, who)
        for page in pages:
            for typed in (str(helene.number), f"M-{helene.number}", "helene", "HÉLÈNE roux", "0612345678",
                          "06.12.34.56.78", "+33 6 12 34 56 78"):
                assert _finds(client, page.format(typed), "Hélène Roux"), (who.name, page, typed)
            assert _finds(client, page.format("karim@example"), "Karim Benali"), (who.name, page)
            assert not _finds(client, page.format("0699999999"), "Hélène Roux"), (who.name, page)


def test_a_member_finds_a_neighbour_by_number_or_name_but_never_by_phone_or_e_mail(client, town):
    helene, karim = town["helene"], town["karim"]
    login(client, town["amina"])
    assert _finds(client, f"/members?name={helene.number}", "Hélène Roux")
    assert _finds(client, "/members?name=helene", "Hélène Roux")
    for typed in ("0612345678", "06 12 34 56 78", "34 56 78"):
        assert not _finds(client, f"/members?name={typed}", "Hélène Roux"), typed
    assert not _finds(client, "/members?name=karim@example.org", "Karim Benali")
    assert client.get("/coordination/?q=0612345678").status_code == 403


def test_a_coordinator_names_a_helper_by_name_or_phone_and_is_asked_for_the_number_when_several_match(
        app, client, people, town):
    helene, karim = town["helene"], town["karim"]
    login(client, town["sandrine"])
    named = client.post(f"/coordination/members/{helene.id}/helper", data={
        "helper-number": "karim benali", "helper-reason": "Demandé au local", "helper-name": "y"})
    assert named.status_code == 303
    assert "Trusted helper: Karim Benali" in text_of(client.get(f"/coordination/members/{helene.id}"))

    people.member("Karima Saïdi")
    ambiguous = client.post(f"/coordination/members/{helene.id}/helper", data={
        "helper-number": "karim", "helper-reason": "Demandé au local", "helper-name": "y"})
    assert ambiguous.status_code == 400
    assert "Several members match" in text_of(ambiguous) and "give the member number" in text_of(ambiguous)
    nobody = client.post(f"/coordination/members/{helene.id}/helper", data={
        "helper-number": "Zoé Inconnue", "helper-reason": "x", "helper-name": "y"})
    assert nobody.status_code == 404 and "No member found" in text_of(nobody)
    with app.app_context():
        assert db.session.get(Member, helene.id).helper_id == karim.id
