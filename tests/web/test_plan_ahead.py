"""How far ahead an exchange may be planned: the payer's hours are held until its date, so not until 9999."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.timeutil import months_after, utcnow

TODAY = utcnow().date()


@pytest.fixture
def neighbours(people):
    return people.member("Amina Diallo"), people.member("Karim Benali")


def exchanges(app) -> int:
    from timebank.exchanges.models import Exchange

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Exchange))


def propose(client, amina, on_date):
    return client.post(f"/exchanges/new?member={amina.id}", data={
        "role": "receive", "title": "Papiers de la CAF", "hours": "2", "minutes": "0", "on_date": on_date})


def test_a_proposal_dated_9999_is_refused_with_the_last_date_allowed(app, client, neighbours):
    amina, karim = neighbours
    login(client, karim)

    response = propose(client, amina, "9999-12-31")

    assert response.status_code == 400
    latest = months_after(TODAY, 6)
    assert (f"An exchange can be planned 6 months ahead at most, until {latest:%B} {latest.day}, {latest.year}. "
            "Please choose an earlier date") in text_of(response)
    assert exchanges(app) == 0
    assert propose(client, amina, latest.isoformat()).status_code == 303  # the last day is fine


def test_a_counter_proposal_and_a_group_session_keep_to_the_same_horizon(app, client, neighbours):
    amina, karim = neighbours
    login(client, karim)
    eid = int(re.search(r"/exchanges/(\d+)", propose(client, amina, TODAY.isoformat()).headers["Location"]).group(1))
    too_far = (months_after(TODAY, 6) + timedelta(days=1)).isoformat()
    login(client, amina)

    counter = client.post(f"/exchanges/{eid}/counter", data={"hours": "2", "minutes": "0", "on_date": too_far})
    group = client.post("/groups/new", data={"title": "Atelier couture", "on_date": too_far, "hours": "1",
                                             "minutes": "0", "max_participants": "5"})

    assert counter.status_code == 400 and "6 months ahead at most" in text_of(counter)
    assert "Karim Benali proposed 2 h." in text_of(client.get(f"/exchanges/{eid}"))
    assert "suggested" not in text_of(client.get(f"/exchanges/{eid}"))
    assert group.status_code == 400 and "6 months ahead at most" in text_of(group)


def test_the_admin_sets_how_far_ahead_with_a_clear_message(app, client, people, neighbours):
    amina, karim = neighbours
    claire = people.admin("Claire Dubois")
    login(client, claire)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "How far ahead an exchange may be planned (months)" in page
    assert _settings_form(page)["plan_ahead_months"] == ["6"]

    refused = client.post("/admin/settings", data=_settings_form(page, plan_ahead_months="30"))
    assert refused.status_code == 422 and "Please give a number between 1 and 24." in text_of(refused)
    saved = client.post("/admin/settings", data=_settings_form(page, plan_ahead_months="12"))
    assert saved.status_code == 303

    login(client, karim)
    assert propose(client, amina, months_after(TODAY, 10).isoformat()).status_code == 303


def _settings_form(page: str, **changes) -> dict:
    """The settings form as the page filled it, with ``changes``."""
    data: dict = {}
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>(?:[^<]*</textarea>)?", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        name = name.group(1)
        if tag.startswith("<input"):
            kind = re.search(r'type="([^"]+)"', tag)
            if kind and kind.group(1) in ("checkbox", "radio") and "checked" not in tag:
                continue
            value = re.search(r'value="([^"]*)"', tag)
            data.setdefault(name, []).append(value.group(1) if value else "")
        elif tag.startswith("<textarea"):
            data[name] = [re.sub(r"^<textarea[^>]*>|</textarea>$", "", tag)]
    for name, options in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        data[name] = re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options)
        data[name] = [a or b for a, b in data[name]]
    import html

    data = {name: [html.unescape(v) for v in values] for name, values in data.items()}
    data.update({name: [value] for name, value in changes.items()})
    return data


def test_hours_held_for_a_long_time_reach_the_coordinators_oldest_first(app, client, people, neighbours,
                                                                         monkeypatch):
    from timebank.exchanges.models import Exchange
    from timebank.exchanges.proposals import exchange_accept, exchange_propose
    from timebank.exchanges.steps import Terms
    from timebank.members.models import Member

    amina, karim = neighbours
    fatou = people.member("Fatou Ndiaye")
    sandrine = people.coordinator("Sandrine Martin")

    def agreed(payer, title, on_date):
        with app.test_request_context():
            exchange = exchange_propose(
                proposer=db.session.get(Member, payer.id), counterpart=db.session.get(Member, amina.id),
                proposer_provides=False, terms=Terms(title, 60, TODAY, None))
            exchange_accept(exchange=exchange, actor=db.session.get(Member, amina.id))
            exchange = db.session.get(Exchange, exchange.id)
            exchange.on_date = on_date  # as it could be before the limit existed
            db.session.commit()
            return exchange.id

    forever = agreed(karim, "Garde d'enfants", date(9999, 12, 31))
    with monkeypatch.context() as then:  # Fatou's hours were reserved 200 days ago
        long_ago = utcnow() - timedelta(days=200)
        then.setattr("timebank.ledger.services.utcnow", lambda: long_ago)
        old = agreed(fatou, "Cours de français", TODAY)
    agreed(karim, "Aide au déménagement", TODAY + timedelta(days=3))  # an ordinary exchange: not listed

    login(client, sandrine)
    page = text_of(client.get("/coordination/"))

    assert "Hours reserved for a long time 2" in page
    queue = page.split("Hours reserved for a long time 2", 2)[2]
    assert queue.index("Cours de français") < queue.index("Garde d'enfants")  # reserved 200 days ago: first
    assert "for Dec 31, 9999" in queue and "1 h of Karim Benali held for Amina Diallo" in queue
    assert "Aide au déménagement" not in queue.split("Applications waiting")[0]
    html = client.get("/coordination/").get_data(as_text=True)
    assert f'href="/exchanges/{forever}"' in html and f'href="/exchanges/{old}"' in html
    assert "Garde d'enfants" in text_of(client.get(f"/exchanges/{forever}"))  # one tap away, and it opens
