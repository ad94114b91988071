"""Taking back hours a helper has already spent: the coordinator is told what is possible, and offered it."""
from __future__ import annotations

import re

import pytest

from tests.conftest import audit_text, login, text_of
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.members.models import Member
from timebank.timeutil import utcnow

TODAY = utcnow().date().isoformat()


@pytest.fixture
def story(app, client, people):
    """Amina helped Karim 3 h, confirmed; then she gave 12 h to Fatou: she can give back only 1 h (floor −10 h).
    Karim says the help never happened and raises a disagreement."""
    from timebank.giving.services import give_time

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    fatou, sandrine = people.member("Fatou Ndiaye"), people.coordinator("Sandrine Martin")
    login(client, karim)
    eid = int(re.search(r"/exchanges/(\d+)", client.post(f"/exchanges/new?member={amina.id}", data={
        "role": "receive", "title": "Papiers de la CAF", "hours": "3", "minutes": "0",
        "on_date": TODAY}).headers["Location"]).group(1))
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")
    client.post(f"/exchanges/{eid}/done", data={"hours": "3", "minutes": "0"})
    login(client, karim)
    client.post(f"/exchanges/{eid}/confirm")
    with app.test_request_context():
        for n in range(2):
            give_time(giver=db.session.get(Member, amina.id), recipient=db.session.get(Member, fatou.id),
                      minutes=360, memo="Garde d'enfants", key=f"spent{n}")
    client.post(f"/exchanges/{eid}/dispute", data={"reason": "Amina n'est jamais venue."})
    login(client, sandrine)
    return amina, karim, fatou, sandrine, eid


def posted(app, resident) -> int:
    with app.app_context():
        return ledger.account_of(db.session.get(Member, resident.id)).posted


def community(app) -> int:
    with app.app_context():
        return ledger.community_account().posted


def donate(app, resident, minutes):
    from timebank.giving.services import give_time

    with app.test_request_context():
        give_time(giver=db.session.get(Member, resident.id), recipient=None, minutes=minutes, memo="", key="pot")


def verify_clean(app):
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output


CANCEL = {"resolution": "cancelled", "hours": "3", "minutes": "0", "reason": "Le service n'a pas eu lieu."}


def test_the_coordinator_is_told_what_can_be_taken_back_and_nothing_moves(app, client, story):
    amina, karim, fatou, sandrine, eid = story
    donate(app, fatou, 300)
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Amina Diallo has already used some of the 3 h: at most 1 h can be taken back now." in page
    assert "Take back only what the helper can give back now" in page
    assert "Take back all of it: the community account gives the rest" in page

    refused = client.post(f"/exchanges/{eid}/resolve", data=CANCEL)

    assert refused.status_code == 409
    assert ("Amina Diallo has already used some of these hours: at most 1 h can be taken back now "
            "(the account cannot go below −10 h). Choose below: take back 1 h only, or take back all 3 h with the community "
            "account giving the other 2 h.") in text_of(refused)
    assert posted(app, amina) == -540 and posted(app, karim) == -180
    assert "Disagreements 1" in text_of(client.get("/coordination/"))


def test_taking_back_only_what_the_helper_can_give_now(app, client, people, story):
    amina, karim, fatou, sandrine, eid = story

    response = client.post(f"/exchanges/{eid}/resolve", data={**CANCEL, "shortfall": "partial"})

    assert response.status_code == 303
    assert posted(app, amina) == -600 and posted(app, karim) == -120
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Sandrine Martin settled the disagreement (2 h): Le service n'a pas eu lieu." in page
    assert "1 h went back to Karim Benali: Amina Diallo could not give back more for now." in page
    assert "Disagreements 0" in text_of(client.get("/coordination/"))
    assert "resolved the disagreement about Exchange #" in audit_text(client, "dispute_resolved")
    for resident in (amina, karim):
        login(client, resident)
        assert ("Le service n'a pas eu lieu.. 1 h went back to Karim Benali now: Amina Diallo could not give back "
                "more for now.") in text_of(client.get("/notifications"))
    assert any("1 h went back to Karim Benali now" in mail.body for mail in people.outbox(to="karim@example.org"))
    verify_clean(app)


def test_taking_back_all_with_the_community_account_giving_the_rest(app, client, people, story):
    amina, karim, fatou, sandrine, eid = story
    donate(app, fatou, 300)

    response = client.post(f"/exchanges/{eid}/resolve", data={**CANCEL, "shortfall": "community"})

    assert response.status_code == 303
    assert posted(app, amina) == -600 and posted(app, karim) == 0 and community(app) == 180
    assert "Karim Benali got the hours back: 1 h from Amina Diallo and 2 h from the community account." \
        in text_of(client.get(f"/exchanges/{eid}"))
    entries = audit_text(client, "community_cover")
    assert "covered hours from the community account for" in entries and "Le service n'a pas eu lieu." in entries
    login(client, karim)
    hours = text_of(client.get("/me/hours"))
    assert "Correction, with the community account Le service n'a pas eu lieu. Recorded by Sandrine Martin +2 h" \
        in hours
    assert "1 h from Amina Diallo and 2 h from the community account" in text_of(client.get("/notifications"))
    login(client, amina)
    assert "1 h from Amina Diallo and 2 h from the community account" in text_of(client.get("/notifications"))
    verify_clean(app)


def test_when_the_community_account_cannot_give_the_rest_either(app, client, story):
    amina, karim, fatou, sandrine, eid = story
    donate(app, fatou, 60)

    refused = client.post(f"/exchanges/{eid}/resolve", data={**CANCEL, "shortfall": "community"})

    assert refused.status_code == 409
    assert "The community account cannot give the other 2 h: choose below to take back 1 h only." in text_of(refused)
    assert posted(app, amina) == -540 and posted(app, karim) == -180 and community(app) == 60
    verify_clean(app)
