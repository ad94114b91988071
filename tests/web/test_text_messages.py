"""Text messages: a local HTTP sink plays the association's SMS gateway.

Amina reads her texts, in Arabic, on a cheap phone; Karim proposes her an exchange. What she chose, the
gateway's answers (200, 500, 400, too slow), the daily limits and STOP decide what leaves the outbox.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.factories import member
from timebank.extensions import db
from timebank.members.models import Member
from timebank.notifications.models import OutboxMessage
from timebank.notifications.sms import encoding_of, parts, text_fit, units
from timebank.timeutil import utcnow

AMINA_PHONE = "06 12 34 56 78"
AMINA_E164 = "+33612345678"


class Sink:
    """An SMS gateway on 127.0.0.1: it records each POST and answers with the next status of ``answers``."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []
        self.delay = 0.0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                sink.received.append({"path": self.path, "headers": dict(self.headers),
                                      "json": json.loads(self.rfile.read(length) or b"null")})
                if sink.delay:
                    time.sleep(sink.delay)
                status = sink.answers.pop(0) if sink.answers else 200
                body = b'{"error": "invalid destination number"}' if status == 400 else b'{"ok": true}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink():
    gateway = Sink()
    yield gateway
    gateway.close()


@pytest.fixture
def app(make_app, sink):
    return make_app(TIMEBANK_SMS_BACKEND="http", TIMEBANK_SMS_URL=sink.url, TIMEBANK_SMS_TOKEN_HEADER="X-Api-Key",
                    TIMEBANK_SMS_TOKEN="s3cret", TIMEBANK_SMS_TIMEOUT=1, TIMEBANK_SMS_INBOUND_TOKEN="inbound-token")


def set_member(app, resident, **values):
    with app.app_context():
        db.session.execute(sa.update(Member).where(Member.id == resident.id).values(**values))
        db.session.commit()


def choose(app, resident, **modes):
    from timebank.notifications.services import email_preferences_set

    with app.app_context():
        email_preferences_set(member=member(resident), modes=modes)


def propose(app, karim, amina, title="French lessons"):
    from timebank.exchanges.proposals import exchange_propose
    from timebank.exchanges.steps import Terms

    with app.test_request_context():
        return exchange_propose(proposer=member(karim), counterpart=member(amina), proposer_provides=True,
                                terms=Terms(title, 60, date.today() + timedelta(days=3), None)).id


def texts(app, state: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "sms")
                                   .order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
    return [t for t in found if state is None or t.state == state]


def send(app):
    return app.test_cli_runner().invoke(args=["outbox", "send"])


@pytest.fixture
def amina(app, people):
    amina = people.member("Amina Diallo", locale="ar")
    set_member(app, amina, phone=AMINA_PHONE)
    choose(app, amina, exchanges="sms")
    return amina


def test_a_proposal_to_a_member_who_chose_texts_reaches_the_gateway_in_arabic_in_one_part(app, people, sink,
                                                                                          amina):
    karim = people.member("Karim Benali")
    exchange_id = propose(app, karim, amina)

    queued = texts(app)
    assert len(queued) == 1
    assert queued[0].to_address == AMINA_E164 and queued[0].state == "queued"
    assert not [m for m in people.outbox(amina.email)], "she chose a text, not an e-mail"

    result = send(app)
    assert result.exit_code == 0, result.output
    assert len(sink.received) == 1
    posted = sink.received[0]
    assert posted["headers"]["X-Api-Key"] == "s3cret"
    assert posted["json"]["to"] == AMINA_E164
    text = posted["json"]["text"]
    assert "اقتراح تبادل من Karim Benali" in text
    assert f"timebank.test/exchanges/{exchange_id}" in text
    assert encoding_of(text) == "ucs2" and units(text) <= 70 and parts(text) == 1
    assert texts(app, "sent")[0].body == text


