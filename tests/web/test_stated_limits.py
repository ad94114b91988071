"""Every "at most" a resident, a coordinator or an admin reads is exact: that amount goes through, one step more does not.

Karim starts at 0 h with the usual lower limit of −10 h; the step is 15 min and one transfer holds at most 24 h.
"""
import re

import pytest

from tests.conftest import login, text_of
from tests.factories import member
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.models import TransferKind
from timebank.members.models import Member
from timebank.timeutil import utcnow

TODAY = utcnow().date().isoformat()


@pytest.fixture
def amina(people):
    return people.member("Amina Diallo")


@pytest.fixture
def karim(people):
    return people.member("Karim Benali")


def hours(h, m=0):
    return {"hours": str(h), "minutes": str(m)}


def posted(app, resident):
    with app.app_context():
        return ledger.account_of(db.session.get(Member, resident.id)).posted


def set_floor(app, resident, floor):
    with app.app_context():
        ledger.account_of(db.session.get(Member, resident.id)).floor = floor
        db.session.commit()


def reserved_elsewhere(app, payer, payee, minutes):
    """Hours ``payer`` already agreed to pay for another exchange: they count against the floor."""
    with app.app_context():
        ledger.transfer_reserve(debit=ledger.account_of(member(payer)), credit=ledger.account_of(member(payee)),
                                minutes=minutes, kind=TransferKind.EXCHANGE, key=f"elsewhere-{payer.id}",
                                actor=member(payer))


def give(client, to, **amount):
    page = client.get("/give").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/give", data={"key": key, "to": to, "memo": "Courses", "confirm": "yes", **amount})


@pytest.mark.parametrize("to_community", [False, True], ids=["give", "donate"])
def test_the_giver_is_told_exactly_how_much_she_can_give(app, client, amina, karim, to_community):
    login(client, karim)
    to = "community" if to_community else str(amina.id)

    too_much = give(client, to, **hours(10, 15))
    stated = give(client, to, **hours(10))

    assert too_much.status_code == 409
    assert "You can give at most 10 h now: your account cannot go below −10 h." in text_of(too_much)
    assert stated.status_code == 303 and posted(app, karim) == -600


def test_beyond_one_transfer_the_giver_is_told_the_size_of_one_transfer(app, client, amina, karim):
    set_floor(app, karim, -100 * 60)
    login(client, karim)

    too_much = give(client, str(amina.id), **hours(24, 15))
    stated = give(client, str(amina.id), **hours(24))

    assert "At most 24 h in one transfer." in text_of(too_much)
    assert stated.status_code == 303 and posted(app, amina) == 24 * 60


def test_a_huge_gift_names_the_floor_when_the_floor_bites_first(app, client, amina, karim):
    login(client, karim)
    response = give(client, str(amina.id), **hours(100))
    page = text_of(response)
    assert "You can give at most 10 h now" in page and "24 h" not in page


def test_the_stated_amount_is_a_whole_number_of_steps(app, client, amina, karim):
    """An imported opening balance of 10 min leaves 10 h 10 min of room: a form can ask for 10 h, not 10 h 10."""
    with app.app_context():
        ledger.transfer_post(debit=ledger.system_account(), credit=ledger.account_of(member(karim)), minutes=10,
                             kind=TransferKind.OPENING, key="opening-karim", actor=None)
    login(client, karim)

    too_much = give(client, str(amina.id), **hours(10, 15))
    stated = give(client, str(amina.id), **hours(10))

    assert "You can give at most 10 h now" in text_of(too_much)
    assert stated.status_code == 303


@pytest.mark.parametrize("step", ["propose", "counter"])
def test_a_proposal_or_a_counter_offer_is_told_the_size_of_one_transfer(app, client, amina, karim, step):
    login(client, karim)
    base = {"role": "receive", "title": "Cours de français", "on_date": TODAY}
    if step == "propose":
        too_much = client.post(f"/exchanges/new?member={amina.id}", data={**base, **hours(24, 15)})
        stated = client.post(f"/exchanges/new?member={amina.id}", data={**base, **hours(24)})
    else:
        first = client.post(f"/exchanges/new?member={amina.id}", data={**base, **hours(2)})
        eid = int(re.search(r"/exchanges/(\d+)", first.headers["Location"]).group(1))
        login(client, amina)
        too_much = client.post(f"/exchanges/{eid}/counter", data={"on_date": TODAY, **hours(24, 15)})
        stated = client.post(f"/exchanges/{eid}/counter", data={"on_date": TODAY, **hours(24)})

    assert "At most 24 h in one transfer." in text_of(too_much)
    assert stated.status_code == 303


