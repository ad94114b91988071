"""What a resident meets on a phone, through the pages: the menu, the buttons that ask first, forms that keep
what she typed."""
import json
import re

import pytest

from tests.conftest import login, text_of
from tests.factories import publish
from timebank.timeutil import utcnow

TODAY = utcnow().date().isoformat()


@pytest.fixture
def neighbours(app, people):
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    listing_id = publish(app, amina, "Aide pour les papiers de la CAF", category="paperwork")
    return amina, karim, listing_id


def _exchange(client, karim, listing_id) -> int:
    login(client, karim)
    response = client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "receive", "title": "Aide pour les papiers de la CAF", "hours": "2", "minutes": "0",
        "on_date": TODAY, "message": "Bonjour Amina, mercredi ?"})
    return int(re.search(r"/exchanges/(\d+)", response.headers["Location"]).group(1))


def _menu(html: str) -> str:
    return html.split('<nav class="tabbar"', 1)[1].split("</nav>", 1)[0]


# The menu ------------------------------------------------------------------------------------------------------


def test_the_menu_has_four_destinations_and_more_with_the_current_one_marked(client, people):
    amina = people.member("Amina Diallo")
    login(client, amina)
    menu = _menu(client.get("/listings").get_data(as_text=True))
    tabs = re.findall(r'<a href="([^"]+)" class="tab"', menu)
    assert tabs == ["/", "/listings", "/messages", "/me/hours"]
    assert re.search(r'<a href="/listings" class="tab" aria-current="page">', menu)
    assert menu.count('aria-current="page"') == 1
    more = menu.split('<details class="more-menu">', 1)[1]
    for label in ("My exchanges", "Notifications", "Give time", "Members", "My profile", "Sign out"):
        assert label in more
    assert "Coordination" not in more and "Administration" not in more


def test_coordination_and_administration_are_under_more_for_those_who_have_them(client, people):
    login(client, people.coordinator("Sandrine Martin"))
    more = _menu(client.get("/").get_data(as_text=True)).split('<details class="more-menu">', 1)[1]
    assert "Coordination" in more and "Administration" not in more
    login(client, people.admin("Claire Dubois"))
    page = client.get("/admin/").get_data(as_text=True)
    more = _menu(page).split('<details class="more-menu">', 1)[1]
    assert "Administration" in more
    assert re.search(r'<summary class="tab" aria-current="page">', _menu(page))  # she is somewhere under More


def test_a_visitor_sees_sign_in_and_join_as_tabs(client):
    tabs = re.findall(r'<a href="([^"]+)" class="tab"', _menu(client.get("/login").get_data(as_text=True)))
    assert tabs == ["/", "/login", "/register"]


# Buttons that cannot be undone ask first -----------------------------------------------------------------------


def test_closing_a_listing_for_good_asks_first(app, client, people, neighbours):
    amina, karim, listing_id = neighbours
    login(client, amina)
    page = client.get(f"/listings/{listing_id}").get_data(as_text=True)
    step = page.split('<details class="confirm-step">', 1)[1].split("</details>", 1)[0]
    assert "Close for good" in step.split("</summary>")[0]  # the first tap only opens the question
    assert "A closed listing cannot be opened again. Close it?" in step
    assert re.search(r'<input class="button button-danger" name="close" type="submit" value="Yes, close it for good">',
                     step)
    assert 'name="close"' not in page.split('<details class="confirm-step">', 1)[0]
    assert client.post(f"/listings/{listing_id}/status", data={"close": "Yes, close it for good"}).status_code == 303
    assert "Your listing is closed." in text_of(client.get(f"/listings/{listing_id}"))


def test_declining_an_applicant_and_suspending_a_member_ask_first(client, people):
    people.applicant("Fatou Ndiaye")
    karim = people.member("Karim Benali")
    login(client, people.coordinator("Sandrine Martin"))
    queue = client.get("/coordination/").get_data(as_text=True)
    step = queue.split('<details class="confirm-step">', 1)[1].split("</details>", 1)[0]
    assert "Decline" in step.split("</summary>")[0]
    assert 'name="decline"' in step and "Yes, decline the application" in step
    member_page = client.get(f"/coordination/members/{karim.id}").get_data(as_text=True)
    step = member_page.split('<details class="confirm-step">', 1)[1].split("</details>", 1)[0]
    assert "Suspend the membership…" in step.split("</summary>")[0]
    assert re.search(r'class="button button-danger"[^>]*name="status-suspend"|name="status-suspend"[^>]*'
                     r'class="button button-danger"|class="button button-danger" id="status-suspend"', step), step


