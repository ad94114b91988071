"""A pending applicant can sign in and edit her profile, and sees clearly that she must wait."""
from flask import Blueprint

from tests.conftest import text_of
from timebank.security import member_required


def test_nadia_sees_the_waiting_page(client, auth, people):
    people.applicant("Nadia Haddad")
    auth.login("nadia@example.org")

    page = text_of(client.get("/"))

    assert "Your application is waiting for approval" in page
    assert "Hello Nadia" not in page


def test_nadia_can_complete_her_profile(client, auth, people):
    nadia = people.applicant("Nadia Haddad")
    auth.login("nadia@example.org")

    response = client.post("/me/profile", data={
        "display_name": "Nadia H.", "bio": "J'aime cuisiner.", "area": "Centre", "languages": ["ar", "fr", "en"],
        "phone": "06 12 34 56 78", "contact_visibility": "coordinators", "locale": "en",
    })

    assert response.status_code == 302
    stored = people.get(nadia)
    assert stored["display_name"] == "Nadia H."
    assert stored["languages"] == ["ar", "en", "fr"]
    assert stored["phone"] == "+33612345678"  # kept in E.164
    assert stored["contact_visibility"] == "coordinators"
    assert "Your profile is saved." in text_of(client.get("/me/profile"))


def test_profile_errors_are_shown_next_to_the_field(client, auth, people):
    nadia = people.applicant("Nadia Haddad")
    auth.login("nadia@example.org")

    response = client.post("/me/profile", data={
        "display_name": "", "area": "Centre", "languages": ["ar"], "phone": "call me maybe",
        "contact_visibility": "everyone", "locale": "fr",
    })

    assert response.status_code == 422
    page = text_of(response)
    assert "Please tell us your name." in page
    assert "This is not a valid phone number." in page
    assert "Not a valid choice." in page
    assert people.get(nadia)["display_name"] == "Nadia Haddad"


def test_member_pages_refuse_a_pending_applicant(make_app, people):
    # A member-only page, as later features add them.
    app = make_app()
    extra = Blueprint("extra", __name__)

    @extra.get("/only-for-members")
    @member_required
    def only_for_members():
        return "member content"

    app.register_blueprint(extra)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    people.applicant("Nadia Haddad")
    people.member("Karim Benali")

    client.post("/login", data={"identifier": "nadia@example.org", "password": "correct horse battery"})
    refused = client.get("/only-for-members")
    assert refused.status_code == 403
    assert "waiting for approval" in text_of(refused)
    assert "member content" not in text_of(refused)

    client.post("/logout")
    client.post("/login", data={"identifier": "karim@example.org", "password": "correct horse battery"})
    assert client.get("/only-for-members").get_data(as_text=True) == "member content"


def test_declined_applicant_is_told(client, auth, people):
    from timebank.members.models import Status

    people.member("Tariq Haddad", status=Status.DECLINED)
    auth.login("tariq@example.org")
    assert "Your application was not accepted" in text_of(client.get("/"))
