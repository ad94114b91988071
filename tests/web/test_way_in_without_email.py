"""A way in without e-mail: Nadia joins with her phone and asks to be called; Fatima, who has no e-mail, gets a
welcome sheet with the association's phone and address, the site's real address and its QR code, and can have it
printed again without losing her password. Every phone typed is checked and kept in E.164."""
from __future__ import annotations

import re

import pytest
import segno
import sqlalchemy as sa

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.members.models import Member

SITE = "https://banque-de-temps.example.org"


@pytest.fixture
def app(make_app):
    return make_app(TIMEBANK_BASE_URL=SITE, TIMEBANK_PHONE="+33140000000", TIMEBANK_ADDRESS="12 rue des Lilas, Lille",
                    TIMEBANK_OPENING_HOURS="Lundi et jeudi, 14 h – 18 h",
                    TIMEBANK_WELCOME_PLACE="Salle du rez-de-chaussée, 12 rue des Lilas")


def _join(client, **fields):
    data = {"display_name": "Nadia Haddad", "email": "nadia@example.org", "password": "une phrase facile",
            "locale": "en", "area": "Centre", "languages": ["ar", "fr"], "charter": "y", **fields}
    return client.post("/register", data=data)


def _member(app, email="nadia@example.org"):
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        return None if member is None else {"phone": member.phone, "call_me": member.call_me, "id": member.id}


def test_nadia_joins_with_her_phone_asks_to_be_called_and_the_coordinator_sees_it(app, client, people):
    sandrine = people.coordinator()
    response = _join(client, phone="06 12 34 56 78", call_me="y")
    assert response.status_code == 303
    assert _member(app) == {"phone": "+33612345678", "call_me": True, "id": _member(app)["id"]}

    client.post("/login", data={"identifier": "nadia@example.org", "password": "une phrase facile"})
    waiting = text_of(client.get("/"))
    assert "A coordinator of the association will call you soon on 06 12 34 56 78 to meet you." in waiting
    assert "You can also call or visit the association: 01 40 00 00 00 12 rue des Lilas, Lille" in waiting
    assert "Where: Salle du rez-de-chaussée, 12 rue des Lilas" in waiting

    login(client, sandrine)
    page = client.get("/coordination/")
    assert "How to reach her Call me : 06 12 34 56 78" in text_of(page).replace("Call me:", "Call me :")
    assert '<a href="tel:+33612345678" dir="ltr">06 12 34 56 78</a>' in page.get_data(as_text=True)
    her_page = client.get(f"/coordination/members/{_member(app)['id']}")
    assert "Phone 06 12 34 56 78" in text_of(her_page) and "How to reach her Call me" in text_of(her_page)


def test_an_applicant_who_leaves_out_the_phone_is_written_to(app, client, people):
    assert _join(client).status_code == 303
    assert _member(app)["phone"] is None and _member(app)["call_me"] is False
    client.post("/login", data={"identifier": "nadia@example.org", "password": "une phrase facile"})
    assert ("A coordinator of the association will write to you soon at nadia@example.org to meet you."
            in text_of(client.get("/")))


@pytest.mark.parametrize("typed, message", [
    ("06 12", "This is not a valid phone number."),
    ("212 6 12 34 56 78", "a number from another country with + and its country code"),  # foreign, without +
    ("call me maybe", "This is not a valid phone number."),
])
def test_a_phone_that_is_not_one_is_refused_next_to_the_field_and_nothing_is_written(app, client, people, typed,
                                                                                    message):
    before = people.count_members()
    response = _join(client, phone=typed, call_me="y")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'id="phone-error"[^>]*>(.*?)</', html, flags=re.S)  # the message sits with the phone field
    assert error and message in text_of_html(error.group(1))
    assert 'aria-describedby="phone-hint phone-error"' in html
    assert people.count_members() == before


def test_call_me_without_a_phone_asks_for_the_number(app, client, people):
    before = people.count_members()
    response = _join(client, call_me="y")
    assert response.status_code == 422
    assert "Please give your phone number, so that a coordinator can call you." in text_of(response)
    assert people.count_members() == before


def test_a_foreign_number_with_its_country_code_is_kept_and_shown_internationally(app, client, people):
    amina = people.member("Amina Diallo")
    login(client, amina)
    response = client.post("/me/profile", data={"display_name": "Amina Diallo", "area": "Centre",
                                                "languages": ["ar"], "phone": "+212 6 12 34 56 78",
                                                "contact_visibility": "counterparts", "locale": "en"})
    assert response.status_code == 302
    assert people.get(amina)["phone"] == "+212612345678"
    assert 'value="+212 6 12 34 56 78"' in client.get("/me/profile").get_data(as_text=True)
    refused = client.post("/me/profile", data={"display_name": "Amina Diallo", "area": "Centre", "languages": ["ar"],
                                               "phone": "0000", "contact_visibility": "counterparts", "locale": "en"})
    assert refused.status_code == 422 and "This is not a valid phone number." in text_of(refused)
    assert people.get(amina)["phone"] == "+212612345678"


def text_of_html(html: str) -> str:
    import html as html_module

    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


# The welcome sheet ------------------------------------------------------------------------------------------------