def test_accepting_counts_the_hours_already_reserved_and_states_what_can_be_accepted(app, client, people, amina,
                                                                                    karim):
    fatou = people.member("Fatou Ndiaye")
    reserved_elsewhere(app, karim, fatou, 60)  # 9 h left before −10 h
    login(client, amina)
    offer = client.post(f"/exchanges/new?member={karim.id}", data={
        "role": "provide", "title": "Cours de français", "on_date": TODAY, **hours(9, 15)})
    eid = int(re.search(r"/exchanges/(\d+)", offer.headers["Location"]).group(1))
    login(client, karim)

    too_much = client.post(f"/exchanges/{eid}/accept")
    client.post(f"/exchanges/{eid}/counter", data={"on_date": TODAY, **hours(9)})
    login(client, amina)
    stated = client.post(f"/exchanges/{eid}/accept")

    assert too_much.status_code == 409
    assert "You can give at most 9 h now: your account cannot go below −10 h." in text_of(too_much)
    assert stated.status_code == 303
    with app.app_context():
        assert ledger.balance_of(ledger.account_of(member(karim))).reserved_to_pay == 60 + 9 * 60


def _done_exchange(client, provider, recipient, *, reserved, done):
    """``provider`` helps ``recipient``: ``reserved`` agreed, ``done`` marked done; returns the exchange id."""
    login(client, recipient)
    response = client.post(f"/exchanges/new?member={provider.id}", data={
        "role": "receive", "title": "Déménagement", "on_date": TODAY, **hours(0, 0), **reserved})
    eid = int(re.search(r"/exchanges/(\d+)", response.headers["Location"]).group(1))
    login(client, provider)
    assert client.post(f"/exchanges/{eid}/accept").status_code == 303
    assert client.post(f"/exchanges/{eid}/done", data=done).status_code == 303
    login(client, recipient)
    return eid


@pytest.mark.parametrize(("done", "goes_through"), [(hours(10, 15), False), (hours(10), True)])
def test_confirming_a_longer_service_counts_the_hours_reserved_for_it(app, client, amina, karim, done,
                                                                      goes_through):
    """1 h reserved, 10 h 15 done: Karim may pay 10 h in all (the 1 h reserved is part of it), not 9 h."""
    eid = _done_exchange(client, amina, karim, reserved=hours(1), done=done)

    response = client.post(f"/exchanges/{eid}/confirm")

    if goes_through:
        assert response.status_code == 303 and posted(app, karim) == -600
    else:
        assert response.status_code == 409
        assert ("You can pay at most 10 h for this exchange now: your account cannot go below −10 h. Raise a "
                "disagreement and a coordinator will settle the duration." in text_of(response))
        assert posted(app, karim) == 0


def test_confirming_a_longer_service_does_not_tell_the_payer_the_helpers_balance(app, client, amina, karim):
    """Amina may hold 3 h at most; 1 h was reserved and she marked 5 h done: Karim learns it is too much, not her room."""
    with app.app_context():
        ledger.account_of(db.session.get(Member, amina.id)).ceiling = 180
        db.session.commit()
    eid = _done_exchange(client, amina, karim, reserved=hours(1), done=hours(5))

    response = client.post(f"/exchanges/{eid}/confirm")

    page = text_of(response)
    assert response.status_code == 409
    assert "Amina Diallo cannot receive this many hours just now: their account is close to its upper limit." in page
    assert "at most" not in page and "3 h" not in page
    assert posted(app, karim) == 0


def test_a_coordinator_settling_a_longer_service_is_told_the_most_the_payer_can_pay(app, client, people, amina,
                                                                                    karim):
    sandrine = people.coordinator("Sandrine Martin")
    eid = _done_exchange(client, amina, karim, reserved=hours(1), done=hours(1))
    client.post(f"/exchanges/{eid}/dispute", data={"reason": "C'était plus long, on en parle."})
    login(client, sandrine)

    too_much = client.post(f"/exchanges/{eid}/resolve", data={"resolution": "changed", "reason": "Accord",
                                                             **hours(10, 15)})
    stated = client.post(f"/exchanges/{eid}/resolve", data={"resolution": "changed", "reason": "Accord",
                                                           **hours(10)})

    assert ("Karim Benali can pay at most 10 h for this exchange now: their account cannot go below −10 h."
            in text_of(too_much))
    assert stated.status_code == 303 and posted(app, karim) == -600


