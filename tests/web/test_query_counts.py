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

    # Each includes BEGIN, the member (with her unread warning, her languages and the menu's counts); the settings'
    # version is read on a bare connection, not counted here.
    assert cost["/me/hours"] <= 7, cost  # was 26: three chains of related loading in the statement
    assert cost[f"/exchanges/{exchanges[0]}"] <= 5, cost  # was 19, with a write on every view
    assert cost["/notifications"] <= 4, cost  # was 10, with an update on every view
    assert cost["/exchanges"] <= 3, cost


def test_a_statement_names_its_partners_in_one_query_whatever_their_number(app, client, people, amina):
    """Each line paid by a partner used to cost its own query for the partner's name."""
    from tests.factories import account
    from timebank.ledger import services as ledger
    from timebank.ledger.models import TransferKind
    from timebank.partners import services as partners
    from timebank.partners.models import Partner, PartnerKind

    claire = people.admin("Claire Dubois")
    with app.test_request_context():
        made = []
        for name in ("Les Tilleuls Habitat", "École Jules Ferry"):
            partner = partners.partner_create(actor=member(claire), fields=partners.PartnerFields(
                name=name, kind=PartnerKind.SCHOOL, descriptions={"fr": name}))
            partners.partner_set_limits(actor=member(claire), partner=partner, floor=-6000, ceiling=6000,
                                        reason="Convention")
            made.append(partner.id)
        db.session.commit()

    def paid_by(partner_index: int, key: str):
        with app.test_request_context():
            partner = db.session.get(Partner, made[partner_index])
            ledger.transfer_post(debit=partner.account, credit=account(amina), minutes=60, kind=TransferKind.DIRECT,
                                 key=key, actor=member(claire), memo="Cartons")
            db.session.commit()

    login(client, amina)
    paid_by(0, "one")
    one = costs(app, client, ("/me/hours",))["/me/hours"]
    paid_by(1, "two")
    paid_by(0, "three")
    paid_by(1, "four")
    page = client.get("/me/hours").get_data(as_text=True)
    assert page.count("Les Tilleuls Habitat") >= 2 and page.count("École Jules Ferry") >= 2
    assert costs(app, client, ("/me/hours",))["/me/hours"] == one
