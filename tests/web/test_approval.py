"""Coordinators approve or decline applications; applicants are told by e-mail in their language."""
import pytest

from tests.conftest import text_of


@pytest.fixture
def sandrine(people, auth):
    coordinator = people.coordinator("Sandrine Martin")
    auth.login(coordinator.email)
    return coordinator


def test_sandrine_sees_applications_oldest_first(client, people, sandrine):
    people.applicant("Nadia Haddad")
    people.applicant("Tariq Haddad", email="tariq@example.org")
    people.member("Karim Benali")  # already a member: not in the queue

    page = text_of(client.get("/coordination/"))

    assert "Applications waiting 2" in page
    assert page.index("Nadia Haddad") < page.index("Tariq Haddad")
    assert "Karim" not in page


def test_approving_nadia_makes_her_a_member_and_tells_her_in_arabic(client, people, sandrine):
    nadia = people.applicant("Nadia Haddad", locale="ar")

    response = client.post(f"/coordination/members/{nadia.id}/decide",
                           data={"approve": "y", "message": "Bienvenue ! RDV mardi 14 h."})

    assert response.status_code == 303
    assert "Nadia Haddad is now a member" in text_of(client.get("/coordination/"))
    assert people.get(nadia)["status"] == "active"
    assert people.get(nadia)["decided_by_id"] == sandrine.id
    [mail] = people.outbox(to="nadia@example.org")
    assert mail.locale == "ar"
    assert "Bienvenue ! RDV mardi 14 h." in mail.body
    assert str(nadia.number) in mail.body


def test_declining_tells_the_applicant_with_the_reason(client, people, sandrine):
    tariq = people.applicant("Tariq Haddad", email="tariq@example.org", locale="en")

    client.post(f"/coordination/members/{tariq.id}/decide",
                data={"decline": "y", "message": "You live outside our neighbourhood."})

    assert people.get(tariq)["status"] == "declined"
    [mail] = people.outbox(to="tariq@example.org")
    assert mail.subject == "About your application to the timebank"
    assert "You live outside our neighbourhood." in mail.body
    assert "cannot accept it for now" in mail.body


def test_deciding_twice_is_refused_and_sends_nothing_more(client, people, sandrine):
    nadia = people.applicant("Nadia Haddad")
    client.post(f"/coordination/members/{nadia.id}/decide", data={"approve": "y"})

    again = client.post(f"/coordination/members/{nadia.id}/decide", data={"decline": "y"})

    assert again.status_code == 409
    assert "This application has already been decided." in text_of(again)
    assert people.get(nadia)["status"] == "active"
    assert len(people.outbox(to="nadia@example.org")) == 1


def test_unknown_applicant_is_a_404(client, sandrine):
    assert client.post("/coordination/members/9999/decide", data={"approve": "y"}).status_code == 404


def test_a_too_long_message_is_refused(client, people, sandrine):
    nadia = people.applicant("Nadia Haddad")
    response = client.post(f"/coordination/members/{nadia.id}/decide", data={"approve": "y", "message": "x" * 2001})
    assert response.status_code == 422
    assert people.get(nadia)["status"] == "pending"
    assert people.outbox() == []


def test_a_member_cannot_see_or_use_the_approval_pages(client, people, auth):
    nadia = people.applicant("Nadia Haddad")
    people.member("Karim Benali")
    auth.login("karim@example.org")

    assert client.get("/coordination/").status_code == 403
    response = client.post(f"/coordination/members/{nadia.id}/decide", data={"approve": "y"})

    assert response.status_code == 403
    assert "This page is not for you" in text_of(response)
    assert people.get(nadia)["status"] == "pending"


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    nadia = people.applicant("Nadia Haddad")

    assert client.get("/coordination/").headers["Location"].startswith("/login")
    client.post(f"/coordination/members/{nadia.id}/decide", data={"approve": "y"})

    assert people.get(nadia)["status"] == "pending"


def test_a_pending_coordinator_has_no_coordinator_rights(client, people, auth):
    people.member("Lucie Ortega", role=__import__("timebank.members.models", fromlist=["Role"]).Role.COORDINATOR,
                  status=__import__("timebank.members.models", fromlist=["Status"]).Status.PENDING)
    auth.login("lucie@example.org")
    assert client.get("/coordination/").status_code == 403


def test_admins_can_do_what_coordinators_do(client, people, auth):
    nadia = people.applicant("Nadia Haddad")
    people.admin("Claire Dubois")
    auth.login("claire@example.org")

    client.post(f"/coordination/members/{nadia.id}/decide", data={"approve": "y"})

    assert people.get(nadia)["status"] == "active"


def test_coordinator_dashboard_counts_waiting_applications(client, people, sandrine):
    people.applicant("Nadia Haddad")
    assert "1 application is waiting for your decision." in text_of(client.get("/"))
