"""Every CSV the timebank produces opens safely in a spreadsheet and adds up: Claire (admin) exports, Amina downloads
her hours, Sandrine downloads a report table."""
import csv
import io
import zipfile
from collections import defaultdict

import pytest

from tests.conftest import login, text_of
from tests.factories import account, member, publish
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.ledger import services as ledger
from timebank.ledger.models import TransferKind

PLANTED = "=cmd|'/Ccalc'!A0"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def claire(people):
    return people.admin("Claire Dubois")


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _column(table, name) -> list[str]:
    index = table[0].index(name)
    return [row[index] for row in table[1:]]


def test_a_planted_formula_in_text_cells_never_reaches_a_spreadsheet_as_a_formula(app, client, people, claire):
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    with app.app_context():
        m = member(amina)
        m.area, m.display_name = "@SUM(A1:A9)", "-2+3 Amina"
        m.email = f"{PLANTED}@example.org"  # as an older version let it in
        db.session.commit()
        ledger.transfer_post(debit=account(karim), credit=account(amina), minutes=90, kind=TransferKind.DIRECT,
                             key="k1", actor=member(karim), memo="+HYPERLINK(\"http://x\")")
    login(client, claire)
    members = _csv(client.post("/admin/exports/members.csv"))
    row = next(r for r in members[1:] if "Amina" in r[1])
    header = members[0]
    assert row[header.index("email")] == f"'{PLANTED}@example.org"
    assert row[header.index("area")] == "'@SUM(A1:A9)"
    assert row[header.index("name")] == "'-2+3 Amina"
    karim_row = next(r for r in members[1:] if r[1] == "Karim Benali")
    assert karim_row[header.index("balance_hours")] == "-1.50"  # a real number stays a number
    assert karim_row[header.index("balance_minutes")] == "-90"
    assert karim_row[header.index("balance_hmm")] == "-1:30"
    archive = zipfile.ZipFile(io.BytesIO(client.post("/admin/exports/all.zip").get_data()))
    for name in ("members.csv", "listings.csv", "exchanges.csv", "transfers.csv"):
        for cells in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))):
            for value in cells:
                assert not value.startswith(("=", "+", "@")), (name, value)
    memo = _column(_csv(client.post("/admin/exports/transfers.csv")), "memo")
    assert '\'+HYPERLINK("http://x")' in memo
    login(client, karim)
    hours = _csv(client.get("/me/hours.csv"))
    assert hours[1][1] == "'-2+3 Amina" and hours[1][3] == '\'+HYPERLINK("http://x")'
    assert hours[1][4] == "-90" and hours[1][5] == "-1.50"


def test_csv_downloads_name_their_charset_once(app, client, people, claire):
    login(client, claire)
    for url in ("/admin/exports/members.csv", "/admin/reports/summary.csv", "/me/hours.csv"):
        response = client.post(url) if "exports" in url else client.get(url)
        response.get_data()
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url


def test_the_listings_export_names_categories_in_the_admins_language(app, client, people, claire):
    amina = people.member("Amina Diallo")
    publish(app, amina, "Traduction de courriers", category="translation")
    login(client, claire)
    client.get("/?lang=ar")
    arabic = _column(_csv(client.post("/admin/exports/listings.csv")), "category")
    client.get("/?lang=en")
    english = _column(_csv(client.post("/admin/exports/listings.csv")), "category")
    assert english == ["Translation and interpreting"]
    assert arabic != english and arabic[0].strip()


def test_the_transfers_export_counts_each_hour_once_and_adds_up_to_every_balance(app, client, people, claire):
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    nadia = people.member("Nadia Haddad")
    with app.app_context():
        a, k, n = account(amina), account(karim), account(nadia)
        settled = ledger.transfer_reserve(debit=k, credit=a, minutes=120, kind=TransferKind.EXCHANGE, key="r1",
                                          actor=member(karim))
        paid = ledger.transfer_post_pending(pending=settled, key="p1", actor=member(karim), minutes=90)
        released = ledger.transfer_reserve(debit=a, credit=n, minutes=60, kind=TransferKind.EXCHANGE, key="r2",
                                           actor=member(amina))
        ledger.transfer_void(pending=released, actor=member(amina))
        ledger.transfer_reserve(debit=n, credit=k, minutes=30, kind=TransferKind.EXCHANGE, key="r3",
                                actor=member(nadia))
        ledger.transfer_post(debit=a, credit=n, minutes=45, kind=TransferKind.DIRECT, key="d1", actor=member(amina))
        settled_id, paid_id, released_id = settled.id, paid.id, released.id
    login(client, claire)
    table = _csv(client.post("/admin/exports/transfers.csv"))
    states = dict(zip(_column(table, "id"), _column(table, "state")))
    assert states[str(settled_id)] == f"settled-by #{paid_id}"
    assert states[str(paid_id)] == "posted"
    assert states[str(released_id)] == "released"
    assert sorted(states.values()) == sorted(["posted", "posted", "released", "reserved", f"settled-by #{paid_id}"])
    moved = [int(v) for v in _column(table, "moved_minutes")]
    assert sum(moved) == 90 + 45  # the hours that really moved, once each
    per_account = defaultdict(int)
    for source, target, minutes in zip(_column(table, "from"), _column(table, "to"), moved):
        per_account[source] -= minutes
        per_account[target] += minutes
    for resident in (amina, karim, nadia):
        login(client, resident)
        page = text_of(client.get("/me/hours"))
        with app.test_request_context(headers={"Accept-Language": "en"}):
            balance = ledger.balance_of(account(resident)).posted
            assert format_minutes(per_account[str(resident.number)]).strip("\u2068\u2069") in page
        assert per_account[str(resident.number)] == balance
    login(client, claire)
    page = text_of(client.get("/admin/exports"))
    assert "settled-by #N" in page and "moved_minutes" in page
    archive = zipfile.ZipFile(io.BytesIO(client.post("/admin/exports/all.zip").get_data()))
    assert "README.txt" in archive.namelist()
    assert "moved_minutes" in archive.read("README.txt").decode("utf-8-sig")
