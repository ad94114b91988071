"""Marked done for more than agreed, confirmed automatically: only the agreed hours move, and both are told so."""
from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.members.models import Member
from timebank.timeutil import utcnow

TODAY = utcnow().date().isoformat()


def test_the_helper_is_told_what_moved_and_how_to_ask_for_the_rest(app, client, people):
    from timebank.exchanges.auto_confirm import exchanges_auto_confirm

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    login(client, karim)
    eid = int(re.search(r"/exchanges/(\d+)", client.post(f"/exchanges/new?member={amina.id}", data={
        "role": "receive", "title": "Déménagement", "hours": "2", "minutes": "0",
        "on_date": TODAY}).headers["Location"]).group(1))
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")
    client.post(f"/exchanges/{eid}/done", data={"hours": "24", "minutes": "0"})
    with app.test_request_context():
        assert exchanges_auto_confirm(now=utcnow() + timedelta(days=8)) == (0, 1)

    with app.app_context():
        assert ledger.account_of(db.session.get(Member, amina.id)).posted == 120  # the agreed 2 h, not 24 h
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Agreed 2 h Marked done 24 h Paid 2 h" in page
    assert ("Confirmed automatically after 7 days: 2 h paid, as agreed. Amina Diallo marked 24 h done: the extra 22 h "
            "were not paid.") in page
    assert "The hours have moved" not in page
    assert "22 h not paid" in page
    assert ("Ask Karim Benali: they can give you the extra hours with “Give time”. If you do "
            "not agree, raise a disagreement before") in page
    assert "Something went wrong?" in page  # the disagreement is one tap away
    notices = text_of(client.get("/notifications"))
    assert ("2 h were paid, as agreed. Amina Diallo marked 24 h done: the extra 22 h were not paid and need Karim "
            "Benali's agreement.") in notices
    assert any("the extra 22 h were not paid" in mail.body for mail in people.outbox(to="amina@example.org"))

    login(client, karim)
    page = client.get(f"/exchanges/{eid}").get_data(as_text=True)
    assert "If Amina Diallo really gave that much time, you can give them the extra hours." in text_of(
        client.get(f"/exchanges/{eid}"))
    assert f'href="/give?to={amina.id}&amp;exchange={eid}"' in page  # the gift counts in the exchange's kind


def test_an_automatic_confirmation_of_what_was_agreed_reads_as_before(app, client, people):
    from timebank.exchanges.auto_confirm import exchanges_auto_confirm

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    login(client, karim)
    eid = int(re.search(r"/exchanges/(\d+)", client.post(f"/exchanges/new?member={amina.id}", data={
        "role": "receive", "title": "Déménagement", "hours": "2", "minutes": "0",
        "on_date": TODAY}).headers["Location"]).group(1))
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")
    client.post(f"/exchanges/{eid}/done", data={"hours": "2", "minutes": "0"})
    with app.test_request_context():
        exchanges_auto_confirm(now=utcnow() + timedelta(days=8))
    page = text_of(client.get(f"/exchanges/{eid}"))
    assert "Confirmed automatically after 7 days. The hours have moved." in page
    assert "not paid" not in page
