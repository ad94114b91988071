"""Two first views of the same page at the same moment (two tabs, a double tap, a phone and a computer) both show
the page: noting "read up to here" or saving a choice never fails because the other request noted it first."""
from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.factories import member
from timebank.extensions import db


def _in_thread(work):
    """Start ``work`` in a thread; return a function that waits for it and gives its result."""
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", work()))
    thread.start()

    def join():
        thread.join(timeout=30)
        assert not thread.is_alive(), "the request never finished"
        return result["value"]

    return join


def _while_another_request_writes(app, sql: str, params: dict, work):
    """Run ``work`` in a thread while another transaction has written ``sql`` and not committed yet, then commit it.

    This is the moment of the race, made certain: the other first view has inserted its row, ours cannot see it.
    """
    with app.app_context():
        engine = db.engine
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as other:
        other.execute(sa.text(sql), params)
        join = _in_thread(work)
        time.sleep(0.5)  # ours is now waiting for the other's row (PostgreSQL) or for the write lock (SQLite)
        other.commit()
    return join()


def test_two_first_views_of_an_exchange_at_once_both_show_it(app, people):
    from timebank.exchanges.proposals import exchange_propose
    from timebank.exchanges.steps import Terms

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    with app.test_request_context():
        exchange_id = exchange_propose(proposer=member(karim), counterpart=member(amina), proposer_provides=True,
                                       terms=Terms("French lessons", 60, date.today() + timedelta(days=3), None),
                                       message="Shall we start on Saturday?").id
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, amina)

    response = _while_another_request_writes(
        app, "INSERT INTO exchange_read (exchange_id, member_id, last_message_id) VALUES (:e, :m, 0)",
        {"e": exchange_id, "m": amina.id}, lambda: client.get(f"/exchanges/{exchange_id}"))

    assert response.status_code == 200
    assert "Shall we start on Saturday?" in text_of(response)
    with app.app_context():
        from timebank.exchanges.conversation import unread_messages

        assert unread_messages(member=member(amina)) == 0


def test_two_saves_of_the_email_choices_at_once_both_count(app, people):
    amina = people.member("Amina Diallo")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, amina)
    choices = {"exchanges": "now", "messages": "digest", "hours": "never", "matches": "now"}

    response = _while_another_request_writes(
        app, "INSERT INTO email_preference (member_id, topic, mode) VALUES (:m, 'messages', 'now')",
        {"m": amina.id}, lambda: client.post("/me/email-preferences", data=choices))

    assert response.status_code == 303
    assert "Your choices are saved." in text_of(client.get("/me/profile"))
    with app.app_context():
        from timebank.notifications.services import email_preferences

        assert email_preferences(member=member(amina)) == choices | {"reminders": "now"}
