"""Exchanges through the pages: what each person sees and may do, and what is refused."""
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
SOON = utcnow().date() + timedelta(days=40)  # within the months an exchange may be planned ahead


@pytest.fixture
def neighbours(app, people):
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    listing_id = publish(app, amina, "Aide pour les papiers de la CAF", category="paperwork")
    return amina, karim, listing_id



def exchange_id(response):
    return int(re.search(r"/exchanges/(\d+)", response.headers["Location"]).group(1))


def posted(app, resident):
    with app.app_context():
        return ledger.account_of(db.session.get(Member, resident.id)).posted


def test_karim_asks_amina_from_her_offer_and_the_hours_move(app, client, people, neighbours):
    amina, karim, listing_id = neighbours
    login(client, karim)
    page = text_of(client.get(f"/listings/{listing_id}"))
    assert "Ask Amina for this" in page
    form = client.get(f"/exchanges/new?listing={listing_id}").get_data(as_text=True)
    assert re.search(r'<input checked [^>]*value="receive">', form)  # answering an offer: she does it

    response = client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "receive", "title": "Aide pour les papiers de la CAF", "hours": "2", "minutes": "0",
        "on_date": TODAY, "message": "Bonjour Amina, mercredi ?"})
    eid = exchange_id(response)
    assert "Waiting for the answer of Amina Diallo." in text_of(client.get(f"/exchanges/{eid}"))

    login(client, amina)
    assert "Waiting for you" in text_of(client.get("/"))
    assert "Messages 1" in text_of(client.get("/"))  # one unread message
    client.post(f"/exchanges/{eid}/accept")
    client.post(f"/exchanges/{eid}/done", data={"hours": "1", "minutes": "30"})

    login(client, karim)
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Amina Diallo says it took 1 h 30 min." in page
    client.post(f"/exchanges/{eid}/confirm")

    assert posted(app, karim) == -90 and posted(app, amina) == 90
    hours = text_of(client.get("/me/hours"))
    assert "You gave to Amina Diallo Aide pour les papiers de la CAF −1 h 30 min" in hours
    steps = text_of(client.get(f"/exchanges/{eid}"))
    for step in ("Karim Benali proposed 2 h.", "Amina Diallo accepted. The hours are reserved.",
                 "Amina Diallo marked it done: 1 h 30 min.", "Karim Benali confirmed. The hours have moved."):
        assert step in steps


def test_only_the_right_person_may_take_each_step(app, client, people, neighbours):
    amina, karim, listing_id = neighbours
    fatou = people.member("Fatou Ndiaye")
    login(client, karim)
    eid = exchange_id(client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "receive", "title": "CAF", "hours": "1", "minutes": "0", "on_date": TODAY}))

    assert client.post(f"/exchanges/{eid}/accept").status_code == 409  # his own proposal
    assert "It is the other person's turn to answer." in text_of(client.post(f"/exchanges/{eid}/accept"))
    login(client, fatou)
    assert client.get(f"/exchanges/{eid}").status_code == 404
    assert client.post(f"/exchanges/{eid}/accept").status_code == 404
    assert client.post(f"/exchanges/{eid}/messages", data={"body": "Hi"}).status_code == 404
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")
    assert client.post(f"/exchanges/{eid}/accept").status_code == 409  # twice
    assert client.post(f"/exchanges/{eid}/confirm").status_code == 403  # not hers to confirm
    assert posted(app, amina) == 0


@pytest.mark.parametrize(("changes", "message"), [
    ({"hours": "0", "minutes": "0"}, "Please give a duration of at least 15 min."),
    ({"hours": "30"}, "At most 24 h in one transfer."),
    ({"on_date": "2001-01-01"}, "The date is already past."),
    ({"on_date": "someday"}, "Not a valid date value."),
    ({"title": ""}, "Please say what the exchange is about."),
    ({"role": "both"}, "Not a valid choice."),
])
def test_a_bad_proposal_is_explained(app, client, neighbours, changes, message):
    amina, karim, listing_id = neighbours
    login(client, karim)
    data = {"role": "receive", "title": "CAF", "hours": "1", "minutes": "0", "on_date": TODAY, **changes}
    response = client.post(f"/exchanges/new?listing={listing_id}", data=data)
    assert 400 <= response.status_code < 500
    assert message in text_of(response)


