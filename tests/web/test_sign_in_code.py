"""Signing in with a code by text message: Fatou has a phone and no e-mail address.

The code works once, for ten minutes; asking is rate-limited per number and per address; the page answers
the same whether the number is a member's or not.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import text_of
from timebank.extensions import db
from timebank.members.models import Member
from timebank.members.texts import SignInCode
from timebank.notifications.models import OutboxMessage
from timebank.timeutil import utcnow

FATOU_PHONE = "07 81 22 33 44"


@pytest.fixture
def app(make_app):
    return make_app(TIMEBANK_SIGN_IN_CODE_LIMIT_PER_NUMBER="3 per hour",
                    TIMEBANK_SIGN_IN_CODE_LIMIT_PER_ADDRESS="6 per hour")


@pytest.fixture
def fatou(app, people):
    fatou = people.member("Fatou Sow", email=None)
    with app.app_context():
        db.session.execute(sa.update(Member).where(Member.id == fatou.id).values(phone=FATOU_PHONE))
        db.session.commit()
    return fatou


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def codes_sent(app) -> list[str]:
    with app.app_context():
        bodies = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.channel == "sms")
                                    .order_by(OutboxMessage.id)).all()
    return [re.search(r"\b(\d{6})\b", body).group(1) for body in bodies]


def ask(client, phone=FATOU_PHONE):
    return client.post("/login/code", data={"phone": phone})


def enter(client, code, phone=FATOU_PHONE):
    return client.post("/login/code/enter", data={"phone": phone, "code": code})


def signed_in_as(client) -> str:
    """The name on the profile page of whoever is signed in ("" for nobody)."""
    page = client.get("/me/profile")
    found = re.search(r'name="display_name"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="display_name"',
                      page.get_data(as_text=True))
    return (found.group(1) or found.group(2)) if page.status_code == 200 and found else ""


def test_the_code_signs_in_once(app, client, fatou):
    assert "Get a code by text message" in text_of(client.get("/login"))
    answer = ask(client)
    assert answer.status_code == 200
    [code] = codes_sent(app)
    with app.app_context():
        [text] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
        assert text.to_address == "+33781223344"
        stored = db.session.scalars(sa.select(SignInCode)).one()
        assert code not in stored.code_hash  # only a keyed hash is kept

    admin = client.application.test_client()
    from tests.conftest import login
    from tests.factories import Factory

    login(admin, Factory(app).admin())
    outbox_page = text_of(admin.get("/admin/outbox?channel=sms"))
    assert "+33781223344" in outbox_page and "A sign-in code (hidden)" in outbox_page and code not in outbox_page

    response = enter(client, code)
    assert response.status_code == 302
    assert signed_in_as(client) == "Fatou Sow"

    client.post("/logout")
    again = enter(client, code)
    assert again.status_code == 401
    assert "This code does not work" in text_of(again)


def test_a_code_expires_after_ten_minutes(app, client, fatou, monkeypatch):
    ask(client)
    [code] = codes_sent(app)
    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr("timebank.members.texts.utcnow", lambda: later)
    assert enter(client, code).status_code == 401
    assert signed_in_as(client) == ""


def test_a_new_code_replaces_the_one_before_and_guessing_burns_it(app, client, fatou):
    ask(client)
    ask(client)
    first, second = codes_sent(app)
    assert enter(client, first).status_code == 401 or first == second
    wrong = "000000" if second != "000000" else "111111"
    for _ in range(3):
        assert enter(client, wrong).status_code == 401
    assert enter(client, second).status_code == 401  # three wrong guesses: the code no longer works


def test_the_page_answers_the_same_for_an_unknown_number(app, client, fatou, people):
    known = ask(client)
    unknown = ask(client, "07 99 88 77 66")
    # A member who has an e-mail address signs in with it: no code for her either.
    amina = people.member("Amina Diallo")
    with app.app_context():
        db.session.execute(sa.update(Member).where(Member.id == amina.id).values(phone="0698765432"))
        db.session.commit()
    with_email = ask(client, "06 98 76 54 32")
    assert known.status_code == unknown.status_code == with_email.status_code == 200
    assert text_of(known) == text_of(unknown) == text_of(with_email)
    assert len(codes_sent(app)) == 1


def test_a_number_that_is_not_one_gets_a_message_next_to_the_field(app, client):
    answer = ask(client, "12")
    assert answer.status_code == 422
    assert "Please type a phone number" in text_of(answer)


def test_asking_is_rate_limited_per_number_and_per_address(app, client, fatou):
    for _ in range(3):
        assert ask(client).status_code == 200
    assert ask(client).status_code == 429  # a fourth code for this number within the hour
    assert len(codes_sent(app)) == 3
    # Other numbers from the same address: six asks an hour in all, whatever the numbers.
    for n in range(3):
        assert ask(client, f"07 99 88 77 6{n}").status_code == 200
    assert ask(client, "07 99 88 77 69").status_code == 429
