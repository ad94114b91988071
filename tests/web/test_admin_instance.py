"""Claire, admin: categories, people and roles, exports and an import from the association's spreadsheet."""
import csv
import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from tests.conftest import audit_text, login, text_of
from tests.factories import category_id, publish
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.verify import ledger_verify
from timebank.members.models import Member



@pytest.fixture
def claire(people):
    return people.admin("Claire Dubois")


ADMIN_PAGES = ["/admin/settings", "/admin/categories", "/admin/people", "/admin/exports", "/admin/import"]


def test_admin_pages_are_refused_to_coordinators_members_and_visitors(app, client, people, claire):
    sandrine = people.coordinator("Sandrine Martin")
    karim = people.member("Karim Benali")
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 302
    for resident in (sandrine, karim):
        login(client, resident)
        for url in ADMIN_PAGES:
            assert client.get(url).status_code == 403, url
        assert client.post("/admin/exports/members.csv").status_code == 403
        assert client.post(f"/admin/people/{karim.id}/role", data={"role": "admin", "reason": "x"}).status_code == 403
        assert client.post("/admin/categories", data={"name_fr": "x", "name_en": "x", "name_ar": "x",
                                                      "icon": "book"}).status_code == 403
    assert people.get(karim)["role"] == "member"
    with app.app_context():
        from timebank.listings.models import Category

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 16


def test_categories_are_created_renamed_reordered_and_archived_never_deleted(app, client, people, claire):
    amina = people.member("Amina Diallo")
    login(client, claire)
    missing = client.post("/admin/categories", data={"name_fr": "Jardinage", "name_en": "", "name_ar": "بستنة",
                                                     "icon": "plant"})
    assert missing.status_code == 422 and "Please give the name." in text_of(missing)
    bad_icon = client.post("/admin/categories", data={"name_fr": "Jardinage", "name_en": "Gardening",
                                                      "name_ar": "بستنة", "icon": "../../etc/passwd"})
    assert bad_icon.status_code == 422
    client.post("/admin/categories", data={"name_fr": "Atelier vélo", "name_en": "Bike workshop",
                                           "name_ar": "ورشة الدراجات", "icon": "tools-kitchen-2"})
    with app.app_context():
        from timebank.listings.models import Category

        garden = db.session.scalar(sa.select(Category).where(Category.slug == "bike-workshop"))
        assert garden.names == {"fr": "Atelier vélo", "en": "Bike workshop", "ar": "ورشة الدراجات"}
        garden_id, last = garden.id, garden.position
    duplicate = client.post("/admin/categories", data={"name_fr": "Jardinage", "name_en": "Garden",
                                                       "name_ar": "حديقة", "icon": "plant"})
    assert duplicate.status_code == 422 and "already has this name" in text_of(duplicate)
    client.post(f"/admin/categories/{garden_id}/step", data={"up": "y"})
    client.post(f"/admin/categories/{garden_id}", data={"name_fr": "Vélos partagés", "name_en": "Shared bikes",
                                                        "name_ar": "دراجات مشتركة", "icon": "hammer",
                                                        "requires_verified": ""})
    login(client, amina)
    form = client.get("/listings/new?type=offer").get_data(as_text=True)
    assert "Shared bikes" in form
    listing_id = publish(app, amina, "Je partage mon potager", category="bike-workshop")
    login(client, claire)
    client.post(f"/admin/categories/{garden_id}/step", data={"archive": "y"})
    with app.app_context():
        garden = db.session.get(Category, garden_id)
        assert garden.archived_at is not None and garden.position == last - 1
    login(client, amina)
    assert "Shared bikes" not in client.get("/listings/new?type=offer").get_data(as_text=True)
    assert "Je partage mon potager" in text_of(client.get(f"/listings/{listing_id}"))  # still readable
    login(client, claire)
    log = audit_text(client)
    assert "created the category" in log and "archived the category" in log


def test_people_are_found_and_roles_changed_by_admins_with_a_reason(app, client, people, claire):
    karim = people.member("Karim Benali")
    people.member("Élodie Martin")
    people.applicant("Nadia Haddad")
    login(client, claire)
    page = text_of(client.get("/admin/people?q=elodie"))
    assert "Élodie Martin" in page and "Karim" not in page
    assert "Nadia Haddad" in text_of(client.get("/admin/people?status=pending"))
    assert f"Karim Benali karim@example.org {karim.number}" in text_of(client.get(f"/admin/people?q={karim.number}"))
    assert client.get("/admin/people?page=99").status_code == 404
    no_reason = client.post(f"/admin/people/{karim.id}/role", data={"role": "coordinator", "reason": ""})
    assert no_reason.status_code == 422
    assert client.post(f"/admin/people/{claire.id}/role", data={"role": "member", "reason": "x"}).status_code == 403
    assert people.get(claire)["role"] == "admin"
    client.post(f"/admin/people/{karim.id}/role", data={"role": "coordinator", "reason": "Bénévole depuis 2 ans"})
    assert people.get(karim)["role"] == "coordinator"
    log = text_of(client.get("/coordination/audit?action=role_changed"))
    assert "Claire Dubois changed the role of Karim Benali" in log and "Bénévole depuis 2 ans" in log
    login(client, karim)
    assert client.get("/coordination/").status_code == 200
    assert client.get("/admin/people").status_code == 403


