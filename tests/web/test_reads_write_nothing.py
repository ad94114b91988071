"""Looking at a page writes nothing unless something changed: an unread mark is written only when something was
unread, so a resident reading her exchanges and notices never takes the write lock nor commits."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.factories import member, publish
from timebank.extensions import db

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|BEGIN IMMEDIATE)\b", re.I)


def writes_of(app, client, url: str) -> list[str]:
    """The statements of one page view that write (or take the write lock)."""
    statements = []

    def record(conn, cursor, statement, *args):
        if WRITES.match(statement):
            statements.append(statement.split("(")[0].strip())

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, url
    return statements


@pytest.fixture
def thread(app, people):
    """Karim proposed French lessons to Amina, with a message."""
    from timebank.exchanges.proposals import exchange_propose
    from timebank.exchanges.steps import Terms

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    with app.test_request_context():
        exchange_id = exchange_propose(proposer=member(karim), counterpart=member(amina), proposer_provides=True,
                                       terms=Terms("French lessons", 60, date.today() + timedelta(days=3), None),
                                       message="Shall we start on Saturday?").id
    return amina, karim, exchange_id


def test_reading_an_exchange_marks_it_read_once_then_writes_nothing(app, client, thread):
    amina, karim, exchange_id = thread
    login(client, amina)
    assert "Messages 1" in text_of(client.get("/"))

    first = writes_of(app, client, f"/exchanges/{exchange_id}")
    again = writes_of(app, client, f"/exchanges/{exchange_id}")

    assert any(statement.startswith("INSERT INTO exchange_read") for statement in first)
    assert again == []
    assert "Messages 1" not in text_of(client.get("/"))

    login(client, karim)
    client.post(f"/exchanges/{exchange_id}/messages", data={"body": "Saturday at ten?"})
    login(client, amina)
    assert "Messages 1" in text_of(client.get("/"))  # a new message is unread again, and reading it is written
    assert any(statement.startswith("INSERT INTO exchange_read")
               for statement in writes_of(app, client, f"/exchanges/{exchange_id}"))
    assert "Messages 1" not in text_of(client.get("/"))


def test_notifications_are_marked_read_only_when_some_are_unread(app, client, thread):
    amina, _karim, _exchange_id = thread
    login(client, amina)
    assert "Notifications 1" in text_of(client.get("/"))

    first = writes_of(app, client, "/notifications")
    again = writes_of(app, client, "/notifications")

    assert any(statement.startswith("UPDATE notification") for statement in first)
    assert again == []
    assert "Notifications 1" not in text_of(client.get("/"))


def test_everyday_pages_write_nothing(app, client, people, thread):
    amina, karim, exchange_id = thread
    listing_id = publish(app, karim, "Aide pour les papiers de la CAF", category="paperwork")
    login(client, amina)
    client.get(f"/exchanges/{exchange_id}")
    client.get("/notifications")

    for url in ("/", "/listings", f"/listings/{listing_id}", "/members", f"/members/{karim.id}", "/me/hours",
                "/exchanges", f"/exchanges/{exchange_id}", "/messages", "/notifications", "/listings?q=papiers"):
        assert writes_of(app, client, url) == [], url
