"""What a page costs in queries: a small fixed number, whatever the length of the lists it shows (no N+1)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import count_queries, login
from tests.factories import member
from timebank.extensions import db

NEIGHBOURS = ["Karim Benali", "Fatou Ndiaye", "Mamadou Sow", "Maria Ferreira", "João Silva", "Ayşe Yılmaz"]


def busy_with(app, people, amina, names: list[str]) -> list[int]:
    """Each neighbour gives Amina an hour, writes to her and proposes an exchange: one more line everywhere."""
    from timebank.exchanges.proposals import exchange_propose
    from timebank.exchanges.steps import Terms
    from timebank.giving.services import give_time
    from timebank.messages.services import message_send

    exchanges = []
    for name in names:
        neighbour = people.member(name, email=f"{name.split()[0].lower()}@example.org")
        with app.test_request_context(headers={"Accept-Language": "en"}):
            give_time(giver=member(neighbour), recipient=member(amina), minutes=60, memo="Merci", key=f"g-{name}")
            message_send(sender=member(neighbour), recipient=member(amina), body="Bonjour Amina")
            exchanges.append(exchange_propose(
                proposer=member(neighbour), counterpart=member(amina), proposer_provides=True,
                terms=Terms(f"Aide de {name}", 60, date.today() + timedelta(days=3), None), message="Samedi ?").id)
            db.session.commit()
    return exchanges


PAGES = ("/", "/me/hours", "/exchanges", "/messages", "/notifications", "/members")


@pytest.fixture
def amina(people):
    return people.member("Amina Diallo", email="amina@example.org")


def costs(app, client, urls) -> dict[str, int]:
    for url in urls:  # the first view may note what was unread; the counts are for the views after
        client.get(url)
    return {url: count_queries(app, client, url) for url in urls}


def test_list_pages_cost_the_same_with_two_or_six_lines(app, client, people, amina):
    few_exchanges = busy_with(app, people, amina, NEIGHBOURS[:2])
    login(client, amina)
    few = costs(app, client, PAGES + (f"/exchanges/{few_exchanges[0]}",))

    many_exchanges = busy_with(app, people, amina, NEIGHBOURS[2:])
    many = costs(app, client, PAGES + (f"/exchanges/{many_exchanges[-1]}",))

    assert list(few.values()) == list(many.values()), (few, many)


def test_everyday_pages_stay_within_a_few_queries(app, client, people, amina):
    exchanges = busy_with(app, people, amina, NEIGHBOURS[:3])
    login(client, amina)

    cost = costs(app, client, ("/me/hours", f"/exchanges/{exchanges[0]}", "/notifications", "/exchanges"))

    # Each includes the settings' version, the member (with her unread warning) and the menu's counts.
    assert cost["/me/hours"] <= 10, cost  # was 26: three chains of related loading in the statement
    assert cost[f"/exchanges/{exchanges[0]}"] <= 11, cost  # was 19, with a write on every view
    assert cost["/notifications"] <= 7, cost  # was 10, with an update on every view
    assert cost["/exchanges"] <= 6, cost
