"""Claire, admin of the association, gives welcome hours and hours from the community account."""
import re

import pytest

from tests.conftest import text_of
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.verify import ledger_verify
from timebank.members.models import Member


@pytest.fixture
def claire(people, auth):
    claire = people.admin("Claire Dubois")
    auth.login("claire@example.org")
    return claire


def form(client, prefix, **fields):
    page = client.get("/admin/").get_data(as_text=True)
    key = re.search(rf'name="{prefix}-key" type="hidden" value="([^"]+)"', page).group(1)
    data = {"key": key, "hours": "2", "minutes": "0", "reason": ""}
    data.update(fields)
    return {f"{prefix}-{name}": value for name, value in data.items()}


def posted(app, resident):
    with app.app_context():
        return ledger.account_of(db.session.get(Member, resident.id)).posted


def test_claire_gives_nadia_welcome_hours(app, client, people, claire):
    nadia = people.member("Nadia Haddad")

    response = client.post("/admin/welcome", data=form(client, "welcome", member=str(nadia.id)))

    assert response.status_code == 303
    assert "Nadia Haddad received 2 h." in text_of(client.get("/admin/"))
    assert "Welcome hours given so far 2 h" in text_of(client.get("/admin/"))
    assert posted(app, nadia) == 120
    with app.app_context():
        assert ledger_verify().ok


def test_community_grant_needs_a_reason_and_hours_in_the_pot(app, client, people, claire):
    nadia = people.member("Nadia Haddad")

    no_reason = client.post("/admin/community-grant", data=form(client, "grant", member=str(nadia.id)))
    empty_pot = client.post("/admin/community-grant",
                            data=form(client, "grant", member=str(nadia.id), reason="Help after the fire"))

    assert no_reason.status_code == 400
    assert "Please write the reason: the member concerned will read it." in text_of(no_reason)
    assert empty_pot.status_code == 409
    assert "the community account cannot give hours just now" in text_of(empty_pot).lower()
    assert posted(app, nadia) == 0


def test_community_grant_reaches_the_member_with_the_reason(app, client, people, claire, auth):
    nadia = people.member("Nadia Haddad")
    karim = people.member("Karim Benali")
    with app.test_request_context():
        from timebank.giving.services import give_time

        give_time(giver=db.session.get(Member, karim.id), recipient=None, minutes=180, memo="", key="don")

    client.post("/admin/community-grant",
                data=form(client, "grant", member=str(nadia.id), reason="Help after the fire"))

    assert posted(app, nadia) == 120
    [mail] = people.outbox(to="nadia@example.org")
    assert "Help after the fire" in mail.body


def test_members_and_coordinators_cannot_use_the_admin_pages(app, client, people, auth):
    nadia = people.member("Nadia Haddad")
    people.coordinator("Sandrine Martin")
    auth.login("sandrine@example.org")
    assert client.get("/admin/").status_code == 403
    response = client.post("/admin/welcome", data={"welcome-member": str(nadia.id), "welcome-hours": "5",
                                                   "welcome-minutes": "0", "welcome-key": "abc"})
    assert response.status_code == 403
    assert posted(app, nadia) == 0


def test_welcome_hours_on_approval_when_the_association_gives_them(make_app, people):
    app = make_app(TIMEBANK_WELCOME_MINUTES=120)
    client = app.test_client()
    people.coordinator("Sandrine Martin")
    nadia = people.applicant("Nadia Haddad")
    client.post("/login", data={"identifier": "sandrine@example.org", "password": "correct horse battery"})

    response = client.post(f"/coordination/members/{nadia.id}/decide", data={"approve": "y"})

    assert response.status_code == 303
    assert posted(app, nadia) == 120
    nadia_client = app.test_client()
    nadia_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    nadia_client.post("/login", data={"identifier": "nadia@example.org", "password": "correct horse battery"})
    assert "Welcome hours Recorded by Sandrine Martin +2 h Balance: 2 h" in text_of(nadia_client.get("/me/hours"))
    assert "Welcome! The timebank gave you 2 h to start." in text_of(nadia_client.get("/notifications"))
    with app.app_context():
        assert ledger_verify().ok