def qr_matrix(svg: str) -> list[list[int]]:
    """Read back the dark modules of segno's SVG path (M, m and h steps, one unit per module)."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                dark.add((int(y), column))
            x += float(a)
    size = int(re.search(r'width="(\d+)"', svg).group(1)) // 4 - 8  # scale 4, a border of 4 modules each side
    return [[1 if (row + 4, column + 4) in dark else 0 for column in range(size)] for row in range(size)]


def _sheet_of_new_member(client):
    response = client.post("/coordination/members/new", data={
        "display_name": "Fatima Zahra", "phone": "07 61 22 33 44", "locale": "en", "area": "Centre",
        "languages": ["ar"]})
    assert response.status_code == 200
    return response


def test_the_welcome_sheet_shows_how_to_reach_the_association_and_a_qr_code_of_the_site(app, client, people):
    sandrine = people.coordinator()
    login(client, sandrine)
    response = _sheet_of_new_member(client)
    html, page = response.get_data(as_text=True), text_of(response)

    assert "Phone 01 40 00 00 00" in page
    assert "Address 12 rue des Lilas, Lille" in page
    assert "Opening hours Lundi et jeudi, 14 h – 18 h" in page
    assert f"The website {SITE}" in page
    assert "http://127.0.0.1" not in html and "contact@example.org" not in page
    assert "is a local address" not in page  # the site has its real address: no warning
    svg = re.search(r"<svg\b.*?</svg>", html, flags=re.S).group(0)
    expected = segno.make(SITE, error="m", micro=False)
    assert qr_matrix(svg) == [list(row) for row in expected.matrix]
    with app.app_context():
        assert db.session.scalar(sa.select(Member.phone).where(Member.display_name == "Fatima Zahra")) == "+33761223344"


def test_a_coordinator_reprints_a_sheet_and_the_password_stays(app, client, people):
    sandrine = people.coordinator()
    login(client, sandrine)
    html = _sheet_of_new_member(client).get_data(as_text=True)
    number = re.search(r'class="big">(\d+)<', html).group(1)
    password = re.search(r'class="big" dir="ltr">([a-z]+-\d{4}-[a-z]+)<', html).group(1)
    with app.app_context():
        fatima_id = db.session.scalar(sa.select(Member.id).where(Member.display_name == "Fatima Zahra"))
    assert f"/coordination/members/{fatima_id}/welcome-sheet" in client.get(
        f"/coordination/members/{fatima_id}").get_data(as_text=True)

    reprint = client.get(f"/coordination/members/{fatima_id}/welcome-sheet")

    assert reprint.status_code == 200 and reprint.headers["Cache-Control"] == "no-store"
    page = text_of(reprint)
    assert f"Your member number {number}" in page
    assert "Your password The one you were given (or the one you chose since)" in page
    assert password not in reprint.get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"identifier": number, "password": password}).status_code == 302


def test_only_coordinators_reprint_a_sheet(app, client, people):
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    assert client.get(f"/coordination/members/{amina.id}/welcome-sheet").status_code == 302  # sign in first
    login(client, karim)
    assert client.get(f"/coordination/members/{amina.id}/welcome-sheet").status_code == 403
    login(client, people.coordinator())
    assert client.get("/coordination/members/99999/welcome-sheet").status_code == 404


@pytest.mark.parametrize("address", ["http://127.0.0.1:5000", "http://localhost:8000", "http://192.168.1.20"])
def test_the_sheet_warns_the_coordinator_on_screen_when_the_site_address_is_local(make_app, people, address):
    app = make_app(TIMEBANK_BASE_URL=address)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    from tests.factories import Factory

    login(client, Factory(app).coordinator())
    html = _sheet_of_new_member(client).get_data(as_text=True)
    warning = re.search(r'<div class="flash flash-error no-print" role="alert">(.*?)</div>', html, flags=re.S)
    assert warning, "no warning for a local address"
    assert "residents cannot open it from their phones" in text_of_html(warning.group(1))
    assert "TIMEBANK_BASE_URL" in warning.group(1)
    # Without phone or address in the settings, the sheet still gives the contact address of the association.
    assert "Contact contact@example.org" in text_of_html(html)


def test_an_admin_sets_the_association_s_phone_address_and_welcome_place(app, client, people):
    claire = people.admin()
    login(client, claire)
    from tests.web.test_settings import settings_form

    form = settings_form(client)
    refused = client.post("/admin/settings", data={**form, "phone": "01 40", "address": "1 place du Marché"})
    assert refused.status_code == 422 and "This is not a valid phone number." in text_of(refused)
    saved = client.post("/admin/settings", data={**form, "phone": "03 20 00 00 00", "address": "1 place du Marché",
                                                 "welcome_place": "Au local, porte B"})
    assert saved.status_code == 303, text_of(saved)
    with app.app_context():
        assert app.config["TIMEBANK_PHONE"] == "+33320000000"
        assert app.config["TIMEBANK_ADDRESS"] == "1 place du Marché"
        assert app.config["TIMEBANK_WELCOME_PLACE"] == "Au local, porte B"
    assert 'value="03 20 00 00 00"' in client.get("/admin/settings").get_data(as_text=True)


def test_imported_members_sheets_carry_the_qr_code_and_the_local_address_warning_once(make_app, people):
    import io

    from tests.factories import Factory

    app = make_app(TIMEBANK_BASE_URL="http://localhost:5000", TIMEBANK_PHONE="+33140000000")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, Factory(app).admin())
    sheet = "name;email;phone\nHamid Cherif;;07 62 33 44 55\nMariam Sow;;\n"
    preview = client.post("/admin/import", data={"file": (io.BytesIO(sheet.encode()), "m.csv")},
                          content_type="multipart/form-data")
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    done = client.post("/admin/import/confirm", data={"payload": payload})
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert html.count("residents cannot open it from their phones") == 1
    assert html.count('class="sheet-qr"') == 2 and html.count("01 40 00 00 00") == 2
    with app.app_context():
        assert db.session.scalar(sa.select(Member.phone).where(Member.display_name == "Hamid Cherif")) == "+33762334455"