def test_a_gateway_error_keeps_the_text_queued_a_refusal_marks_it_failed_and_others_still_go(app, people, sink,
                                                                                            amina):
    admin = people.admin()
    karim = people.member("Karim Benali")
    propose(app, karim, amina, "French lessons")

    sink.answers = [500]
    assert send(app).exit_code == 1
    [text] = texts(app)
    assert text.state == "queued" and text.attempts == 1 and "500" in text.last_error

    # Its next attempt comes; a second text waits behind it. The gateway refuses the first for good.
    with app.app_context():
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    propose(app, karim, amina, "Sewing")
    sink.answers = [400, 200]
    send(app)
    first, second = texts(app)
    assert first.state == "failed" and "invalid destination number" in first.last_error
    assert second.state == "sent"

    # The admins see the reason, and send it again once the number is fixed.
    client = app.test_client()
    login(client, admin)
    page = text_of(client.get("/admin/outbox?channel=sms&state=failed"))
    assert "invalid destination number" in page and AMINA_E164 in page
    response = client.post(f"/admin/outbox/{first.id}/retry")
    assert response.status_code == 303
    assert texts(app)[0].state == "queued"
    send(app)
    assert [t.state for t in texts(app)] == ["sent", "sent"]
    assert client.post(f"/admin/outbox/{first.id}/retry").status_code == 404  # sent: nothing to retry


def test_a_gateway_too_slow_to_answer_keeps_the_text_queued(app, people, sink, amina):
    propose(app, people.member("Karim Benali"), amina)
    sink.delay = 2.5  # the timeout is 1 s
    send(app)
    [text] = texts(app)
    assert text.state == "queued" and text.last_error and text.sent_at is None


def test_the_daily_limit_per_member_stops_the_twenty_first_text(make_app, people):
    from timebank.notifications.sms import queue_text

    app = make_app(TIMEBANK_SMS_DAILY_PER_MEMBER=20)
    amina = people.member("Amina Diallo")
    admin = people.admin()
    with app.app_context():
        results = [queue_text(AMINA_E164, f"Text {n}", member_id=amina.id) for n in range(21)]
        db.session.commit()
        # Another member still gets hers.
        assert queue_text("+33698765432", "Hello", member_id=admin.id) is not None
        db.session.commit()
    assert [r is not None for r in results] == [True] * 20 + [False]
    assert len([t for t in texts(app) if t.member_id == amina.id]) == 20
    client = app.test_client()
    login(client, admin)
    assert "Today 1 text message was not sent: the daily limit was reached." in text_of(client.get("/admin/outbox"))


def test_the_daily_limit_of_the_instance_stops_the_twenty_first_text(make_app, people):
    from timebank.notifications.sms import queue_text

    app = make_app(TIMEBANK_SMS_DAILY_TOTAL=20)
    with app.app_context():
        results = [queue_text(f"+336123456{n:02d}", "Hello", member_id=None) for n in range(21)]
        db.session.commit()
    assert results[19] is not None and results[20] is None
    assert len(texts(app)) == 20


def test_stop_from_the_gateway_turns_texts_off_and_the_profile_turns_them_back_on(app, people, sink, amina):
    karim = people.member("Karim Benali")
    client = app.test_client()
    assert client.post("/sms/inbound?token=wrong", json={"from": AMINA_E164, "text": "STOP"}).status_code == 404
    assert client.post("/sms/inbound", json={"from": AMINA_E164, "text": "STOP"}).status_code == 404
    answer = client.post("/sms/inbound", json={"from": AMINA_E164, "text": "Arrêt"},
                         headers={"X-Timebank-Token": "inbound-token"})
    assert answer.status_code == 200

    propose(app, karim, amina)
    assert texts(app) == []
    assert len(people.outbox(amina.email)) == 1, "with texts stopped, she is told by e-mail"

    login(client, amina)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.post("/me/email-preferences", data={"texts": "on"}).status_code == 303
    propose(app, karim, amina, "Sewing")
    assert len(texts(app)) == 1
    assert client.post("/me/email-preferences", data={"texts": "off"}).status_code == 303
    propose(app, karim, amina, "Cooking")
    assert len(texts(app)) == 1


