"""Vetting and verification: who approved, the welcome meeting, what was checked, and a badge that lapses."""
from datetime import datetime, timedelta

import pytest

from tests.conftest import login, text_of
from tests.factories import publish
from timebank.coordination.vetting import verifications_check
from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow



@pytest.fixture
def clock(monkeypatch):
    """Move the clock of the modules that read the date."""
    import timebank.coordination.vetting
    import timebank.listings.services
    import timebank.members.models

    def move(to: datetime):
        for module in (timebank.members.models, timebank.listings.services, timebank.coordination.vetting):
            monkeypatch.setattr(module, "utcnow", lambda: to)
    return move


def test_approval_records_who_and_the_welcome_meeting(app, client, people):
    sandrine = people.coordinator("Sandrine Martin")
    nadia = people.applicant("Nadia Haddad")
    login(client, sandrine)
    too_far = (utcnow().date() + timedelta(days=400)).isoformat()
    refused = client.post(f"/coordination/members/{nadia.id}/decide",
                          data={"approve": "y", "orientation_on": too_far})
    assert refused.status_code == 400
    assert people.get(nadia)["status"] == "pending"

    client.post(f"/coordination/members/{nadia.id}/decide", data={"approve": "y", "orientation_on": "2026-11-20"})
    assert people.get(nadia)["status"] == "active"

    page = text_of(client.get(f"/coordination/members/{nadia.id}"))
    assert "Application decided" in page and "by Sandrine Martin" in page
    assert "Welcome meeting Nov 20, 2026" in page
    assert "approved the application of Nadia Haddad" in text_of(client.get("/coordination/audit"))


def test_verification_records_what_was_checked_and_lapses_after_its_end(app, client, people, clock):
    sandrine = people.coordinator("Sandrine Martin")
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    login(client, sandrine)
    empty = client.post(f"/coordination/members/{amina.id}/verify", data={"verify-verify": "y"})
    assert empty.status_code == 422 and "Please write what you checked." in text_of(empty)
    past = client.post(f"/coordination/members/{amina.id}/verify", data={
        "verify-checked": "ID seen", "verify-expires_on": utcnow().date().isoformat(), "verify-verify": "y"})
    assert past.status_code == 400 and "must be a day after today" in text_of(past)
    with app.app_context():
        assert db.session.get(Member, amina.id).verified_at is None

    ends = utcnow().date() + timedelta(days=30)
    client.post(f"/coordination/members/{amina.id}/verify", data={
        "verify-checked": "ID seen, two references called", "verify-expires_on": ends.isoformat(),
        "verify-verify": "y"})
    page = text_of(client.get(f"/coordination/members/{amina.id}"))
    assert "ID seen, two references called" in page and "by Sandrine Martin" in page
    publish(app, amina, "Garde le mercredi", category="childcare")
    login(client, karim)
    assert "Garde le mercredi" in text_of(client.get("/listings"))

    with app.test_request_context():
        assert verifications_check(now=datetime.combine(ends - timedelta(days=20), datetime.min.time())) == (0, 0)
        assert verifications_check(now=datetime.combine(ends - timedelta(days=10), datetime.min.time())) == (1, 0)
        assert verifications_check(now=datetime.combine(ends - timedelta(days=9), datetime.min.time())) == (0, 0)
    soon = [mail for mail in people.outbox(to=amina.email) if "ends soon" in mail.subject]
    assert len(soon) == 1 and "Your verification ends on" in soon[0].body

    # The day after its end, the badge lapses, even before the daily command writes it down.
    clock(datetime.combine(ends + timedelta(days=1), datetime.min.time()))
    assert "Garde le mercredi" not in text_of(client.get("/listings"))
    with app.test_request_context():
        assert verifications_check(now=datetime.combine(ends + timedelta(days=1), datetime.min.time())) == (0, 1)
        assert verifications_check(now=datetime.combine(ends + timedelta(days=1), datetime.min.time())) == (0, 0)
        member = db.session.get(Member, amina.id)
        assert member.verified_at is None and not member.is_verified
    login(client, amina)
    assert "Your verification has ended" in text_of(client.get("/notifications"))
    login(client, sandrine)
    page = text_of(client.get(f"/coordination/members/{amina.id}"))
    assert "Lapsed on" in page and "Not verified" in page
    assert "the verification of Amina Diallo ended" in text_of(client.get("/coordination/audit"))


def test_withdrawing_needs_a_reason_and_hides_sensitive_offers(app, client, people):
    sandrine = people.coordinator("Sandrine Martin")
    amina = people.member("Amina Diallo")
    login(client, sandrine)
    client.post(f"/coordination/members/{amina.id}/verify", data={"verify-checked": "ID", "verify-verify": "y"})
    publish(app, amina, "Garde le mercredi", category="childcare")
    no_reason = client.post(f"/coordination/members/{amina.id}/unverify", data={"unverify-unverify": "y"})
    assert no_reason.status_code == 422
    with app.app_context():
        assert db.session.get(Member, amina.id).is_verified  # nothing withdrawn without a reason

    client.post(f"/coordination/members/{amina.id}/unverify",
                data={"unverify-reason": "Plainte d'une famille", "unverify-unverify": "y"})
    page = text_of(client.get(f"/coordination/members/{amina.id}"))
    assert "Ended on" in page and "Plainte d'une famille" in page
    karim = people.member("Karim Benali")
    login(client, karim)
    assert "Garde le mercredi" not in text_of(client.get("/listings"))
    login(client, amina)
    assert "Your verification is withdrawn" in text_of(client.get("/notifications"))