def _csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_exports_open_in_a_spreadsheet_with_accents_and_hours(app, client, people, claire):
    amina = people.member("Amina Diallo")
    with app.app_context():
        db.session.get(Member, amina.id).phone = '=HYPERLINK("x")'
        db.session.commit()
    karim = people.member("Karim Benali")
    login(client, karim)
    client.post("/give", data={"to": str(amina.id), "hours": "1", "minutes": "30", "memo": "Garde d'Inès",
                               "key": "k1", "confirm": "yes"})
    login(client, claire)
    members = _csv(client.post("/admin/exports/members.csv"))
    header, rows = members[0], {row[1]: row for row in members[1:]}
    assert header[:3] == ["number", "name", "email"]
    assert rows["Amina Diallo"][header.index("balance_hours")] == "1.50"
    assert rows["Amina Diallo"][header.index("balance_hmm")] == "1:30"
    assert rows["Amina Diallo"][header.index("phone")].startswith("'=")  # not a formula
    transfers = _csv(client.post("/admin/exports/transfers.csv"))
    assert any(row[transfers[0].index("memo")] == "Garde d'Inès" and row[transfers[0].index("moved_hmm")] == "1:30"
               for row in transfers[1:])
    exchanges = _csv(client.post("/admin/exports/exchanges.csv"))
    assert any("Karim Benali" in row and "Amina Diallo" in row for row in exchanges[1:])
    archive = zipfile.ZipFile(io.BytesIO(client.post("/admin/exports/all.zip").get_data()))
    assert sorted(archive.namelist()) == ["README.txt", "exchanges.csv", "listings.csv", "members.csv", "transfers.csv"]
    assert "Amina Diallo" in archive.read("members.csv").decode("utf-8-sig")
    assert client.post("/admin/exports/passwords.csv").status_code == 404
    assert audit_text(client, "export_downloaded").count("downloaded an export") == 4


SPREADSHEET = """nom;courriel;téléphone;quartier;langues;langue;solde
Fatou Ndiaye;fatou@example.org;06 11 22 33 44;Centre;fr wo;fr;3,5
Hamid Cherif;;07 62 33 44 55;Les Hauts;ar fr;ar;-2
Élise Roux;elise@example.org;;La Source;fr;fr;0
"""


def test_an_import_is_previewed_then_all_or_nothing(app, client, people, claire):
    people.member("Amina Diallo")
    login(client, claire)
    bad = SPREADSHEET + ";amina@example.org;;Mars;xx;fr;abc\nBob;bob@;;Centre;fr;fr;1\nBob Bis;elise@example.org;;;;;\n"
    preview = client.post("/admin/import", data={"file": (io.BytesIO(bad.encode()), "membres.csv")},
                          content_type="multipart/form-data")
    page = text_of(preview)
    assert preview.status_code == 422
    for problem in ("The name is missing.", "Unknown area: Mars.", "Unknown language: xx.",
                    "The balance is not a number of hours.", "A member already has this e-mail address.",
                    "This does not look like an e-mail address.", "This e-mail address is already on line 4."):
        assert problem in page, problem
    assert "Import these members" not in page
    latin = client.post("/admin/import", data={"file": (io.BytesIO(SPREADSHEET.encode("latin-1")), "m.csv")},
                        content_type="multipart/form-data")
    assert latin.status_code == 422 and "not in UTF-8" in text_of(latin)
    huge = "name\n" + "".join(f"Person {n}\n" for n in range(100_000))
    too_many = client.post("/admin/import", data={"file": (io.BytesIO(huge.encode()), "m.csv")},
                           content_type="multipart/form-data")
    assert too_many.status_code in (413, 422)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 2

    good = client.post("/admin/import", data={"file": (io.BytesIO(SPREADSHEET.encode("utf-8-sig")), "m.csv")},
                       content_type="multipart/form-data")
    assert good.status_code == 200 and "3 members in the file." in text_of(good)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', good.get_data(as_text=True)).group(1)
    assert client.post("/admin/import/confirm", data={"payload": payload[:-3] + "abc"}).status_code == 400
    done = client.post("/admin/import/confirm", data={"payload": payload})
    assert done.status_code == 200
    text = text_of(done)
    assert "3 members imported" in text and "Hamid Cherif" in text
    html = done.get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html and "مرحبًا بك في بنك الوقت" in html  # Hamid's sheet, in Arabic
    with app.app_context():
        fatou = db.session.scalar(sa.select(Member).where(Member.email == "fatou@example.org"))
        hamid = db.session.scalar(sa.select(Member).where(Member.display_name == "Hamid Cherif"))
        assert ledger.account_of(fatou).posted == 210 and ledger.account_of(hamid).posted == -120
        assert fatou.area == "Centre" and fatou.language_codes == ["fr", "wo"] and hamid.locale == "ar"
        assert ledger_verify().ok
    assert any("/password/forgot" in mail.body for mail in people.outbox(to="fatou@example.org"))
    # The same file again: everyone is already there, nothing is written twice.
    again = client.post("/admin/import/confirm", data={"payload": payload})
    assert again.status_code == 409 and "This import was already done" in text_of(again)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 5
    assert "imported members from a spreadsheet" in audit_text(client)


def test_last_activity_is_kept_to_the_hour(app, client, people, claire):
    from datetime import timedelta

    from timebank.timeutil import utcnow

    karim = people.member("Karim Benali")
    login(client, karim)
    with app.app_context():
        db.session.get(Member, karim.id).last_seen_at = utcnow() - timedelta(days=3)
        db.session.commit()
    client.get("/listings")
    with app.app_context():
        seen = db.session.get(Member, karim.id).last_seen_at
        assert utcnow() - seen < timedelta(minutes=1)
    client.get("/exchanges")
    with app.app_context():
        assert db.session.get(Member, karim.id).last_seen_at == seen  # not written again within the hour
