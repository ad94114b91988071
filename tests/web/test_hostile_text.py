"""What a member, a coordinator or an admin types is shown as text everywhere: pages, e-mails, spreadsheets,
calendar files. Markup, template syntax and formulas stay inert; invisible characters (NUL, a right-to-left
override) are refused with a clear message, and nothing is stored."""
from __future__ import annotations

import csv
import io
import re

import pytest

from tests.conftest import text_of
from tests.factories import member
from tests.world import (Snapshot, address_of, build_neighbourhood, close, english_client, module_app, routes,
                         signed_in)
from timebank.extensions import db

# Appended to every free text of the neighbourhood.
PAYLOAD = ' <script>alert(1)</script>"><img src=x onerror=alert(1)>{{7*7}}{% raw %}javascript:alert(1)'
# Whole texts that a spreadsheet would read as a formula.
FORMULAS = {
    "memo": '=HYPERLINK("http://evil.example","<script>alert(1)</script>")',
    "name": "+1+2 Karim <script>alert(1)</script>",
    "bio": "@SUM(1+1) <script>alert(1)</script>" + PAYLOAD,
    "category": "-2+3 {{7*7}} <script>alert(1)</script>",
    "timebank": '=1+1 "><img src=x onerror=alert(1)> {{7*7}}',
}
MARKERS = ("alert(1)", "7*7", "HYPERLINK", "SUM(1+1)", "+1+2", "-2+3", "=1+1")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def world(migrated_database, tmp_path_factory):
    """The neighbourhood with hostile text everywhere, and a few texts that start like a formula."""
    app = module_app(migrated_database, tmp_path_factory)
    built = build_neighbourhood(app, text=PAYLOAD)
    from flask import g

    from timebank.admin.categories import CategoryFields, category_update
    from timebank.admin.settings import settings_current, settings_save
    from timebank.giving.services import give_time
    from timebank.listings.models import Category
    from timebank.members.services import profile_update

    residents, karim = built["residents"], built["karim"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        g.locale = "en"
        admin, amina, k = member(residents["admin"]), member(residents["member"]), member(karim)
        profile_update(member=k, display_name=FORMULAS["name"], bio=PAYLOAD, area=k.area, languages=["fr"],
                       phone=None, contact_visibility=k.contact_visibility, locale="en", notify_matches=False)
        profile_update(member=amina, display_name=amina.display_name, bio=FORMULAS["bio"], area=amina.area,
                       languages=["fr"], phone=None, contact_visibility=amina.contact_visibility, locale="en",
                       notify_matches=False)
        category = db.session.get(Category, built["ids"]["category"])
        category_update(actor=admin, category=category, fields=CategoryFields(
            names={"fr": FORMULAS["category"], "en": FORMULAS["category"], "ar": FORMULAS["category"]},
            icon=category.icon, requires_verified=False))
        give_time(giver=k, recipient=amina, minutes=60, memo=FORMULAS["memo"], key="hostile-1",
                  category_id=built["ids"]["category"])
        current = settings_current()
        settings_save(actor=admin, new=current.__class__(**{**vars(current), "name": FORMULAS["timebank"],
                                                             "description": PAYLOAD.strip(),
                                                             "opening_hours": PAYLOAD.strip()}))
    clients = {role: signed_in(app, resident) for role, resident in residents.items()
               if role in ("member", "coordinator", "admin")}
    clients["karim"] = signed_in(app, karim)
    clients["visitor"] = english_client(app)
    built.update(app=app, clients=clients)
    yield built
    close(app)


def assert_inert(html: str, where: str) -> None:
    """Nothing a member typed became markup, a script, a link to javascript: or an evaluated template."""
    assert "<script>alert(1)" not in html, f"a script tag on {where}"
    assert "<img src=x" not in html and "onerror=alert(1)>" not in html, f"an injected attribute on {where}"
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I), f"a javascript: link on {where}"
    if "7*7" in html:
        assert "{{7*7}}" in html, f"template syntax evaluated on {where}"


# Pages ---------------------------------------------------------------------------------------------------------

GET_ROUTES = [(endpoint, rule) for endpoint, method, rule in routes() if method == "GET"]
# Where the thing worth reading is not Amina's default one.
PAGE_ARGS = {"exchanges.calendar": {"exchange_id": "agreed"}, "exchanges.new": {"?member": "karim"},
             "messages.conversation": {"member_id": "karim"}, "members.report": {"member_id": "karim"}}


