"""Joining the timebank: Nadia fills in the form, and every mistake gets its own message."""
import pytest

from tests.conftest import text_of

VALID = {
    "display_name": "Nadia Haddad",
    "email": "Nadia.Haddad@Example.org",
    "password": "jasmine on the balcony",
    "locale": "ar",
    "area": "Centre",
    "languages": ["ar", "fr"],
    "charter": "y",
}


def register(client, **changes):
    data = {**VALID, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/register", data=data)


def test_nadia_joins_and_waits_for_approval(client, people):
    response = register(client)

    assert response.status_code == 302
    page = client.get("/", headers={"Accept-Language": "en"})
    stored = people.get(people_by_email(people, "nadia.haddad@example.org"))
    assert stored["status"] == "pending"
    assert stored["email"] == "nadia.haddad@example.org"  # stored in one case
    assert stored["languages"] == ["ar", "fr"]
    assert stored["area"] == "Centre"
    assert stored["locale"] == "ar"
    assert stored["password_hash"].startswith("$argon2id$")
    # Nadia chose Arabic: the page after joining speaks Arabic, right to left.
    html = page.get_data(as_text=True)
    assert 'dir="rtl"' in html and 'lang="ar"' in html


def test_the_form_offers_areas_languages_and_the_charter(client, app):
    page = text_of(client.get("/register"))
    for area in app.config["TIMEBANK_AREAS"]:
        assert area in page
    assert "Arabic" in page and "Wolof" in page and "Turkish" in page
    assert app.config["TIMEBANK_CHARTER"][:40] in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"display_name": ""}, "Please tell us your name."),
        ({"display_name": "x" * 81}, "Field cannot be longer than 80 characters."),
        ({"email": ""}, "Please give your e-mail address."),
        ({"email": "nadia-at-example.org"}, "This does not look like an e-mail address."),
        ({"password": ""}, "Please choose a password."),
        ({"password": "short"}, "Your password needs at least 10 characters."),
        ({"area": ""}, "Please choose your area."),
        ({"area": "Atlantis"}, "Not a valid choice."),
        ({"languages": None}, "Please tick at least one language."),
        ({"languages": ["klingon"]}, "is not a valid choice"),
        ({"locale": "de"}, "Not a valid choice."),
        ({"charter": None}, "Please read and accept the charter to join."),
    ],
)
def test_each_invalid_field_is_explained_and_nothing_is_written(client, people, changes, message):
    response = register(client, **changes)

    assert response.status_code == 422
    assert message in text_of(response)
    assert "Please correct what is marked below." in text_of(response)
    assert people.count_members() == 0


def test_a_long_password_is_accepted(client, people):
    response = register(client, password="a sentence that is long enough to remember " * 2)
    assert response.status_code == 302
    assert people.count_members() == 1


def test_an_address_already_used_in_another_case_is_refused(client, people):
    people.member("Nadia Haddad", email="nadia.haddad@example.org")

    response = register(client, email="NADIA.HADDAD@EXAMPLE.ORG")

    assert response.status_code == 422
    assert "An account already uses this e-mail address." in text_of(response)
    assert people.count_members() == 1


def test_open_registration_makes_a_member_at_once(make_app, people):
    app = make_app(TIMEBANK_REGISTRATION_MODE="open")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    register(client, locale="en")

    page = text_of(client.get("/"))
    assert "Hello Nadia" in page
    assert "waiting for approval" not in page


def people_by_email(people, email):
    import sqlalchemy as sa

    from tests.factories import Resident
    from timebank.extensions import db
    from timebank.members.models import Member

    with people.app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        return Resident(member.id, member.number, member.email, member.display_name)
