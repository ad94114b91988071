"""Giving time tells the giver no more than she needs, and respects "verified only" services on every path."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.factories import account, category_id, member
from timebank.errors import NotAllowed
from timebank.exchanges.models import Exchange, GroupSession
from timebank.extensions import db
from timebank.ledger.models import Transfer
from timebank.ledger.verify import ledger_verify
from timebank.members.models import Member
from timebank.timeutil import utcnow


@pytest.fixture
def cast(people):
    return people.member("Amina Diallo"), people.member("Karim Benali")


def _transfers(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Transfer))


def _give(client, to, hours, *, confirm=True, category=""):
    return client.post("/give", data={"to": str(to.id), "hours": str(hours), "minutes": "0", "memo": "Merci",
                                      "key": f"k-{to.id}-{hours}-{category}", "category": category,
                                      **({"confirm": "yes"} if confirm else {})})


def test_a_gift_too_large_for_the_receiver_does_not_reveal_her_balance(app, client, cast):
    amina, karim = cast
    with app.app_context():
        account(karim).ceiling = 180  # Karim may hold 3 h at most…
        account(karim).posted, account(amina).posted = 60, -60  # …and holds 1 h already
        db.session.commit()
    login(client, amina)
    for confirm in (False, True):
        refused = _give(client, karim, 3, confirm=confirm)
        page = text_of(refused)
        assert refused.status_code == 409
        assert "Karim Benali cannot receive this many hours just now" in page
        assert "2 h" not in page and "3 h" not in page  # neither his room nor his ceiling
    assert _transfers(app) == 0
    assert _give(client, karim, 2).status_code == 303


def test_an_exchange_too_large_for_the_provider_does_not_reveal_her_balance(app, client, cast):
    amina, karim = cast
    with app.app_context():
        account(karim).ceiling = 180
        db.session.commit()
    login(client, karim)
    proposal = client.post(f"/exchanges/new?member={amina.id}", data={
        "role": "provide", "title": "Traduction", "hours": "4", "minutes": "0",
        "on_date": utcnow().date().isoformat()})
    eid = int(re.search(r"/exchanges/(\d+)", proposal.headers["Location"]).group(1))
    login(client, amina)
    refused = client.post(f"/exchanges/{eid}/accept")
    assert refused.status_code == 409
    assert "Karim Benali cannot receive this many hours just now" in text_of(refused)
    assert "3 h" not in text_of(refused)


def test_a_gift_for_childcare_needs_a_verified_provider(app, client, people, cast):
    amina, karim = cast
    with app.app_context():
        childcare = str(category_id("childcare"))
        db.session.get(Member, amina.id).verified_at = utcnow()
        db.session.commit()
    login(client, amina)
    for confirm in (False, True):
        refused = _give(client, karim, 1, confirm=confirm, category=childcare)
        assert refused.status_code == 403, confirm
        assert "This service needs a provider verified by a coordinator." in text_of(refused)
    assert _transfers(app) == 0
    login(client, karim)
    assert _give(client, amina, 1, category=childcare).status_code == 303  # Amina is verified
    with app.app_context():
        assert account(amina).posted == 60 and ledger_verify().ok


def test_a_coordinators_record_and_a_group_session_in_childcare_need_a_verified_provider(app, people, cast):
    from timebank.exchanges.groups import group_create
    from timebank.exchanges.past import exchange_record_brokered

    amina, karim = cast
    sandrine = people.coordinator("Sandrine Martin")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        db.session.get(Member, amina.id).brokered = True
        db.session.commit()
        with pytest.raises(NotAllowed, match="verified by a coordinator"):
            exchange_record_brokered(coordinator=member(sandrine), provider=member(karim), recipient=member(amina),
                                     minutes=60, title="Garde", category_id=category_id("childcare"))
        with pytest.raises(NotAllowed, match="verified by a coordinator"):
            group_create(provider=member(karim), title="Garde collective", description="",
                         on_date=utcnow().date() + timedelta(days=3), at_time=None, share_minutes=60,
                         max_participants=4, category_id=category_id("childcare"))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Exchange)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupSession)) == 0
        assert account(karim).posted == 0
