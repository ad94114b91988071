"""Acting for a member: a coordinator for Hawa, who has no phone, and Marie, the trusted helper Hawa chose."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.verify import ledger_verify
from timebank.members.models import Member
from timebank.timeutil import utcnow



@pytest.fixture
def cast(people):
    return (people.coordinator("Sandrine Martin"), people.member("Hawa Coulibaly", email=None),
            people.member("Jean Martin"), people.member("Marie Dupont"))


def propose(client, provider, recipient_id, title="Conduire Hawa à l'hôpital", hours="2"):
    """``provider`` proposes to help; returns the exchange id."""
    login(client, provider)
    on = (utcnow().date()).isoformat()
    response = client.post(f"/exchanges/new?member={recipient_id}", data={
        "title": title, "role": "provide", "hours": hours, "minutes": "0", "on_date": on})
    assert response.status_code == 303, text_of(response)
    return int(re.search(r"/exchanges/(\d+)", response.headers["Location"]).group(1))


def brokered(client, sandrine, hawa):
    login(client, sandrine)
    client.post(f"/coordination/members/{hawa.id}/brokered",
                data={"broker-reason": "Demandé au local le 26/11", "broker-enable": "y"})


def test_a_brokered_exchange_from_proposal_to_confirmation(app, client, people, cast):
    sandrine, hawa, jean, marie = cast
    eid = propose(client, jean, hawa.id)
    login(client, sandrine)
    refused = client.post(f"/exchanges/{eid}/accept?for={hawa.id}")
    assert refused.status_code == 404  # Hawa has not asked the coordinators yet: not theirs to see
    login(client, jean)
    assert "Proposed" in text_of(client.get(f"/exchanges/{eid}"))
    login(client, sandrine)

    brokered(client, sandrine, hawa)
    page = text_of(client.get(f"/acting/{hawa.id}"))
    assert "Acting for Hawa Coulibaly" in page and "Conduire Hawa à l'hôpital" in page
    accepted = client.post(f"/exchanges/{eid}/accept?for={hawa.id}")
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith(f"/exchanges/{eid}?for={hawa.id}")
    login(client, jean)
    client.post(f"/exchanges/{eid}/done", data={"hours": "2", "minutes": "0"})
    login(client, sandrine)
    assert client.post(f"/exchanges/{eid}/confirm?for={hawa.id}").status_code == 303

    with app.app_context():
        assert ledger.account_of(db.session.get(Member, hawa.id)).posted == -120
        assert ledger.account_of(db.session.get(Member, jean.id)).posted == 120
        assert ledger_verify().ok
    timeline = text_of(client.get(f"/exchanges/{eid}"))
    assert ("Hawa Coulibaly accepted. The hours are reserved. Done by Sandrine Martin, coordinator, on behalf of "
            "Hawa Coulibaly.") in timeline
    assert ("Hawa Coulibaly confirmed. The hours have moved. Done by Sandrine Martin, coordinator, on behalf of "
            "Hawa Coulibaly.") in timeline
    log = text_of(client.get("/coordination/audit?action=acted_for_member"))
    assert log.count("Sandrine Martin acted for Hawa Coulibaly") == 2
    login(client, jean)
    assert "You received from Hawa Coulibaly Conduire Hawa à l'hôpital Recorded by Sandrine Martin +2 h" \
        in text_of(client.get("/me/hours"))
    login(client, hawa)
    assert "You gave to Jean Martin Conduire Hawa à l'hôpital Recorded by Sandrine Martin −2 h" \
        in text_of(client.get("/me/hours")).replace("-2 h", "−2 h")
    notices = text_of(client.get("/notifications"))
    assert "Sandrine Martin accepted for you: Conduire Hawa à l'hôpital" in notices
    assert "Sandrine Martin confirmed for you" in notices
    assert "Something went wrong?" in text_of(client.get(f"/exchanges/{eid}"))  # Hawa can still dispute


def test_nobody_acts_for_a_member_who_did_not_ask_nor_for_the_other_side(app, client, people, cast):
    sandrine, hawa, jean, marie = cast
    eid = propose(client, jean, hawa.id)
    login(client, marie)
    assert client.post(f"/exchanges/{eid}/accept?for={hawa.id}").status_code in (403, 404)
    assert client.get(f"/acting/{hawa.id}").status_code == 403
    assert client.get(f"/exchanges/{eid}").status_code == 404
    brokered(client, sandrine, hawa)
    # A coordinator who takes part cannot answer for the other side.
    claire = people.coordinator("Claire Dubois")
    own = propose(client, claire, hawa.id, title="Lecture du courrier", hours="1")
    login(client, claire)
    response = client.post(f"/exchanges/{own}/accept?for={hawa.id}")
    assert response.status_code == 403
    assert "cannot also act for the other person" in text_of(response)
    # for= must name a party of the exchange.
    login(client, sandrine)
    assert client.post(f"/exchanges/{eid}/accept?for={marie.id}").status_code == 404
    assert client.post(f"/exchanges/{eid}/accept?for=abc").status_code == 404
    # Messages and disagreements are the member's own.
    assert client.post(f"/exchanges/{eid}/messages?for={hawa.id}", data={"body": "Bonjour"}).status_code == 403
    login(client, jean)
    assert "Bonjour" not in text_of(client.get(f"/exchanges/{eid}"))
    with app.app_context():
        assert ledger.account_of(db.session.get(Member, hawa.id)).pending_debits == 0


def test_a_member_names_a_trusted_helper_who_acts_from_her_own_account(app, client, people, cast):
    sandrine, hawa, jean, marie = cast
    amina = people.member("Amina Diallo")
    login(client, amina)
    assert client.post("/me/helper", data={"number": "999999", "name": "y"}).status_code == 404
    assert client.post("/me/helper", data={"number": str(amina.number), "name": "y"}).status_code == 400
    response = client.post("/me/helper", data={"number": str(marie.number), "name": "y"})
    assert response.status_code == 303
    assert "Marie Dupont (member number" in text_of(client.get("/me/helper"))

    eid = propose(client, jean, amina.id, title="Réparer la poussette", hours="1")
    login(client, marie)
    assert "Manage the account of Amina Diallo" in text_of(client.get("/"))
    assert "Réparer la poussette" in text_of(client.get(f"/acting/{amina.id}"))
    assert client.post(f"/exchanges/{eid}/accept?for={amina.id}").status_code == 303
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Done by Marie Dupont, trusted helper, on behalf of Amina Diallo." in page
    login(client, sandrine)
    assert "Nothing yet" in text_of(client.get("/coordination/audit?action=acted_for_member"))  # not a coordinator
    login(client, amina)
    assert "Marie Dupont accepted for you: Réparer la poussette" in text_of(client.get("/notifications"))
    assert any("Marie Dupont accepted for you" in mail.body for mail in people.outbox(to=amina.email))

    client.post("/me/helper", data={"remove": "y"})
    login(client, marie)
    assert client.get(f"/acting/{amina.id}").status_code == 403
    assert client.post(f"/exchanges/{eid}/cancel?for={amina.id}", data={"reason": "x"}).status_code in (403, 404)
    with app.app_context():
        from timebank.exchanges.models import Exchange, ExchangeState

        assert db.session.get(Exchange, eid).state is ExchangeState.AGREED
    assert "You no longer manage the account of Amina Diallo." in text_of(client.get("/notifications"))


def test_a_coordinator_names_a_helper_with_a_reason_in_the_audit_log(app, client, people, cast):
    sandrine, hawa, jean, marie = cast
    login(client, sandrine)
    missing = client.post(f"/coordination/members/{hawa.id}/helper",
                          data={"helper-number": str(marie.number), "helper-name": "y"})
    assert missing.status_code == 422 and "Please write the reason." in text_of(missing)
    client.post(f"/coordination/members/{hawa.id}/helper", data={
        "helper-number": str(marie.number), "helper-reason": "Hawa l'a demandé au local", "helper-name": "y"})
    assert "Trusted helper: Marie Dupont" in text_of(client.get(f"/coordination/members/{hawa.id}"))
    assert "named a trusted helper for Hawa Coulibaly" in text_of(client.get("/coordination/audit"))
    login(client, jean)
    assert client.post(f"/coordination/members/{hawa.id}/helper", data={
        "helper-number": str(jean.number), "helper-reason": "x", "helper-name": "y"}).status_code == 403
    with app.app_context():
        assert db.session.get(Member, hawa.id).helper_id == marie.id