def test_proposing_needs_a_real_counterpart(client, neighbours):
    amina, karim, listing_id = neighbours
    login(client, amina)
    assert client.get("/exchanges/new").status_code == 404
    assert client.get("/exchanges/new?member=99999").status_code == 404
    assert client.get(f"/exchanges/new?listing={listing_id}").status_code == 302  # her own listing
    assert client.get(f"/exchanges/new?member={karim.id}").status_code == 200


def test_cancelling_needs_a_reason_that_the_other_person_reads(app, client, people, neighbours):
    amina, karim, listing_id = neighbours
    login(client, karim)
    eid = exchange_id(client.post(f"/exchanges/new?member={amina.id}", data={
        "role": "receive", "title": "CAF", "hours": "1", "minutes": "0", "on_date": TODAY}))
    assert client.post(f"/exchanges/{eid}/cancel", data={"reason": ""}).status_code == 400
    client.post(f"/exchanges/{eid}/cancel", data={"reason": "Ma sœur m'aide finalement"})
    login(client, amina)
    assert "Karim Benali cancelled: Ma sœur m'aide finalement" in text_of(client.get(f"/exchanges/{eid}"))
    assert "History" in text_of(client.get("/exchanges"))


def test_auto_confirm_command(app, people, neighbours):
    result = app.test_cli_runner().invoke(args=["exchanges", "auto-confirm"])
    assert result.exit_code == 0
    assert "reminded of tomorrow: 0, reminded to confirm: 0, confirmed automatically: 0" in result.output


def test_a_disagreement_goes_to_the_coordinators_who_settle_it(app, client, people, neighbours):
    amina, karim, listing_id = neighbours
    sandrine = people.coordinator("Sandrine Martin")
    login(client, karim)
    eid = exchange_id(client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "receive", "title": "CAF", "hours": "2", "minutes": "0", "on_date": TODAY}))
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")
    client.post(f"/exchanges/{eid}/done", data={"hours": "2", "minutes": "0"})
    login(client, sandrine)
    assert client.get(f"/exchanges/{eid}").status_code == 404  # between neighbours: not the coordinators' business
    login(client, karim)
    assert client.post(f"/exchanges/{eid}/dispute", data={"reason": ""}).status_code == 400
    client.post(f"/exchanges/{eid}/dispute", data={"reason": "Nous avons fini au bout d'une heure."})
    assert client.post(f"/exchanges/{eid}/confirm").status_code == 409  # frozen
    assert client.post(f"/exchanges/{eid}/resolve", data={"resolution": "cancelled", "reason": "x"}).status_code == 403

    login(client, sandrine)
    queue = text_of(client.get("/coordination/"))
    assert "Disagreements 1" in queue and "Nous avons fini au bout d'une heure." in queue
    client.post(f"/exchanges/{eid}/messages", data={"body": "Amina, combien de temps êtes-vous restée ?"})
    response = client.post(f"/exchanges/{eid}/resolve", data={
        "resolution": "changed", "hours": "1", "minutes": "0", "reason": "Une heure, d'après vous deux."})
    assert response.status_code == 303
    again = client.post(f"/exchanges/{eid}/resolve", data={"resolution": "cancelled", "hours": "1", "minutes": "0",
                                                             "reason": "x"})
    assert again.status_code == 409

    assert posted(app, karim) == -60 and posted(app, amina) == 60
    assert "Disagreements 0" in text_of(client.get("/coordination/"))
    login(client, amina)
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Sandrine Martin settled the disagreement (1 h): Une heure, d'après vous deux." in page
    assert "Amina, combien de temps êtes-vous restée ?" in page
    assert any("Une heure, d'après vous deux." in mail.body for mail in people.outbox(to="amina@example.org"))


