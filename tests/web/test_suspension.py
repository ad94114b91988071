"""Suspending a member settles what she leaves behind: nobody's hours stay locked on her account's behalf."""
import re
from datetime import timedelta

import pytest

from tests.conftest import login, text_of
from tests.factories import account
from timebank.exchanges.models import GroupSession
from timebank.extensions import db
from timebank.ledger.verify import ledger_verify
from timebank.timeutil import utcnow


@pytest.fixture
def workshop(app, client, people):
    """Fatou announces a sewing workshop next week; Amina (English) and Karim (French) join it."""
    fatou = people.member("Fatou Ndiaye")
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali", locale="fr")
    login(client, fatou)
    response = client.post("/groups/new", data={
        "title": "Atelier couture", "on_date": (utcnow().date() + timedelta(days=7)).isoformat(), "hours": "1",
        "minutes": "30", "max_participants": "5"})
    sid = int(re.search(r"/groups/(\d+)", response.headers["Location"]).group(1))
    for resident in (amina, karim):
        login(client, resident)
        client.post(f"/groups/{sid}/join")
    with app.app_context():
        assert account(amina).pending_debits == account(karim).pending_debits == 90
    return sid, fatou, amina, karim


def test_suspending_an_organiser_cancels_her_sessions_and_releases_every_share(app, client, people, workshop):
    sid, fatou, amina, karim = workshop
    sandrine = people.coordinator("Sandrine Martin")
    login(client, sandrine)
    assert client.post(f"/coordination/members/{fatou.id}/status",
                       data={"status-reason": "Plaintes répétées", "status-suspend": "y"}).status_code == 303

    with app.app_context():
        assert account(amina).pending_debits == account(karim).pending_debits == 0
        assert account(fatou).pending_credits == 0
        assert db.session.get(GroupSession, sid).state.value == "cancelled"
        assert ledger_verify().ok
    login(client, amina)
    coming_up, mine = text_of(client.get("/groups")).split("My group sessions")
    assert "Atelier couture" not in coming_up  # no longer announced
    assert "Atelier couture" in mine and "Cancelled" in mine
    assert ("The group session Atelier couture is cancelled: its organiser can no longer lead it. Your hours are "
            "released.") in text_of(client.get("/notifications"))
    assert "You have 0 h" in text_of(client.get("/me/hours"))
    (mail,) = [m for m in people.outbox(to=amina.email) if "Atelier couture" in m.subject and "Cancel" in m.subject]
    assert "its organiser can no longer lead it" in mail.body
    (french,) = [m for m in people.outbox(to=karim.email) if m.subject == "Séance annulée : Atelier couture"]
    assert french.locale == "fr"
    login(client, sandrine)
    assert "suspended Fatou Ndiaye" in text_of(client.get("/coordination/audit"))


def test_a_completed_session_stays_completed_when_its_organiser_is_suspended(app, client, people):
    fatou, amina = people.member("Fatou Ndiaye"), people.member("Amina Diallo")
    login(client, fatou)
    response = client.post("/groups/new", data={
        "title": "Atelier cuisine", "on_date": utcnow().date().isoformat(), "hours": "1", "minutes": "0",
        "max_participants": "5"})
    sid = int(re.search(r"/groups/(\d+)", response.headers["Location"]).group(1))
    login(client, amina)
    client.post(f"/groups/{sid}/join")
    login(client, fatou)
    client.post(f"/groups/{sid}/complete")
    login(client, people.coordinator("Sandrine Martin"))
    client.post(f"/coordination/members/{fatou.id}/status", data={"status-reason": "x", "status-suspend": "y"})
    with app.app_context():
        assert db.session.get(GroupSession, sid).state.value == "completed"
        assert account(amina).posted == -60 and account(fatou).posted == 60
        assert ledger_verify().ok


def test_a_service_already_done_is_paid_when_the_member_who_received_it_is_suspended(app, client, people):
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    login(client, amina)
    proposal = client.post(f"/exchanges/new?member={karim.id}", data={
        "role": "provide", "title": "Traduction CAF", "hours": "2", "minutes": "0",
        "on_date": utcnow().date().isoformat()})
    eid = int(re.search(r"/exchanges/(\d+)", proposal.headers["Location"]).group(1))
    login(client, karim)
    client.post(f"/exchanges/{eid}/accept")
    login(client, amina)
    assert client.post(f"/exchanges/{eid}/done", data={"hours": "2", "minutes": "0"}).status_code == 303

    login(client, people.coordinator("Sandrine Martin"))
    client.post(f"/coordination/members/{karim.id}/status", data={"status-reason": "Plainte", "status-suspend": "y"})

    with app.app_context():
        assert account(amina).posted == 120 and account(karim).posted == -120
        assert account(karim).pending_debits == 0
        assert ledger_verify().ok
    login(client, amina)
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Sandrine Martin, coordinator, settled it as a membership is suspended: 2 h moved." in page
    assert "Something went wrong?" in page  # she may still disagree
    assert "Traduction CAF is settled by a coordinator" in text_of(client.get("/notifications"))
