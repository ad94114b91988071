"""Disagreements heard from both sides: the coordinator asks the other party for their version, reads both side by
side with the exchange's steps, and decides with one button per outcome."""
import re
from datetime import timedelta

import pytest

from tests.conftest import login, text_of
from tests.factories import publish
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.members.models import Member
from timebank.timeutil import utcnow

TODAY = utcnow().date().isoformat()


@pytest.fixture
def disputed(app, client, people):
    """Karim asked Amina for help with his CAF papers; Amina marked 2 h done; Karim says it was one hour."""
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    sandrine = people.coordinator("Sandrine Martin")
    listing_id = publish(app, amina, "Aide pour les papiers de la CAF", category="paperwork")
    login(client, karim)
    response = client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "receive", "title": "CAF", "hours": "2", "minutes": "0", "on_date": TODAY})
    eid = int(re.search(r"/exchanges/(\d+)", response.headers["Location"]).group(1))
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")
    client.post(f"/exchanges/{eid}/done", data={"hours": "2", "minutes": "0"})
    login(client, karim)
    client.post(f"/exchanges/{eid}/dispute", data={"reason": "Nous avons fini au bout d'une heure."})
    with app.app_context():
        from timebank.exchanges.models import Dispute

        dispute_id = db.session.query(Dispute).one().id
    return amina, karim, sandrine, eid, dispute_id


def posted(app, resident):
    with app.app_context():
        return ledger.account_of(db.session.get(Member, resident.id)).posted


def test_sandrine_asks_amina_for_her_version_and_reads_both_side_by_side(app, client, people, disputed):
    amina, karim, sandrine, eid, dispute_id = disputed
    login(client, sandrine)
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "What Karim Benali says Raised on" in page and "Nous avons fini au bout d'une heure." in page
    assert "What Amina Diallo says Not heard yet." in page
    assert "Ask Amina for their version" in page

    response = client.post(f"/coordination/disputes/{dispute_id}/ask", data={"ask": "y"})
    assert response.status_code == 303
    client.post(f"/coordination/disputes/{dispute_id}/ask", data={"ask": "y"})  # twice: told once
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Amina Diallo was asked for their version: you can decide once it arrives" in page
    assert "Settle with this duration" not in page  # no decision while she has her days to answer

    mails = [m for m in people.outbox(to="amina@example.org")
             if m.subject == "A coordinator asks for your version of a disagreement"]
    assert len(mails) == 1
    login(client, amina)
    notices = text_of(client.get("/notifications"))
    assert "Karim Benali raised a disagreement about CAF. A coordinator asks for your version" in notices
    assert "Give my version" in text_of(client.get(f"/exchanges/{eid}"))
    empty = client.post(f"/exchanges/{eid}/version", data={"version": "  "})
    assert empty.status_code == 422 and "not only spaces" in text_of(empty)
    missing = client.post(f"/exchanges/{eid}/version", data={})
    assert missing.status_code == 422 and "Please write what happened, in your own words." in text_of(missing)
    done = client.post(f"/exchanges/{eid}/version",
                       data={"version": "Je suis restée deux heures, avec le dossier de logement en plus."})
    assert done.status_code == 303

    login(client, sandrine)
    assert "Both sides heard." in text_of(client.get("/coordination/"))
    page = text_of(client.get(f"/exchanges/{eid}"))
    left = page.index("What Karim Benali says")
    right = page.index("What Amina Diallo says")
    assert left < right < page.index("Je suis restée deux heures, avec le dossier de logement en plus.")
    assert "Amina Diallo marked it done: 2 h." in page  # the exchange's steps on the same page
    assert "Settle with this duration" in page


def test_only_the_other_party_writes_the_version(app, client, people, disputed):
    amina, karim, sandrine, eid, dispute_id = disputed
    login(client, karim)
    assert client.get(f"/exchanges/{eid}/version").status_code == 403
    assert client.post(f"/exchanges/{eid}/version", data={"version": "moi"}).status_code == 403
    assert client.post(f"/coordination/disputes/{dispute_id}/ask", data={"ask": "y"}).status_code == 403
    login(client, people.member("Fatou Ndiaye"))
    assert client.get(f"/exchanges/{eid}/version").status_code == 404  # not hers: not even there


def test_after_the_set_days_the_coordinator_decides_without_the_version(app, client, people, disputed, monkeypatch):
    amina, karim, sandrine, eid, dispute_id = disputed
    login(client, sandrine)
    client.post(f"/coordination/disputes/{dispute_id}/ask", data={"ask": "y"})
    refused = client.post(f"/exchanges/{eid}/resolve", data={"resolution": "upheld", "reason": "Vu avec vous deux."})
    assert refused.status_code == 409 and "please wait for it" in text_of(refused)
    assert posted(app, amina) == 0

    later = utcnow() + timedelta(days=app.config["TIMEBANK_DISPUTE_VERSION_DAYS"], minutes=1)
    import timebank.exchanges.models

    monkeypatch.setattr(timebank.exchanges.models, "utcnow", lambda: later)
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Settle with this duration" in page
    response = client.post(f"/exchanges/{eid}/resolve", data={"resolution": "upheld", "reason": "Vu avec vous deux."})
    assert response.status_code == 303
    assert posted(app, amina) == 120 and posted(app, karim) == -120


def test_the_duration_is_asked_only_for_another_duration(app, client, people, disputed):
    amina, karim, sandrine, eid, dispute_id = disputed
    login(client, sandrine)
    html = client.get(f"/exchanges/{eid}").get_data(as_text=True)
    decision = html[html.index('class="decision"'):]
    folded = decision[decision.index("<details"):]
    assert 'name="hours"' not in decision[:decision.index("<details")]  # not beside "as agreed"
    assert folded.index("Another duration") < folded.index('name="hours"') < folded.index('value="changed"')
    assert 'name="resolution" value="upheld"' in decision and 'name="resolution" value="cancelled"' in decision

    refused = client.post(f"/exchanges/{eid}/resolve", data={"resolution": "changed", "hours": "", "minutes": "0",
                                                              "reason": "Une heure."})
    assert refused.status_code in (400, 422)
    assert posted(app, amina) == 0
    response = client.post(f"/exchanges/{eid}/resolve", data={"resolution": "changed", "hours": "1", "minutes": "30",
                                                               "reason": "Une heure et demie."})
    assert response.status_code == 303
    assert posted(app, amina) == 90