def test_a_coordinator_recording_for_a_member_is_told_exactly_what_the_member_can_pay(app, client, people,
                                                                                      amina):
    sandrine = people.coordinator("Sandrine Martin")
    hawa = people.member("Hawa Coulibaly", email=None)
    login(client, sandrine)
    client.post(f"/coordination/members/{hawa.id}/brokered",
                data={"broker-reason": "Demandé au local", "broker-enable": "y"})
    record = {"provider": str(amina.id), "title": "Courses au marché"}

    too_much = client.post(f"/coordination/members/{hawa.id}/record", data={**record, **hours(10, 15)})
    stated = client.post(f"/coordination/members/{hawa.id}/record", data={**record, **hours(10)})

    assert "Hawa Coulibaly can give at most 10 h now: the account cannot go below −10 h." in text_of(too_much)
    assert stated.status_code == 303 and posted(app, hawa) == -600


def test_joining_a_group_session_states_the_largest_share_one_can_join(app, client, amina, karim):
    login(client, amina)
    sessions = []
    for share in (hours(10, 15), hours(10)):
        response = client.post("/groups/new", data={"title": "Atelier couture", "on_date": TODAY,
                                                     "max_participants": "5", **share})
        sessions.append(int(re.search(r"/groups/(\d+)", response.headers["Location"]).group(1)))
    login(client, karim)

    too_much = client.post(f"/groups/{sessions[0]}/join")
    stated = client.post(f"/groups/{sessions[1]}/join")

    assert "You can give at most 10 h now: your account cannot go below −10 h." in text_of(too_much)
    assert stated.status_code == 303


@pytest.mark.parametrize(("language", "refusal"), [
    ("en", "The community account can give at most 1 h 30 min now: it cannot go below 0 h."),
    ("fr", "Pour le moment, le pot commun peut donner au maximum 1 h 30 : il ne peut pas descendre sous 0 h."),
])
def test_an_admin_granting_from_the_community_account_is_told_what_it_holds(app, client, people, karim,
                                                                           language, refusal):
    claire = people.admin("Claire Dubois")
    nadia = people.member("Nadia Haddad")
    with app.test_request_context():
        from timebank.giving.services import give_time

        give_time(giver=member(karim), recipient=None, minutes=90, memo="", key="don")
    login(client, claire)
    client.get(f"/?lang={language}")

    def grant(**amount):
        page = client.get("/admin/").get_data(as_text=True)
        key = re.search(r'name="grant-key" type="hidden" value="([^"]+)"', page).group(1)
        data = {"key": key, "member": str(nadia.id), "reason": "Aide après l'incendie", **amount}
        return client.post("/admin/community-grant", data={f"grant-{k}": v for k, v in data.items()})

    too_much = grant(**hours(1, 45))
    stated = grant(**hours(1, 30))

    assert too_much.status_code == 409
    assert refusal in text_of(too_much)
    assert stated.status_code == 303 and posted(app, nadia) == 90


def test_a_coordinator_raising_a_completed_exchange_is_told_the_most_it_can_cost_in_all(app, client, people, amina,
                                                                                       karim):
    sandrine = people.coordinator("Sandrine Martin")
    eid = _done_exchange(client, amina, karim, reserved=hours(1), done=hours(1))
    assert client.post(f"/exchanges/{eid}/confirm").status_code == 303  # Karim paid 1 h: 9 h left before −10 h
    login(client, amina)
    client.post(f"/exchanges/{eid}/dispute", data={"reason": "C'était bien plus long."})
    login(client, sandrine)

    too_much = client.post(f"/exchanges/{eid}/resolve", data={"resolution": "changed", "reason": "Accord",
                                                             **hours(10, 15)})
    stated = client.post(f"/exchanges/{eid}/resolve", data={"resolution": "changed", "reason": "Accord",
                                                           **hours(10)})

    assert ("Karim Benali can pay at most 10 h for this exchange now: their account cannot go below −10 h."
            in text_of(too_much))
    assert stated.status_code == 303 and posted(app, karim) == -600