@pytest.mark.parametrize("endpoint,rule", GET_ROUTES, ids=[rule for _, rule in GET_ROUTES])
def test_every_page_shows_hostile_text_as_text(world, endpoint, rule):
    url = address_of(world, endpoint, rule, PAGE_ARGS.get(endpoint, {}))
    shown = False
    for role, client in world["clients"].items():
        response = client.get(url)
        # /health/ready answers 503 by design here: the periodic jobs never ran in this world.
        assert response.status_code < 500 or url == "/health/ready", f"{url} as {role}: {response.status_code}"
        if response.mimetype != "text/html":
            continue  # calendar files and spreadsheets: their own tests below
        html = response.get_data(as_text=True)
        assert_inert(html, f"{url} as {role}")
        shown = shown or "alert(1)" in html
    if endpoint in ("exchanges.show", "members.show", "listings.show", "coordination.member", "exchanges.group",
                    "messages.conversation", "listings.index", "main.index", "admin.categories"):
        assert shown, f"{url} should show what was typed (as text), and showed none of it"


def test_the_hostile_text_reads_as_typed(world):
    """Escaped is not mangled: Amina's profile shows her words exactly as she typed them."""
    page = text_of(world["clients"]["karim"].get(f"/members/{world['residents']['member'].id}"))
    assert FORMULAS["bio"].strip() in page


def test_emails_are_plain_text_with_the_words_as_typed(world):
    with world["app"].app_context():
        from timebank.notifications.models import OutboxMessage

        mails = db.session.scalars(db.select(OutboxMessage)).all()
        hostile = [m for m in mails if "alert(1)" in m.body or "alert(1)" in m.subject]
    assert hostile, "no e-mail carried any of the hostile text: the test proves nothing"
    for mail in mails:
        assert "\n" not in mail.subject and "\r" not in mail.subject, mail.subject
        assert "&lt;" not in mail.body and "&#" not in mail.body and "&gt;" not in mail.body, mail.body
    assert any("<script>alert(1)</script>" in m.body for m in hostile)


def test_the_calendar_file_is_valid_with_the_title_as_typed(world):
    import icalendar

    response = world["clients"]["member"].get(f"/exchanges/{world['ids']['agreed']}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]).startswith("Moving" + PAYLOAD)
    assert sorted(events[0].keys()) == ["DESCRIPTION", "DTEND", "DTSTAMP", "DTSTART", "SUMMARY", "UID", "URL"]


# Spreadsheets --------------------------------------------------------------------------------------------------

def assert_no_formula(text: str, where: str) -> None:
    cells = [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]
    typed = [cell for cell in cells if any(marker in cell for marker in MARKERS)]
    assert typed, f"{where} shows none of the hostile text: the test proves nothing"
    formulas = [cell for cell in typed if cell.startswith(FORMULA_STARTS)]
    assert not formulas, f"{where}: a spreadsheet would run {formulas}"


def test_my_hours_spreadsheet_has_no_formula(world):
    assert_no_formula(world["clients"]["member"].get("/me/hours.csv").get_data(as_text=True), "/me/hours.csv")


@pytest.mark.parametrize("table", ["categories", "summary", "months", "balances"])
def test_the_report_spreadsheets_have_no_formula(world, table):
    response = world["clients"]["coordinator"].get(f"/admin/reports/{table}.csv")
    assert response.status_code == 200
    if table == "categories":
        assert_no_formula(response.get_data(as_text=True), f"{table}.csv")
    else:
        cells = [c for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))) for c in row]
        assert not [c for c in cells if c.startswith(("=", "@")) or (c.startswith(("+", "-")) and not _number(c))]


