"""The header, the menu and the footer are kept rendered a process: what each reader sees is still hers."""
from __future__ import annotations

import re

from flask import Response

from tests.conftest import login, text_of
from tests.factories import member
from timebank.extensions import db
from timebank.notifications.services import notify


def menu_of(response) -> str:
    """The visible text of the page's menu only."""
    html = response.get_data(as_text=True)
    return text_of(Response(re.search(r'<nav class="tabbar".*?</nav>', html, re.S).group(0)))


def test_each_reader_gets_the_menu_of_her_role_language_and_counts(app, client, people):
    amina = people.member("Amina Diallo")
    sandrine = people.coordinator("Sandrine Martin")

    login(client, amina)
    assert "Coordination" not in menu_of(client.get("/"))
    login(client, sandrine)
    assert "Coordination" in menu_of(client.get("/"))  # the same page, a coordinator: her own menu
    login(client, amina)
    assert "Coordination" not in menu_of(client.get("/"))

    with app.app_context():
        notify(member=member(amina), kind="hours_given", params={"minutes": 60, "name": "Karim"}, link="/me/hours")
        db.session.commit()
    assert re.search(r"Notifications \d", menu_of(client.get("/")))  # a new notice: its count at once

    french = client.get("/?lang=fr")
    assert "Plus" in menu_of(french) and "Notifications 1" in menu_of(french)
    assert "More" in menu_of(client.get("/?lang=en"))


def test_the_header_follows_a_saved_name_and_the_sign_out_button_still_signs_out(app, client, people):
    amina = people.member("Amina Diallo")
    login(client, amina)
    assert "Timebank" in text_of(client.get("/"))
    app.config["TIMEBANK_NAME"] = "Temps des Tilleuls"
    assert "Temps des Tilleuls" in text_of(client.get("/"))

    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<button type="submit" form="sign-out"[^>]*>Sign out</button>', page)
    form = re.search(r'<form id="sign-out" method="post" action="/logout"[^>]*>(.*?)</form>', page, re.S)
    assert 'name="csrf_token"' in form.group(1)
    client.post("/logout")
    assert "Sign in" in menu_of(client.get("/"))


def test_the_listings_heading_is_kept_for_what_was_asked_and_follows_the_settings(client, people):
    """The listings' heading, categories and search form are kept rendered too: each search keeps its own words
    and choices, and an area an admin adds is offered at once."""
    from tests.web.test_settings import settings_form

    claire = people.admin("Claire Dubois")
    amina = people.member("Amina Diallo")
    login(client, amina)
    first = client.get("/listings?q=jardin&type=offer").get_data(as_text=True)
    second = client.get("/listings?q=couture").get_data(as_text=True)
    assert 'value="jardin"' in first and 'value="couture"' not in first
    assert 'value="couture"' in second and 'value="jardin"' not in second
    assert 'class="kind-tab kind-tab-offer" aria-current="page"' in first
    assert 'kind-tab-offer" aria-current' not in second
    assert "Les Marronniers" not in client.get("/listings").get_data(as_text=True)

    login(client, claire)
    saved = client.post("/admin/settings", data=settings_form(client, areas="Centre\nLes Marronniers"))
    assert saved.status_code == 303
    login(client, amina)
    assert '<option value="Les Marronniers">' in client.get("/listings").get_data(as_text=True)


def test_a_page_that_marks_things_read_shows_the_menu_without_them(app, client, people):
    """The menu's counts come with the member at the start of a request; a page that marks messages read before it
    renders shows them already read, not the counts it started with."""
    from timebank.exchanges.conversation import exchange_write
    from timebank.exchanges.proposals import exchange_propose
    from timebank.exchanges.steps import Terms
    from timebank.timeutil import utcnow

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    with app.test_request_context():
        exchange = exchange_propose(proposer=member(karim), counterpart=member(amina), proposer_provides=True,
                                    terms=Terms("Cours de français", 60, utcnow().date(), None))
        exchange_write(exchange=exchange, author=member(karim), body="Samedi ?")
        db.session.commit()
        exchange_id = exchange.id
        notify(member=member(amina), kind="hours_given", params={"minutes": 60, "name": "Karim"}, link="/me/hours")
        db.session.commit()
    login(client, amina)
    assert re.search(r"Notifications \d", menu_of(client.get("/")))
    client.get("/notifications")  # shows which were new, then marks them read
    assert not re.search(r"Notifications \d", menu_of(client.get("/")))
    before = menu_of(client.get("/"))
    opened = menu_of(client.get(f"/exchanges/{exchange_id}"))
    assert re.search(r"Messages \d", before), before
    assert not re.search(r"Messages \d", opened), opened
