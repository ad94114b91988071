"""Karim gives Amina time from his phone; both see it in their hours, notices and e-mails."""
import re

import pytest

from tests.conftest import text_of
from tests.factories import account
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.models import TransferKind
from timebank.members.models import Member, Status


@pytest.fixture
def karim(people, auth):
    karim = people.member("Karim Benali")
    auth.login("karim@example.org")
    return karim


@pytest.fixture
def amina(people):
    return people.member("Amina Diallo")


def give_form(client, **fields):
    page = client.get("/give").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    return {"key": key, "hours": "1", "minutes": "30", "memo": "Help with the CAF form", **fields}


def balance(app, resident):
    with app.app_context():
        return ledger.balance_of(ledger.account_of(db.session.get(Member, resident.id))).posted


def test_karim_gives_amina_one_hour_thirty(app, client, people, karim, amina):
    form = give_form(client, to=str(amina.id))

    confirm = client.post("/give", data=form)

    assert confirm.status_code == 200
    page = text_of(confirm)
    assert "You give 1 h 30 min to Amina Diallo." in page
    assert "Your balance after: −1 h 30 min" in page
    assert balance(app, amina) == 0  # nothing moves before confirming

    done = client.post("/give", data={**form, "confirm": "yes"})

    assert done.status_code == 303
    hours = text_of(client.get("/me/hours"))
    assert "You gave 1 h 30 min to Amina Diallo." in hours
    assert "You have −1 h 30 min" in hours
    assert "You gave to Amina Diallo Help with the CAF form −1 h 30 min" in hours
    assert balance(app, amina) == 90
    [mail] = people.outbox(to="amina@example.org")
    assert mail.subject == "Karim Benali gave you 1 h 30 min"
    assert "For: Help with the CAF form" in mail.body


def test_amina_sees_the_notice(app, client, people, karim, amina, auth):
    form = give_form(client, to=str(amina.id))
    client.post("/give", data={**form, "confirm": "yes"})
    auth.logout()
    auth.login("amina@example.org")

    home = text_of(client.get("/"))
    notices = text_of(client.get("/notifications"))

    assert "Notifications 1" in home
    assert "Karim Benali gave you 1 h 30 min. For: Help with the CAF form" in notices
    assert "Notifications 1" not in text_of(client.get("/"))  # read now


def test_a_replayed_form_pays_once(app, client, karim, amina):
    form = {**give_form(client, to=str(amina.id)), "confirm": "yes"}
    client.post("/give", data=form)
    again = client.post("/give", data=form)

    assert again.status_code == 303
    assert balance(app, amina) == 90
    assert text_of(client.get("/me/hours")).count("You gave to Amina Diallo") == 1


def test_donating_to_the_community_account(app, client, people, karim):
    form = give_form(client, to="community", hours="2", minutes="0", memo="")
    client.post("/give", data={**form, "confirm": "yes"})
    with app.app_context():
        assert ledger.community_account().posted == 120
    assert "You gave to the community account" in text_of(client.get("/me/hours"))


@pytest.mark.parametrize(("hours", "minutes", "message"), [
    ("0", "0", "Please give a duration of at least 15 min."),
    ("-1", "0", "The number of hours cannot be negative."),
    ("0", "7", "Not a valid choice."),
    ("10000", "0", "You can give at most 10 h now: your account cannot go below −10 h."),
    ("two", "0", "Please give a number of hours in figures, for example 2."),
    ("", "0", "Please give a number of hours"),
])
def test_bad_amounts_are_explained_and_nothing_moves(app, client, karim, amina, hours, minutes, message):
    form = give_form(client, to=str(amina.id), hours=hours, minutes=minutes)
    for step in ({}, {"confirm": "yes"}):
        response = client.post("/give", data={**form, **step})
        assert 400 <= response.status_code < 500
        assert message in text_of(response)
    assert balance(app, amina) == 0


def test_giving_beyond_the_floor_is_explained(app, client, karim, amina):
    for _ in range(6):
        form = give_form(client, to=str(amina.id), hours="2", minutes="0")
        client.post("/give", data={**form, "confirm": "yes"})

    response = client.post("/give", data=give_form(client, to=str(amina.id), hours="2", minutes="0"))

    assert response.status_code == 409
    assert "You cannot give hours just now: your account has reached its lower limit (−10 h)." in text_of(response)
    assert balance(app, karim) == -600


def test_nobody_can_give_to_themselves(app, client, karim):
    form = give_form(client, to=str(karim.id))
    response = client.post("/give", data={**form, "confirm": "yes"})
    assert response.status_code == 422  # not even offered in the list
    assert balance(app, karim) == 0


@pytest.mark.parametrize("status", [Status.PENDING, Status.SUSPENDED])
def test_giving_to_a_pending_or_suspended_member_is_refused(app, client, people, karim, status):
    hamid = people.member("Hamid Cherif")
    with app.app_context():
        db.session.get(Member, hamid.id).status = status
        db.session.commit()
    response = client.post("/give", data={**give_form(client), "to": str(hamid.id), "confirm": "yes"})
    assert response.status_code == 422
    assert "Please choose who receives the hours." in text_of(response)
    assert balance(app, hamid) == 0


def test_an_unknown_recipient_is_refused(client, karim):
    response = client.post("/give", data={**give_form(client), "to": "99999", "confirm": "yes"})
    assert response.status_code == 422


def test_a_pending_applicant_cannot_give_or_see_hours(client, people, auth):
    people.applicant("Nadia Haddad")
    auth.login("nadia@example.org")
    assert client.get("/give").status_code == 403
    assert client.get("/me/hours").status_code == 403


def test_a_suspended_member_can_read_but_not_give(app, client, people, auth, amina):
    hamid = people.member("Hamid Cherif")
    with app.test_request_context():
        ledger.transfer_post(debit=account(amina), credit=account(hamid), minutes=60, kind=TransferKind.DIRECT,
                             key="k1", actor=db.session.get(Member, amina.id))
        db.session.get(Member, hamid.id).status = Status.SUSPENDED
        db.session.commit()
    auth.login("hamid@example.org")
    assert "You have 1 h" in text_of(client.get("/me/hours"))
    assert client.get("/give").status_code == 403
    assert client.get("/me/hours.csv").status_code == 200


def test_statement_csv_opens_in_a_spreadsheet(app, client, karim, amina):
    form = give_form(client, to=str(amina.id), memo="Réparation du vélo")
    client.post("/give", data={**form, "confirm": "yes"})

    response = client.get("/me/hours.csv")

    body = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert body.startswith("\ufeffDate,With,What,Details,Minutes,Hours (decimal),Hours,Balance after (minutes)")
    assert "Amina Diallo,Time given,Réparation du vélo,-90,-1.50,-1:30,-90" in body


def test_statement_is_paginated(app, client, karim, amina):
    with app.test_request_context():
        for n in range(25):
            ledger.transfer_post(debit=account(amina), credit=account(karim), minutes=15,
                                 kind=TransferKind.DIRECT, key=f"k{n}", actor=db.session.get(Member, amina.id))
    first = text_of(client.get("/me/hours"))
    second = text_of(client.get("/me/hours?page=2"))
    assert "Page 1 of 2" in first and first.count("You received from Amina Diallo") == 20
    assert second.count("You received from Amina Diallo") == 5
    assert client.get("/me/hours?page=9").status_code == 404
    assert client.get("/me/hours?page=abc").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/me/hours", "/me/hours.csv", "/give", "/notifications"):
        assert client.get(url).headers["Location"].startswith("/login")