def _number(cell: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+([.:]\d+)?%?", cell))


@pytest.mark.parametrize("name", ["members", "listings", "exchanges", "transfers"])
def test_the_admin_exports_have_no_formula(world, name):
    response = world["clients"]["admin"].post(f"/admin/exports/{name}.csv", data={})
    assert response.status_code == 200
    assert_no_formula(response.get_data(as_text=True), f"the {name} export")


# Invisible characters ------------------------------------------------------------------------------------------

# (who, address, a form the page accepts, the free-text fields to spoil). Addresses use {listing}, {exchange},
# {disputed}, {message}, {amina}, {karim}, {applicant}, {category}.
FORMS = [
    ("member", "/me/profile", {"display_name": "Amina Diallo", "bio": "Hello", "area": "Centre", "languages": ["fr"],
                               "contact_visibility": "counterparts", "locale": "en"}, ("display_name", "bio")),
    ("member", "/listings/new", {"type": "offer", "title": "Sewing", "category": "{category}", "languages": ["fr"],
                                 "description": "Hems", "availability": "Evenings", "tags": "sewing"},
     ("title", "description", "availability", "tags")),
    ("member", "/listings/{listing}/edit", {"type": "offer", "title": "Sewing", "category": "{category}",
                                            "languages": ["fr"], "description": "Hems", "availability": "Evenings",
                                            "tags": "sewing"}, ("title", "description", "availability", "tags")),
    ("member", "/messages/{karim}", {"body": "Hello"}, ("body",)),
    ("member", "/exchanges/{exchange}/messages", {"body": "Hello"}, ("body",)),
    ("member", "/exchanges/{exchange}/decline", {"reason": "Not this week"}, ("reason",)),
    ("member", "/exchanges/new?member={karim}", {"role": "receive", "title": "Sewing", "hours": "1",
                                                 "minutes": "0", "on_date": "2099-01-01", "message": "Hello"},
     ("title", "message")),
    ("member", "/give", {"to": "{karim}", "hours": "1", "minutes": "0", "memo": "Thanks", "key": "k-1",
                         "confirm": "yes"}, ("memo",)),
    ("member", "/groups/new", {"title": "Bread", "description": "Flour", "on_date": "2099-01-01", "hours": "1",
                               "minutes": "0", "max_participants": "5"}, ("title", "description")),
    ("karim", "/listings/{listing}/report", {"reason": "Rude"}, ("reason",)),
    ("karim", "/members/{amina}/report", {"reason": "Rude"}, ("reason",)),
    ("member", "/messages/report/{message}", {"reason": "Rude"}, ("reason",)),
    ("coordinator", "/coordination/members/{amina}/notes", {"body": "Met her"}, ("body",)),
    ("coordinator", "/coordination/members/{amina}/warn", {"warn-body": "Be on time", "warn-warn": "y"},
     ("warn-body",)),
    ("coordinator", "/coordination/members/{amina}/status", {"status-reason": "Asked", "status-suspend": "y"},
     ("status-reason",)),
    ("coordinator", "/coordination/members/{applicant}/decide", {"message": "Welcome", "approve": "y"},
     ("message",)),
    ("coordinator", "/coordination/members/new", {"display_name": "Fatou Sow", "locale": "fr", "languages": ["fr"]},
     ("display_name",)),
    ("coordinator", "/exchanges/{disputed}/resolve", {"resolution": "upheld", "reason": "Both agree", "hours": "1",
                                                      "minutes": "0"}, ("reason",)),
    ("admin", "/admin/categories", {"name_fr": "Vélo", "name_en": "Bikes", "name_ar": "دراجات", "icon": "bike"},
     ("name_fr", "name_en", "name_ar")),
    ("admin", "/admin/people/invitations", {"note": "Sewing workshop"}, ("note",)),
    ("admin", "/admin/people/{amina}/role", {"role": "coordinator", "reason": "Elected"}, ("reason",)),
    ("admin", "/admin/welcome", {"welcome-member": "{amina}", "welcome-hours": "1", "welcome-minutes": "0",
                                 "welcome-reason": "Welcome", "welcome-key": "w-1"}, ("welcome-reason",)),
]
SPOILERS = {"NUL": "\x00", "right-to-left override": "\u202e"}


@pytest.fixture(scope="module")
def plain_world(migrated_database, tmp_path_factory):
    app = module_app(migrated_database, tmp_path_factory)
    built = build_neighbourhood(app)
    clients = {role: signed_in(app, built["residents"][role]) for role in ("member", "coordinator", "admin")}
    clients["karim"] = signed_in(app, built["karim"])
    built.update(app=app, clients=clients, snapshot=Snapshot(app))
    yield built
    close(app)


def _fill(value, world):
    ids, residents = world["ids"], world["residents"]
    names = {"listing": ids["listing"], "exchange": ids["exchange"], "disputed": ids["disputed"],
             "message": ids["message"], "category": ids["category"], "amina": residents["member"].id,
             "karim": world["karim"].id, "applicant": residents["applicant"].id}
    if isinstance(value, list):
        return value
    return value.format(**names)


@pytest.mark.parametrize("spoiler", SPOILERS)
@pytest.mark.parametrize("role,url,form,fields", FORMS, ids=[f[1] for f in FORMS])
def test_invisible_characters_are_refused_with_a_message_and_nothing_is_stored(plain_world, spoiler, role, url,
                                                                             form, fields):
    client, snapshot = plain_world["clients"][role], plain_world["snapshot"]
    url = _fill(url, plain_world)
    for field in fields:
        data = {key: _fill(value, plain_world) for key, value in form.items()}
        data[field] = f"{data[field][:2]}{SPOILERS[spoiler]}{data[field][2:]}"
        response = client.post(url, data=data)
        changed = set(snapshot.changes()) - {"exchange_read"}
        snapshot.restore()
        assert 400 <= response.status_code < 500, f"{url} {field} with a {spoiler}: {response.status_code}"
        assert "Please remove the invisible characters" in text_of(response), f"{url} {field}: no clear message"
        assert not changed, f"{url} {field} with a {spoiler}: refused, but wrote to {changed}"