# A refused form keeps what was typed, open where it was -------------------------------------------------------


def test_a_refused_disagreement_keeps_what_karim_wrote(client, people, neighbours):
    amina, karim, listing_id = neighbours
    eid = _exchange(client, karim, listing_id)
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")
    login(client, karim)
    response = client.post(f"/exchanges/{eid}/dispute", data={"reason": "Elle n'est pas venue\x07 mercredi"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    step = page.split('<details class="more-choices card" open>', 1)[1].split("</details>", 1)[0]
    assert "Elle n&#39;est pas venue\x07 mercredi" in step or "Elle n'est pas venue\x07 mercredi" in step
    assert "Please remove the invisible characters" in step


def test_a_refused_counter_proposal_stays_open_with_what_amina_typed(client, people, neighbours):
    amina, karim, listing_id = neighbours
    eid = _exchange(client, karim, listing_id)
    login(client, amina)
    response = client.post(f"/exchanges/{eid}/counter", data={"hours": "3", "minutes": "30", "on_date": "2001-01-01"})
    assert response.status_code in (400, 409, 422)
    page = response.get_data(as_text=True)
    step = page.split('<details class="more-choices" open>', 1)[1].split("</details>", 1)[0]
    assert 'value="3"' in step and 'value="2001-01-01"' in step


# Start here, and looking before being approved ----------------------------------------------------------------


def test_nadia_starts_here_with_sandrines_word_until_her_first_exchange_is_confirmed(app, client, people):
    sandrine = people.coordinator("Sandrine Martin")
    nadia = people.applicant("Nadia Haddad")
    karim = people.member("Karim Benali")
    login(client, sandrine)
    client.post(f"/coordination/members/{nadia.id}/decide", data={
        "approve": "y", "message": "Bienvenue Nadia ! On se voit mardi à la Maison des Tilleuls."})

    login(client, nadia)
    home = text_of(client.get("/"))
    assert "Welcome! Start here" in home
    assert "Bienvenue Nadia ! On se voit mardi à la Maison des Tilleuls. Sandrine, for the coordinators" in home
    assert "You have 0 h: you can receive up to 10 h of help before giving some." in home
    steps = home.split("Welcome! Start here", 1)[1]
    assert steps.index("Say what you can do") < steps.index("Ask for help") < steps.index(
        "See what your neighbours offer")
    html = client.get("/").get_data(as_text=True)
    first_steps = html.split('<ol class="first-steps">', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r'href="([^"]+)"', first_steps) == ["/listings/new?type=offer", "/listings/new?type=request",
                                                          "/listings"]

    # Karim helps her with a letter; once she confirms it, her home is the usual one.
    listing_id = publish(app, karim, "Aide pour une lettre", category="paperwork")
    response = client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "receive", "title": "Aide pour une lettre", "hours": "1", "minutes": "0", "on_date": TODAY})
    eid = int(re.search(r"/exchanges/(\d+)", response.headers["Location"]).group(1))
    login(client, karim)
    client.post(f"/exchanges/{eid}/accept")
    client.post(f"/exchanges/{eid}/done", data={"hours": "1", "minutes": "0"})
    login(client, nadia)
    assert "Welcome! Start here" in text_of(client.get("/"))  # done, not yet confirmed
    client.post(f"/exchanges/{eid}/confirm")
    home = text_of(client.get("/"))
    assert "Welcome! Start here" not in home and "Say what you can do" not in home
    assert "You have −1 h" in home


def test_a_new_member_without_a_word_from_the_coordinator_gets_the_usual_welcome(client, people):
    login(client, people.member("Nadia Haddad"))
    home = text_of(client.get("/"))
    assert "Welcome to Timebank. Here one hour of help is worth one hour" in home or \
        "Here one hour of help is worth one hour, whoever gives it and whatever the help." in home


