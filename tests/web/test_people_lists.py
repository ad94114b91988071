"""Lists that scale: /admin/people and the coordinators' search page 50 people at a time, sorted by name, balance,
last activity or date joined, with the filters kept; the same number of queries whatever the page holds."""
from datetime import timedelta

import pytest

from tests.conftest import count_queries, login, text_of
from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow


@pytest.fixture
def town(app, people):
    """Claire (admin), Sandrine (coordinator) and 55 neighbours, joined one day apart, each with some hours."""
    from timebank.ledger import services as ledger
    from timebank.ledger.models import TransferKind

    claire = people.admin("Claire Dubois")
    sandrine = people.coordinator("Sandrine Martin")
    residents = [people.member(f"Voisin {n:02d} Zola", email=f"voisin{n}@example.org") for n in range(55)]
    with app.test_request_context():
        now = utcnow()
        for n, resident in enumerate(residents):
            member = db.session.get(Member, resident.id)
            member.created_at = now - timedelta(days=100 - n)
            member.last_seen_at = now - timedelta(hours=n) if n % 2 else None
        db.session.commit()
        giver = db.session.get(Member, residents[0].id)
        receiver = db.session.get(Member, residents[7].id)
        ledger.transfer_post(debit=ledger.account_of(giver), credit=ledger.account_of(receiver), minutes=300,
                             kind=TransferKind.DIRECT, key="people-list", actor=giver, memo="")
    return claire, sandrine, residents


def _names(page_text: str) -> list[str]:
    import re

    return re.findall(r"Voisin \d\d Zola", page_text)


def test_claire_pages_through_the_people_fifty_at_a_time(client, town):
    claire, sandrine, residents = town
    login(client, claire)
    first = text_of(client.get("/admin/people?q=zola"))
    assert "55 people" in first and "Page 1 of 2" in first
    assert len(_names(first)) == 50
    second = text_of(client.get("/admin/people?q=zola&page=2"))
    assert len(_names(second)) == 5
    assert set(_names(first)) | set(_names(second)) == {f"Voisin {n:02d} Zola" for n in range(55)}
    assert client.get("/admin/people?q=zola&page=3").status_code == 404


def test_the_people_are_sorted_by_name_balance_activity_or_date_joined(client, town):
    claire, sandrine, residents = town
    login(client, claire)
    by_name = _names(text_of(client.get("/admin/people?q=zola&sort=name")))
    assert by_name[:3] == ["Voisin 00 Zola", "Voisin 01 Zola", "Voisin 02 Zola"]
    joined = _names(text_of(client.get("/admin/people?q=zola&sort=joined")))
    assert joined[:2] == ["Voisin 54 Zola", "Voisin 53 Zola"]  # newest first
    balance = _names(text_of(client.get("/admin/people?q=zola&sort=balance")))
    assert balance[0] == "Voisin 07 Zola" and balance[-1] != "Voisin 07 Zola"
    last = text_of(client.get("/admin/people?q=zola&sort=balance&page=2"))
    assert _names(last)[-1] == "Voisin 00 Zola"  # gave 5 h: the lowest balance, last
    activity = _names(text_of(client.get("/admin/people?q=zola&sort=activity")))
    assert activity[:2] == ["Voisin 01 Zola", "Voisin 03 Zola"]  # most recent first, never seen last


def test_filters_and_sort_are_kept_by_the_pages_links(client, town):
    claire, sandrine, residents = town
    login(client, claire)
    html = client.get("/admin/people?q=zola&status=active&sort=name").get_data(as_text=True)
    assert 'href="/admin/people?page=2&amp;sort=name&amp;q=zola&amp;status=active"' in html
    assert '<th scope="col" aria-sort="ascending"><span aria-current="true">Name' in html


def test_a_coordinator_searches_pages_and_sorts_too(client, town):
    claire, sandrine, residents = town
    login(client, sandrine)
    page = text_of(client.get("/coordination/?q=zola"))
    assert "55 members found" in page and "Page 1 of 2" in page and len(_names(page)) == 50
    assert _names(page)[0] == "Voisin 00 Zola"  # by name unless she chooses
    assert _names(text_of(client.get("/coordination/?q=zola&sort=joined")))[0] == "Voisin 54 Zola"
    assert len(_names(text_of(client.get("/coordination/?q=zola&page=2")))) == 5
    assert client.get("/admin/people").status_code == 403  # permissions unchanged


def test_accents_are_ignored_and_numbers_and_phones_find_people(app, client, people, town):
    claire, sandrine, residents = town
    people.member("Élodie Zéphyr", email="elodie@example.org")
    login(client, claire)
    assert "Élodie Zéphyr" in text_of(client.get("/admin/people?q=elodie zephyr"))
    assert "Voisin 03 Zola" in text_of(client.get(f"/admin/people?q={residents[3].number}"))


def test_a_page_of_fifty_costs_as_many_queries_as_a_page_of_one(app, client, people, town):
    claire, sandrine, residents = town
    login(client, claire)
    one = count_queries(app, client, f"/admin/people?q={residents[3].number}")
    fifty = count_queries(app, client, "/admin/people?q=zola&sort=balance")
    assert fifty == one
    login(client, sandrine)
    assert count_queries(app, client, "/coordination/?q=zola") == count_queries(
        app, client, f"/coordination/?q={residents[3].number}")
