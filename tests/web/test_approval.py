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


# Approvals that fit the practice (issue 18) -----------------------------------------------------------------------


def _orientation_of(people, resident):
    from timebank.extensions import db
    from timebank.members.models import Member

    with people.app.app_context():
        return db.session.get(Member, resident.id).orientation_on


def _card_of(page_html: str, name: str) -> str:
    """The applicant's card on the coordination page, as HTML."""
    start = page_html.index(name)
    return page_html[start:page_html.index("</li>", start)]


def test_approving_with_a_welcome_meeting_next_week_succeeds_and_nadia_reads_the_message_at_home(
        client, people, sandrine, auth):
    from datetime import timedelta

    from timebank.timeutil import utcnow

    nadia = people.applicant("Nadia Haddad", locale="en")
    next_week = utcnow().date() + timedelta(days=7)

    response = client.post(f"/coordination/members/{nadia.id}/decide", data={
        "approve": "y", "message": "Welcome Nadia! See you on Tuesday at the centre.",
        "orientation_on": next_week.isoformat()})

    assert response.status_code == 303
    assert people.get(nadia)["status"] == "active"
    assert _orientation_of(people, nadia) == next_week
    auth.logout()
    auth.login("nadia@example.org")
    home = text_of(client.get("/"))
    assert "Welcome Nadia! See you on Tuesday at the centre." in home
    assert "Sandrine, for the coordinators" in home


def test_a_past_welcome_meeting_can_be_recorded_after_the_fact(client, people, sandrine):
    nadia = people.applicant("Nadia Haddad")
    response = client.post(f"/coordination/members/{nadia.id}/decide",
                           data={"approve": "y", "orientation_on": "2026-01-15"})
    assert response.status_code == 303
    assert str(_orientation_of(people, nadia)) == "2026-01-15"


def test_a_refused_approval_shows_the_error_by_the_date_and_keeps_the_message(client, people, sandrine):
    people.applicant("Aïcha Benali", email="aicha@example.org")
    nadia = people.applicant("Nadia Haddad")

    response = client.post(f"/coordination/members/{nadia.id}/decide", data={
        "approve": "y", "message": "Bienvenue, à mardi !", "orientation_on": "2099-01-01"})

    assert response.status_code == 400
    card = _card_of(response.get_data(as_text=True), "Nadia Haddad")
    assert "Bienvenue, à mardi !" in card
    assert 'value="2099-01-01"' in card
    date_field = card[card.index('for="orientation-'):]
    assert "Please choose a day within a year." in date_field[:date_field.index("<input")]
    assert "Please choose a day within a year." not in _card_of(response.get_data(as_text=True), "Aïcha Benali")
    assert people.get(nadia)["status"] == "pending"
    assert people.outbox() == []


def test_a_mistyped_date_is_shown_next_to_the_date_and_the_message_kept(client, people, sandrine):
    nadia = people.applicant("Nadia Haddad")
    response = client.post(f"/coordination/members/{nadia.id}/decide", data={
        "approve": "y", "message": "Bienvenue", "orientation_on": "mardi"})
    assert response.status_code == 422
    card = _card_of(response.get_data(as_text=True), "Nadia Haddad")
    assert "Bienvenue" in card and 'aria-invalid="true"' in card
    assert people.get(nadia)["status"] == "pending"


def test_declining_needs_a_reason_written_next_to_the_message(client, people, sandrine):
    tariq = people.applicant("Tariq Haddad", email="tariq@example.org")

    response = client.post(f"/coordination/members/{tariq.id}/decide", data={"decline": "y", "message": "  "})

    assert response.status_code == 400
    card = _card_of(response.get_data(as_text=True), "Tariq Haddad")
    assert "Please write the reason: the applicant reads it in the e-mail." in card
    assert "<details class=\"confirm-step\" open>" in card  # the confirmation stays open with the error
    assert people.get(tariq)["status"] == "pending"
    assert people.outbox() == []


def test_declining_asks_for_confirmation_before_the_final_button(client, people, sandrine):
    people.applicant("Tariq Haddad", email="tariq@example.org")
    card = _card_of(client.get("/coordination/").get_data(as_text=True), "Tariq Haddad")
    summary = card.index("<summary")
    assert summary < card.index('name="decline"')
    assert "with the reason you wrote above. Decline it?" in card