def test_fatou_waiting_for_approval_looks_at_listings_without_names_or_contacts(app, client, people):
    karim = people.member("Karim Benali")
    listing_id = publish(app, karim, "Aide pour une lettre de la préfecture", kind="request", category="paperwork",
                         description="Une lettre reçue hier.")
    fatou = people.applicant("Fatou Ndiaye")
    login(client, fatou)
    home = text_of(client.get("/"))
    assert "See what your neighbours offer" in home
    listings = text_of(client.get("/listings"))
    assert "Aide pour une lettre de la préfecture" in listings and "Les Tilleuls" in listings
    assert "Karim" not in listings and "I can help" not in listings
    one = client.get(f"/listings/{listing_id}")
    assert one.status_code == 200
    page = text_of(one)
    assert "Une lettre reçue hier." in page
    assert "Karim" not in page and "karim@example.org" not in page and "Report this listing" not in page
    assert "Once your membership is approved, you will see who they are and can answer them." in page
    # Looking only: answering, writing and the directory stay refused.
    assert client.get(f"/exchanges/new?listing={listing_id}").status_code == 403
    assert client.get(f"/messages/{karim.id}").status_code == 403
    assert client.get(f"/members/{karim.id}").status_code == 403
    assert client.get("/listings/print").status_code == 403
    assert client.get("/listings/new").status_code == 403


def test_a_declined_applicant_does_not_browse(app, client, people):
    from timebank.members.models import Status

    login(client, people.member("Rémi Petit", status=Status.DECLINED))
    assert client.get("/listings").status_code == 403


def test_an_applicant_sees_when_and_where_the_welcome_meeting_is(client, people):
    from tests.web.test_settings import settings_form

    login(client, people.admin("Claire Dubois"))
    response = client.post("/admin/settings", data=settings_form(
        client, welcome_meeting_en="Chaque mardi à 17 h, Maison de quartier des Tilleuls, 3 rue des Lilas"))
    assert response.status_code == 303
    login(client, people.applicant("Fatou Ndiaye"))
    page = text_of(client.get("/"))
    assert "Come to a welcome meeting Chaque mardi à 17 h, Maison de quartier des Tilleuls, 3 rue des Lilas" in page


# Browse by picture ---------------------------------------------------------------------------------------------


def test_listings_open_with_category_pictures_and_offer_request_tabs_as_plain_links(app, client, people):
    from tests.factories import category_id

    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    publish(app, amina, "Couscous du vendredi", category="cooking")
    publish(app, karim, "Quelqu'un pour cuisiner avec moi", kind="request", category="cooking")
    publish(app, karim, "Lettre de la CAF", kind="request", category="paperwork")
    with app.app_context():
        cooking, childcare = category_id("cooking"), category_id("childcare")
    login(client, amina)
    html = client.get("/listings").get_data(as_text=True)
    grid = html.split('<nav class="category-grid"', 1)[1].split("</nav>", 1)[0]
    assert f'href="/listings?category={cooking}"' in grid
    assert f'<a href="/listings?category={childcare}">' in grid and "icons/mood-kid.svg" in grid  # not a trolley
    assert "Childcare" in grid and "Cooking" in text_of(client.get("/listings"))
    tabs = html.split('<nav class="kind-tabs"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="([^"]+)"', tabs) == ["/listings", "/listings?type=offer", "/listings?type=request"]
    assert re.search(r'href="/listings" class="kind-tab kind-tab-all" aria-current="page"', tabs)

    page = client.get(f"/listings?category={cooking}&type=request").get_data(as_text=True)
    assert "Quelqu&#39;un pour cuisiner avec moi" in page or "Quelqu'un pour cuisiner avec moi" in page
    assert "Couscous du vendredi" not in page and "Lettre de la CAF" not in page
    tabs = page.split('<nav class="kind-tabs"', 1)[1].split("</nav>", 1)[0]
    assert {"category": str(cooking), "type": "offer"} in _queries(tabs)  # the category stays when the tab changes
    assert re.search(r'class="kind-tab kind-tab-request" aria-current="page"', tabs)
    grid = page.split('<nav class="category-grid"', 1)[1].split("</nav>", 1)[0]
    current = re.search(r'<a href="([^"]+)" aria-current="page">', grid).group(1)
    assert _queries(f'href="{current}"') == [{"category": str(cooking), "type": "request"}]
    assert {"type": "request"} in _queries(grid)  # back to every category, still requests


def _queries(html: str) -> list[dict]:
    from html import unescape
    from urllib.parse import parse_qsl, urlsplit

    return [dict(parse_qsl(urlsplit(unescape(href)).query)) for href in re.findall(r'href="([^"]+)"', html)]


# One inbox -----------------------------------------------------------------------------------------------------


