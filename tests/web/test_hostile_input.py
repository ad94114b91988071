"""What a careless or hostile member may type never breaks a page, the mail queue or another member."""
import re

import pytest

from tests.conftest import login, text_of
from tests.factories import account
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.members.models import Member


@pytest.fixture
def karim(people, auth):
    karim = people.member("Karim Benali")
    auth.login("karim@example.org")
    return karim


def key_of(client):
    return re.search(r'name="key" type="hidden" value="([^"]+)"', client.get("/give").get_data(as_text=True)).group(1)


def test_a_key_the_timebank_will_need_cannot_be_taken(make_app, people):
    """Karim tries to use the key of Nadia's future welcome hours: it is his own key, and Nadia still gets them."""
    app = make_app(TIMEBANK_WELCOME_MINUTES=60)
    client = app.test_client()
    client.post("/login", data={"identifier": people.member("Karim Benali").email,
                                "password": "correct horse battery"})
    nadia = people.applicant("Nadia Haddad")
    for key in (f"auto:welcome:{nadia.id}", f"auto-welcome-{nadia.id}"):
        client.post("/give", data={"to": "community", "hours": "0", "minutes": "15", "key": key, "confirm": "yes"})
    people.coordinator("Sandrine Martin")
    coordinator = app.test_client()
    coordinator.post("/login", data={"identifier": "sandrine@example.org", "password": "correct horse battery"})

    response = coordinator.post(f"/coordination/members/{nadia.id}/decide", data={"approve": "y"})

    assert response.status_code == 303
    with app.app_context():
        assert ledger.account_of(db.session.get(Member, nadia.id)).posted == 60


def test_a_name_with_a_line_break_is_refused(client, people, karim):
    response = client.post("/me/profile", data={
        "display_name": "Karim\r\nBcc: everyone@example.org", "area": "Centre", "languages": ["fr"],
        "contact_visibility": "counterparts", "locale": "en"})
    assert response.status_code == 422
    assert "Please remove the invisible characters" in text_of(response)
    assert people.get(karim)["display_name"] == "Karim Benali"


def test_a_message_that_cannot_be_sent_does_not_block_the_others(app, people, ctx):
    from timebank.notifications.models import OutboxMessage
    from timebank.notifications.services import mail_send_due

    karim = people.member("Karim Benali")
    db.session.add(OutboxMessage(to_address="bad\naddress@example.org", member_id=karim.id, locale="en",
                                 subject="Broken\r\nBcc: x", body="x"))
    db.session.commit()
    app.test_client().post("/password/forgot", data={"email": "karim@example.org"})
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False, MAIL_TIMEOUT=1)

    report = mail_send_due()

    assert report.failed == 2  # both tried; neither crashed the run
    assert [m.attempts for m in people.outbox()] == [1, 1]


def test_a_memo_cannot_become_a_spreadsheet_formula(app, client, people, karim, auth):
    amina = people.member("Amina Diallo")
    form = {"to": str(amina.id), "hours": "1", "minutes": "0", "key": key_of(client),
            "memo": '=HYPERLINK("http://evil.example","Click")', "confirm": "yes"}
    client.post("/give", data=form)
    auth.logout()
    auth.login("amina@example.org")

    csv_text = client.get("/me/hours.csv").get_data(as_text=True)

    assert "'=HYPERLINK" in csv_text
    assert ',=HYPERLINK' not in csv_text


def test_user_text_is_escaped_on_the_hours_pages(app, client, people, karim, auth):
    amina = people.member("Amina Diallo")
    memo = '<img src=x onerror=alert(1)>'
    form = {"to": str(amina.id), "hours": "1", "minutes": "0", "key": key_of(client), "memo": memo}
    confirm = client.post("/give", data=form).get_data(as_text=True)
    client.post("/give", data={**form, "confirm": "yes"})
    mine = client.get("/me/hours").get_data(as_text=True)
    auth.logout()
    auth.login("amina@example.org")
    notices = client.get("/notifications").get_data(as_text=True)
    for html in (confirm, mine, notices):
        assert memo not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("url", ["/me/hours?page=99999999999999999999", "/me/hours?page=-5"])
def test_absurd_pages_are_not_errors(client, karim, url):
    assert client.get(url).status_code in (200, 404)