def test_giving_time_records_an_exchange_the_helper_can_dispute(app, client, people, neighbours):
    amina, karim, listing_id = neighbours
    login(client, karim)
    page = client.get("/give").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    with app.app_context():
        from tests.factories import category_id

        paperwork = category_id("paperwork")
    form = {"to": str(amina.id), "hours": "2", "minutes": "0", "memo": "Dossier CAF", "key": key,
            "category": str(paperwork), "confirm": "yes"}
    client.post("/give", data=form)
    client.post("/give", data=form)  # a second click: nothing more

    login(client, amina)
    notices = client.get("/notifications").get_data(as_text=True)
    eid = int(re.search(r'href="/exchanges/(\d+)"', notices).group(1))
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Karim Benali recorded 2 h received, and gave the hours." in page
    assert "Something went wrong?" in page
    with app.app_context():
        from timebank.exchanges.models import Exchange

        assert db.session.query(Exchange).count() == 1
        assert db.session.get(Exchange, eid).category_id == paperwork
    client.post(f"/exchanges/{eid}/dispute", data={"reason": "C'était 3 heures, pas 2."})
    sandrine = people.coordinator("Sandrine Martin")
    login(client, sandrine)
    client.post(f"/exchanges/{eid}/resolve", data={"resolution": "changed", "hours": "3", "minutes": "0",
                                                    "reason": "Trois heures, Karim est d'accord."})
    assert posted(app, amina) == 180 and posted(app, karim) == -180
    with app.app_context():
        from timebank.ledger.verify import ledger_verify

        assert ledger_verify().ok


def test_an_agreed_exchange_goes_into_the_calendar(app, client, people, neighbours):
    amina, karim, listing_id = neighbours
    login(client, karim)
    eid = exchange_id(client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "receive", "title": "Papiers CAF", "hours": "1", "minutes": "30", "on_date": SOON.isoformat(),
        "at_time": "14:00"}))
    assert client.get(f"/exchanges/{eid}.ics").status_code == 404  # not agreed yet
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")

    response = client.get(f"/exchanges/{eid}.ics")

    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert "SUMMARY:Papiers CAF · Karim Benali" in body
    assert f"DTSTART:{SOON:%Y%m%d}T140000" in body and f"DTEND:{SOON:%Y%m%d}T153000" in body
    login(client, people.member("Fatou Ndiaye"))
    assert client.get(f"/exchanges/{eid}.ics").status_code == 404


def test_sending_the_proposal_twice_makes_one_proposal(app, client, people, neighbours):
    amina, karim, listing_id = neighbours
    login(client, karim)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"',
                    client.get(f"/exchanges/new?listing={listing_id}").get_data(as_text=True)).group(1)
    data = {"role": "receive", "title": "CAF", "hours": "1", "minutes": "0", "on_date": TODAY, "key": key}
    first, second = (client.post(f"/exchanges/new?listing={listing_id}", data=data) for _ in range(2))
    assert exchange_id(first) == exchange_id(second)
    with app.app_context():
        from timebank.exchanges.models import Exchange

        assert db.session.query(Exchange).count() == 1
    assert len(people.outbox(to="amina@example.org")) == 1


def test_a_disputed_exchange_is_listed_apart(app, client, people, neighbours):
    amina, karim, listing_id = neighbours
    login(client, karim)
    eid = exchange_id(client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "receive", "title": "CAF", "hours": "1", "minutes": "0", "on_date": TODAY}))
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")
    client.post(f"/exchanges/{eid}/dispute", data={"reason": "Il n'est pas venu."})
    page = text_of(client.get("/exchanges"))
    assert "Disagreements 1" in page