def test_one_inbox_shows_the_exchange_thread_and_the_direct_conversation_with_one_unread_count(client, people,
                                                                                               neighbours):
    amina, karim, listing_id = neighbours
    fatou = people.member("Fatou Ndiaye")
    login(client, fatou)
    client.post(f"/messages/{amina.id}", data={"body": "Bonjour Amina, merci pour samedi !"})
    eid = _exchange(client, karim, listing_id)  # Karim proposes, with a message

    login(client, amina)
    assert "Messages 2" in text_of(client.get("/"))  # one count: the exchange's message and Fatou's
    inbox = text_of(client.get("/messages"))
    assert "No conversation yet" not in inbox
    exchange_line = "Exchange Aide pour les papiers de la CAF Karim Benali 1 Waiting for your answer"
    assert exchange_line in inbox and "Bonjour Amina, mercredi ?" in inbox
    assert "Conversation Fatou Ndiaye 1" in inbox and "Bonjour Amina, merci pour samedi !" in inbox
    assert inbox.index(exchange_line) < inbox.index("Conversation Fatou Ndiaye")  # the newest first
    html = client.get("/messages").get_data(as_text=True)
    assert f'href="/exchanges/{eid}"' in html and f'href="/messages/{fatou.id}"' in html

    client.get(f"/exchanges/{eid}")  # read there, as before
    assert "Messages 1" in text_of(client.get("/"))
    inbox = text_of(client.get("/messages"))
    assert "Karim Benali 1" not in inbox and "Conversation Fatou Ndiaye 1" in inbox
    client.get(f"/messages/{fatou.id}")
    assert re.search(r"Messages \d", text_of(client.get("/"))) is None

    # Nothing is lost: the notice of the proposal is still among the notices, reachable from the inbox.
    assert "/notifications" in client.get("/messages").get_data(as_text=True)
    assert "Karim Benali" in text_of(client.get("/notifications"))


def test_the_inbox_shows_nobody_else_s_threads_and_the_pages_refuse_strangers_as_before(client, people,
                                                                                         neighbours):
    amina, karim, listing_id = neighbours
    eid = _exchange(client, karim, listing_id)
    fatou = people.member("Fatou Ndiaye")
    login(client, fatou)
    inbox = text_of(client.get("/messages"))
    assert "Aide pour les papiers" not in inbox and "Karim" not in inbox
    assert "No conversation yet" in inbox
    assert client.get(f"/exchanges/{eid}").status_code == 404
    login(client, people.applicant("Nadia Haddad"))
    assert client.get("/messages").status_code == 403


# Installable, and kind offline -----------------------------------------------------------------------------------


def test_the_manifest_takes_the_name_from_the_settings_and_the_language_of_the_visit(client, people):
    from tests.web.test_settings import settings_form

    login(client, people.admin("Claire Dubois"))
    client.post("/admin/settings", data=settings_form(client, name="Temps Partagé des Tilleuls"))
    manifest = client.get("/manifest.webmanifest?lang=fr").get_json()
    assert manifest["name"] == "Temps Partagé des Tilleuls" and (manifest["lang"], manifest["dir"]) == ("fr", "ltr")
    assert client.get("/manifest.webmanifest?lang=ar").get_json()["dir"] == "rtl"
    assert 'rel="manifest" href="/manifest.webmanifest?lang=ar"' in client.get("/").get_data(as_text=True)


def test_the_service_worker_keeps_only_static_files_and_the_offline_page(client, people):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript" and response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    kept = json.loads(re.search(r"const STATIC = (\[.*?\]);", response.get_data(as_text=True)).group(1))
    assert kept and all(url.startswith("/static/") for url in kept)
    assert 'const OFFLINE = "/offline";' in response.get_data(as_text=True)


def test_the_offline_page_says_nothing_personal_even_to_a_signed_in_member(client, people):
    amina = people.member("Amina Diallo")
    login(client, amina)
    page = text_of(client.get("/offline"))
    assert "No connection. Your exchanges are safe; try again when the network comes back." in page
    assert "Amina" not in page and "Sign out" not in page and "My hours" not in page


def _remember_cookie_days(response) -> float | None:
    from email.utils import parsedate_to_datetime

    from timebank.timeutil import utcnow as now

    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("remember_token="):
            expires = re.search(r"Expires=([^;]+)", header)
            if not expires:
                return None
            return (parsedate_to_datetime(expires.group(1)).replace(tzinfo=None) - now().replace(tzinfo=None)).days
    return None


