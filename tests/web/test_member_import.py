"""Claire imports the association's spreadsheet: once only, and every line checked as the web forms check it."""
import io
import re
import threading

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.ledger.models import Transfer, TransferKind
from timebank.ledger.verify import ledger_verify
from timebank.members.models import Member

SHEET = """nom;courriel;quartier;langues;langue;solde
Hamid Cherif;;Les Hauts;ar fr;ar;-2
Mariam Sow;;Centre;fr;fr;3,5
Élise Roux;elise@example.org;La Source;fr;fr;1
"""


@pytest.fixture
def claire(people):
    return people.admin("Claire Dubois")


def _preview(client, text: str):
    return client.post("/admin/import", data={"file": (io.BytesIO(text.encode("utf-8")), "membres.csv")},
                       content_type="multipart/form-data")


def _payload(response) -> str:
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def _imported(app) -> tuple[int, int]:
    with app.app_context():
        members = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(
            Member.display_name.in_(["Hamid Cherif", "Mariam Sow", "Élise Roux"])))
        openings = db.session.scalar(sa.select(sa.func.count()).select_from(Transfer).where(
            Transfer.kind == TransferKind.OPENING))
        assert ledger_verify().ok
        return members, openings


def test_an_import_confirmed_twice_in_a_row_imports_its_members_once(app, client, people, claire):
    login(client, claire)
    payload = _payload(_preview(client, SHEET))
    first = client.post("/admin/import/confirm", data={"payload": payload})
    assert first.status_code == 200 and "3 members imported" in text_of(first), text_of(first)
    again = client.post("/admin/import/confirm", data={"payload": payload})
    assert again.status_code == 409
    assert "This import was already done" in text_of(again)
    assert _imported(app) == (3, 3)


def test_an_import_confirmed_twice_at_the_same_moment_imports_its_members_once(app, client, people, claire):
    login(client, claire)
    payload = _payload(_preview(client, SHEET))
    tabs = [app.test_client() for _ in range(2)]
    for tab in tabs:
        tab.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login(tab, claire)
    start, answers = threading.Barrier(2), []

    def confirm(tab):
        start.wait()
        response = tab.post("/admin/import/confirm", data={"payload": payload})
        answers.append((response.status_code, text_of(response)))

    threads = [threading.Thread(target=confirm, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _ in answers) == [200, 409]
    assert any("This import was already done" in text for status, text in answers if status == 409)
    assert _imported(app) == (3, 3)


@pytest.mark.parametrize("balance", ["inf", "1e400", "nan", "-inf", "1,5e3", "0x10"])
def test_an_unreadable_opening_balance_is_a_line_message_not_an_error(app, client, people, claire, balance):
    login(client, claire)
    response = _preview(client, f"nom;solde\nHawa Coulibaly;{balance}\n")
    assert response.status_code == 422
    assert "Line 2" in text_of(response) or "The balance is not a number of hours." in text_of(response)
    assert "Import these members" not in text_of(response)


def test_a_huge_cell_or_a_nul_in_a_name_is_a_line_message_not_an_error(app, client, people, claire):
    login(client, claire)
    huge = _preview(client, "nom;quartier\nHawa Coulibaly;" + "x" * 140_000 + "\n")
    assert huge.status_code == 422 and "cannot be read" in text_of(huge)
    long_name = _preview(client, '"nom";"quartier"\n"' + "y" * 100_000 + '";Centre\n')
    assert long_name.status_code == 422 and "longer than 80 characters" in text_of(long_name)
    nul = _preview(client, "nom;courriel\nHa\x00wa;hawa@example.org\n")
    assert nul.status_code == 422
    assert "Please remove the invisible characters" in text_of(nul)
    assert people.count_members() == 1


def test_an_import_refuses_what_the_web_forms_refuse_and_amounts_off_the_step(app, client, people, claire):
    login(client, claire)
    lines = ["nom;courriel;téléphone;solde",
             "Hawa\u202eilaboC;;;1",                    # right-to-left override
             "Ha\u200bwa Coulibaly;;;1",                 # zero-width space
             "Hawa\x07 Coulibaly;;;1",                   # a control character
             "Fatou Ndiaye;=cmd|'/Ccalc'!A0@example.org;;1",
             "Awa Diop;awa@example.org;<script>;1",
             "Moussa Ba;;;1,33"]                          # 1 h 19.8: off the 15-minute step
    response = _preview(client, "\n".join(lines) + "\n")
    page = text_of(response)
    assert response.status_code == 422
    assert page.count("Please remove the invisible characters") == 3
    assert "This e-mail address cannot be used" in page
    assert "This is not a valid phone number." in page
    assert "The balance must be a whole number of steps of 15 minutes." in page
    assert people.count_members() == 1


def test_an_e_mail_that_a_spreadsheet_would_run_is_refused_at_registration(app, client, people):
    for email in ("=cmd|'/Ccalc'!A0@example.org", "+sum@example.org", "-x@example.org", "a|b@example.org"):
        response = client.post("/register", data={
            "display_name": "Hawa Coulibaly", "email": email, "password": "un mot de passe long", "locale": "en",
            "area": "Centre", "languages": ["fr"], "charter": "y"})
        assert response.status_code == 422, email
        assert "This e-mail address cannot be used" in text_of(response)
    assert people.count_members() == 0


def test_a_page_number_past_any_end_is_a_404_not_an_error(app, client, people, claire):
    login(client, claire)
    for url in ("/admin/people", "/listings", "/members", "/me/hours"):
        for page in ("99999999999999999999", "9223372036854775808", "-99999999999999999999"):
            response = client.get(f"{url}?page={page}")
            assert response.status_code in (200, 404), (url, page)
    assert client.get("/admin/people?page=99999999999999999999").status_code == 404