def test_absurd_ids_are_not_found(client, people, auth):
    people.coordinator("Sandrine Martin")
    auth.login("sandrine@example.org")
    assert client.post("/coordination/members/99999999999999999999/decide", data={"approve": "y"}).status_code == 404


@pytest.mark.parametrize("identifier", ["²", "M-²", "١٠٠١", "-", "M", "1" * 40])
def test_odd_identifiers_just_fail_to_sign_in(client, people, identifier):
    people.member("Karim Benali")
    response = client.post("/login", data={"identifier": identifier, "password": "correct horse battery"})
    assert response.status_code == 401


def test_the_account_limit_cannot_be_dodged_by_writing_the_number_differently(client, people):
    hamid = people.member("Hamid Cherif", email=None)
    spellings = [str(hamid.number), f"0{hamid.number}", f"M-{hamid.number}", f"m{hamid.number}", f"M {hamid.number}"]
    for spelling in spellings:
        client.post("/login", data={"identifier": spelling, "password": "a wrong guess"})

    blocked = client.post("/login", data={"identifier": f"00{hamid.number}", "password": hamid.password})

    assert blocked.status_code == 429


def test_a_conflicting_key_gets_a_fresh_form(app, client, people, karim):
    amina = people.member("Amina Diallo")
    key = key_of(client)
    client.post("/give", data={"to": str(amina.id), "hours": "1", "minutes": "0", "key": key, "confirm": "yes"})

    response = client.post("/give", data={"to": str(amina.id), "hours": "2", "minutes": "0", "key": key,
                                          "confirm": "yes"})

    assert response.status_code == 409
    assert "This form was already used for a different transfer." in text_of(response)
    fresh = re.search(r'name="key" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)
    assert fresh != key
    second = client.post("/give", data={"to": str(amina.id), "hours": "2", "minutes": "0", "key": fresh,
                                        "confirm": "yes"})
    assert second.status_code == 303


def test_letters_for_hours_give_one_clear_message(client, people, karim):
    amina = people.member("Amina Diallo")
    response = client.post("/give", data={"to": str(amina.id), "hours": "two", "minutes": "0", "key": key_of(client)})
    page = text_of(response)
    assert "Please give a number of hours in figures, for example 2." in page
    assert "cannot be negative" not in page


def test_a_suspended_member_cannot_change_the_profile(app, client, people, auth):
    from timebank.members.models import Status

    hamid = people.member("Hamid Cherif", status=Status.SUSPENDED)
    auth.login("hamid@example.org")
    response = client.post("/me/profile", data={"display_name": "Someone else", "area": "Centre",
                                                "languages": ["fr"], "contact_visibility": "members",
                                                "locale": "en"})
    assert response.status_code == 403
    assert people.get(hamid)["display_name"] == "Hamid Cherif"


def test_a_replayed_correction_with_another_amount_is_refused(ctx, people):
    from timebank.ledger.errors import IdempotencyConflict
    from timebank.ledger.models import TransferKind

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    sandrine = db.session.get(Member, people.coordinator("Sandrine Martin").id)
    original = ledger.transfer_post(debit=account(karim), credit=account(amina), minutes=60,
                                    kind=TransferKind.DIRECT, key="t", actor=sandrine)
    ledger.transfer_correct(transfer=original, minutes=30, reason="shorter", key="fix", actor=sandrine)

    assert ledger.transfer_correct(transfer=original, minutes=30, reason="shorter", key="fix",
                                   actor=sandrine).minutes == 30
    with pytest.raises(IdempotencyConflict):
        ledger.transfer_correct(transfer=original, minutes=0, reason="gone", key="fix", actor=sandrine)
    assert ledger.balance_of(account(amina)).posted == 30


@pytest.mark.parametrize("path", ["/give?to=%C2%B2", "/give?listing=%C2%B2", "/exchanges/new?listing=%C2%B2",
                                  "/exchanges/new?member=%C2%B2", "/exchanges/new?member=%D9%A3"])
def test_digits_from_other_scripts_in_an_address_are_refused_not_a_crash(client, people, path):
    """"²" or an Arabic-Indic "٣" pass str.isdigit() but not int(): the page answers, never a 500."""
    login(client, people.member("Amina Diallo"))
    assert client.get(path).status_code < 500