def test_stay_signed_in_is_ticked_and_lasts_as_long_as_the_settings_say(client, people):
    from tests.web.test_settings import settings_form

    amina = people.member("Amina Diallo")
    form = client.get("/login").get_data(as_text=True)
    assert re.search(r'<input checked id="remember" name="remember" type="checkbox"', form) or \
        re.search(r'<input[^>]*checked[^>]*name="remember"', form)
    response = client.post("/login", data={"identifier": amina.email, "password": amina.password, "remember": "y"})
    assert _remember_cookie_days(response) in (89, 90)
    signed_out = client.post("/logout")
    assert any(h.startswith("remember_token=") and "Expires=Thu, 01 Jan 1970" in h
               for h in signed_out.headers.getlist("Set-Cookie")), signed_out.headers.getlist("Set-Cookie")  # ends it
    assert client.get("/me/hours").status_code == 302

    login(client, people.admin("Claire Dubois"))
    assert client.post("/admin/settings", data=settings_form(client, session_days="30")).status_code == 303
    client.post("/logout")
    response = client.post("/login", data={"identifier": amina.email, "password": amina.password, "remember": "y"})
    assert _remember_cookie_days(response) in (29, 30)
    login(client, people.admin("Chloé Admin", email="chloe@example.org"))
    refused = client.post("/admin/settings", data=settings_form(client, session_days="0"))
    assert refused.status_code in (400, 422) and "Please give a number between 1 and 400." in text_of(refused)


def test_a_refused_approval_keeps_the_coordinators_welcome_message(client, people):
    fatou = people.applicant("Fatou Ndiaye")
    login(client, people.coordinator("Sandrine Martin"))
    refused = client.post(f"/coordination/members/{fatou.id}/decide", data={
        "approve": "y", "message": "Bienvenue Fatou, à mardi !", "orientation_on": "2999-01-01"})
    assert refused.status_code in (400, 409, 422)
    page = refused.get_data(as_text=True)
    assert "Please choose a day within a year." in text_of(refused)
    assert re.search(r'<textarea id="message-\d+" name="message"[^>]*>Bienvenue Fatou, à mardi !</textarea>', page)
    assert 'value="2999-01-01"' in page


def test_the_confirmation_step_carries_its_own_csrf_token(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=True)
    amina = people.member("Amina Diallo")
    listing_id = publish(app, amina, "Couscous du vendredi", category="cooking")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"identifier": amina.email, "password": amina.password, "csrf_token": token})
    page = client.get(f"/listings/{listing_id}").get_data(as_text=True)
    step = page.split('<details class="confirm-step">', 1)[1].split("</details>", 1)[0]
    token = re.search(r'<input name="csrf_token" type="hidden" value="([^"]+)">', step).group(1)
    response = client.post(f"/listings/{listing_id}/status", data={"close": "Yes, close it for good",
                                                                   "csrf_token": token})
    assert response.status_code == 303
    assert "Your listing is closed." in text_of(client.get(f"/listings/{listing_id}"))


def test_an_applicant_sees_the_day_a_coordinator_set_for_her_welcome_meeting(client, people):
    """Nadia waits for approval; Sandrine books her welcome meeting next week and Nadia reads the day."""
    from datetime import date, timedelta

    nadia = people.applicant("Nadia Haddad")
    coming = date.today() + timedelta(days=6)
    login(client, people.coordinator("Sandrine Martin"))
    response = client.post(f"/coordination/members/{nadia.id}/orientation",
                           data={"orientation-on": coming.isoformat()})
    assert response.status_code in (302, 303)
    too_far = client.post(f"/coordination/members/{nadia.id}/orientation",
                          data={"orientation-on": (date.today() + timedelta(days=400)).isoformat()})
    assert "Please choose a day within a year." in text_of(too_far)

    login(client, nadia)
    page = text_of(client.get("/"))
    assert "Come to a welcome meeting" in page
    assert f"A coordinator expects you on {coming.strftime('%A')}" in page and str(coming.year) in page


def test_a_members_welcome_meeting_is_an_appointment_or_one_that_took_place(client, people):
    from datetime import date, timedelta

    amina = people.member("Amina Diallo")
    login(client, people.coordinator("Sandrine Martin"))
    booked = client.post(f"/coordination/members/{amina.id}/orientation",
                         data={"orientation-on": (date.today() + timedelta(days=3)).isoformat()})
    assert booked.status_code == 303
    refused = client.post(f"/coordination/members/{amina.id}/orientation",
                          data={"orientation-on": (date.today() + timedelta(days=400)).isoformat()})
    assert "Please choose a day within a year." in text_of(refused)