def test_any_other_reply_changes_nothing(app, people, amina):
    client = app.test_client()
    client.post("/sms/inbound?token=inbound-token", data={"from": AMINA_PHONE, "text": "Merci, à samedi"})
    propose(app, people.member("Karim Benali"), amina)
    assert len(texts(app)) == 1


def test_a_member_without_e_mail_gets_texts_by_default(app, people):
    fatou = people.member("Fatou Sow", email=None, locale="fr")
    set_member(app, fatou, phone="+33 7 81 22 33 44")
    propose(app, people.member("Karim Benali"), fatou, "Aide aux devoirs")
    [text] = texts(app)
    assert text.to_address == "+33781223344"
    assert encoding_of(text.body) == "gsm7" and parts(text.body) == 1


def test_the_profile_offers_only_the_ways_a_member_can_receive(app, people, amina):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    fatou = people.member("Fatou Sow", email=None)
    login(client, fatou)
    page = client.get("/me/profile").get_data(as_text=True)
    assert 'value="now"' not in page and 'value="sms"' not in page and 'value="push"' not in page
    assert client.post("/me/email-preferences", data={"exchanges": "sms"}).status_code == 422
    login(client, amina)
    page = client.get("/me/profile").get_data(as_text=True)
    assert 'value="sms"' in page and 'value="now"' in page and 'value="push"' not in page
    assert 'name="texts"' in page  # her switch for texts (her page is in Arabic, her language)


def test_texts_fit_one_part_and_keep_their_link():
    link = "timebank.test/exchanges/12"
    french = text_fit("Karim vous propose un échange : « Fête de quartier » — êtes-vous disponible ?", link=link)
    assert encoding_of(french) == "gsm7" and french.endswith(link) and "Fete" in french
    long_arabic = text_fit("اقتراح تبادل من كريم بن علي: دروس اللغة الفرنسية للأطفال يوم السبت في المركز", link=link)
    assert encoding_of(long_arabic) == "ucs2" and units(long_arabic) <= 70 and long_arabic.endswith(link)
    assert "…" in long_arabic
    long_french = text_fit("x" * 400, link=link)
    assert parts(long_french) == 1 and long_french.endswith(link)


def test_another_channel_plugs_its_delivery_into_the_outbox(app, people, monkeypatch):
    """Web push registers its deliverer for "push"; until then its messages wait, and a gone one fails alone."""
    from timebank.notifications import outbox
    from timebank.notifications.sms import PermanentFailure

    amina = people.member("Amina Diallo")
    with app.app_context():
        for subscription in ("sub-1", "sub-gone", "sub-2"):
            db.session.add(OutboxMessage(channel="push", to_address=subscription, member_id=amina.id, locale="en",
                                         subject="", body="Karim proposed an exchange"))
        db.session.commit()
    monkeypatch.delitem(outbox.DELIVERERS, "push", raising=False)
    send(app)
    with app.app_context():
        assert [m.state for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))] == \
            ["queued"] * 3

    pushed = []

    def deliver_push(message, config):
        if message.to_address == "sub-gone":
            raise PermanentFailure("410 Gone: the subscription was removed")
        pushed.append(message.to_address)
        return "sent"

    monkeypatch.setitem(outbox.DELIVERERS, "push", deliver_push)
    send(app)
    assert pushed == ["sub-1", "sub-2"]
    with app.app_context():
        states = {m.to_address: (m.state, m.last_error) for m in db.session.scalars(sa.select(OutboxMessage))}
    assert states == {"sub-1": ("sent", None), "sub-2": ("sent", None),
                      "sub-gone": ("failed", "410 Gone: the subscription was removed")}
    with pytest.raises(ValueError):
        outbox.register_deliverer("fax", deliver_push)
