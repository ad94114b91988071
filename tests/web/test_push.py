"""Phone notifications: Amina turns them on from her profile and off again; a notification reaches a push service
(a local HTTP server stands in for it) encrypted for her phone, says who did what and nothing more, and a phone
the service says is gone is forgotten."""
from __future__ import annotations

import base64
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.members.models import Member
from timebank.notifications.models import PushSubscription


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Phone:
    """A browser's side of a subscription: its keys, and the address its push service gave it."""

    def __init__(self, endpoint: str):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self) -> dict:
        public = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                            serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def read(self, body: bytes) -> dict:
        import http_ece

        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth,
                                           version="aes128gcm"))


class PushService:
    """A push service on 127.0.0.1 that answers each post with the status it is told, and keeps what it got."""

    def __init__(self):
        self.status = 201
        self.received: list[tuple[str, dict, bytes]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service():
    running = PushService()
    yield running
    running.close()


@pytest.fixture
def app(make_app):
    return make_app(TIMEBANK_PUSH_SERVICES=["127.0.0.1"], TIMEBANK_PUSH_ALLOW_HTTP=True, TIMEBANK_NAME="Banque du Port")


def subscriptions(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [(s.member_id, s.endpoint) for s in db.session.scalars(
            sa.select(PushSubscription).order_by(PushSubscription.id))]


def test_amina_turns_on_notifications_and_off_again_and_nobody_else_can_turn_hers_off(app, client, people, service):
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    phone = Phone(f"{service.base}/push/amina-phone")
    login(client, amina)
    profile = client.get("/me/profile").get_data(as_text=True)
    assert 'class="push-controls" hidden' in profile and "js/push.js" in profile
    key = re.search(r'data-key="([^"]+)"', profile).group(1)
    assert len(base64.urlsafe_b64decode(key + "==")) == 65  # an uncompressed P-256 point: the VAPID public key

    response = client.post("/me/push", json=phone.subscription())
    assert response.status_code == 201 and response.json["message"] == "Notifications are on for this phone."
    assert subscriptions(app) == [(amina.id, phone.endpoint)]
    assert client.post("/me/push", json=phone.subscription()).status_code == 201  # the same phone again: kept once
    assert subscriptions(app) == [(amina.id, phone.endpoint)]
    assert 'value="Turn off notifications on all my phones"' in client.get("/me/profile").get_data(as_text=True)

    login(client, karim)
    refused = client.post("/me/push/off", json={"endpoint": phone.endpoint})
    assert refused.status_code == 404 and refused.json["error"] == "Notifications were not on for this phone."
    assert subscriptions(app) == [(amina.id, phone.endpoint)]

    login(client, amina)
    response = client.post("/me/push/off", json={"endpoint": phone.endpoint})
    assert response.status_code == 200 and response.json["message"] == "Notifications are off for this phone."
    assert subscriptions(app) == []


def test_the_profile_form_turns_them_off_on_every_phone(app, client, people, service):
    amina = people.member("Amina Diallo")
    login(client, amina)
    for name in ("phone", "tablet"):
        client.post("/me/push", json=Phone(f"{service.base}/push/{name}").subscription())
    assert len(subscriptions(app)) == 2
    response = client.post("/me/push/off", data={"off": "y"})
    assert response.status_code == 303
    assert "Notifications are off on all your phones." in text_of(client.get("/me/profile"))
    assert subscriptions(app) == []


def test_bad_subscriptions_are_refused_and_nothing_is_kept(app, client, people, service):
    amina = people.member("Amina Diallo")
    login(client, amina)
    good = Phone(f"{service.base}/push/x").subscription()
    for bad, message in [
        ({**good, "endpoint": "https://evil.example.net/steal"}, "This browser's notification service is not one we know."),
        ({**good, "endpoint": "http://10.0.0.1/internal"}, "This browser's notification service is not one we know."),
        ({**good, "keys": {"p256dh": "<script>", "auth": "x"}}, "This browser did not give the keys of its notifications."),
        ({"endpoint": good["endpoint"]}, "This browser did not give the keys of its notifications."),
    ]:
        response = client.post("/me/push", json=bad)
        assert response.status_code == 400 and response.json["error"] == message
    assert client.post("/me/push", data="not json", content_type="application/json").status_code == 400
    assert subscriptions(app) == []


def test_only_approved_members_turn_notifications_on(app, client, people, service):
    nadia = people.applicant("Nadia Haddad")
    phone = Phone(f"{service.base}/push/nadia")
    assert client.post("/me/push", json=phone.subscription()).status_code == 302  # sign in first
    login(client, nadia)
    assert client.post("/me/push", json=phone.subscription()).status_code == 403
    assert "push-controls" not in client.get("/me/profile").get_data(as_text=True)
    assert subscriptions(app) == []


def test_turning_notifications_on_needs_the_page_s_csrf_token(make_app, people, service):
    app = make_app(TIMEBANK_PUSH_SERVICES=["127.0.0.1"], TIMEBANK_PUSH_ALLOW_HTTP=True, WTF_CSRF_ENABLED=True)
    from tests.conftest import csrf_token
    from tests.factories import Factory

    amina = Factory(app).member("Amina Diallo")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"identifier": amina.email, "password": amina.password,
                                "csrf_token": csrf_token(page)})
    phone = Phone(f"{service.base}/push/amina")
    assert client.post("/me/push", json=phone.subscription()).status_code == 400
    assert subscriptions(app) == []
    token = re.search(r'data-csrf="([^"]+)"', client.get("/me/profile").get_data(as_text=True)).group(1)
    assert client.post("/me/push", json=phone.subscription(), headers={"X-CSRFToken": token}).status_code == 201
    assert len(subscriptions(app)) == 1


def _subscribe(app, resident, endpoint) -> Phone:
    from timebank.notifications.push import push_subscribe

    phone = Phone(endpoint)
    with app.test_request_context():
        push_subscribe(member=db.session.get(Member, resident.id), **phone.subscription())
    return phone


def test_a_notification_reaches_the_push_service_encrypted_with_who_did_what_and_a_link(app, people, service):
    from timebank.notifications.push import deliver_push, has_push, vapid_public_key

    amina = people.member("Amina Diallo")
    phone = _subscribe(app, amina, f"{service.base}/push/amina")
    message = SimpleNamespace(member_id=amina.id, subject="Karim proposed an exchange",
                              body="http://timebank.test/exchanges/7")
    with app.test_request_context():
        assert has_push(db.session.get(Member, amina.id))
        result = deliver_push(message)
        key = vapid_public_key()

    assert result == "sent"
    (path, headers, body), = service.received
    assert path == "/push/amina"
    assert phone.read(body) == {"title": "Banque du Port", "body": "Karim proposed an exchange", "url": "/exchanges/7"}
    assert headers["content-encoding"] == "aes128gcm" and f"k={key}" in headers["authorization"]
    assert subscriptions(app) == [(amina.id, phone.endpoint)]


def test_a_phone_the_push_service_says_is_gone_is_forgotten(app, people, service):
    from timebank.notifications.push import deliver_push, has_push

    amina = people.member("Amina Diallo")
    _subscribe(app, amina, f"{service.base}/push/old-phone")
    service.status = 410
    with app.test_request_context():
        result = deliver_push(SimpleNamespace(member_id=amina.id, subject="Karim proposed an exchange", body="/"))
        assert not has_push(db.session.get(Member, amina.id))
    assert result == "failed" and "410" in result.reason
    assert subscriptions(app) == []


def test_a_push_service_that_fails_for_now_keeps_the_phone_for_a_retry(app, people, service):
    from timebank.notifications.push import deliver_push

    amina = people.member("Amina Diallo")
    phone = _subscribe(app, amina, f"{service.base}/push/amina")
    service.status = 503
    with app.test_request_context():
        result = deliver_push(SimpleNamespace(member_id=amina.id, subject="Karim proposed an exchange", body="/"))
    assert result == "retry" and "503" in result.reason
    assert subscriptions(app) == [(amina.id, phone.endpoint)]
    service.status = 400
    with app.test_request_context():
        result = deliver_push(SimpleNamespace(member_id=amina.id, subject="Karim proposed an exchange", body="/"))
    assert result == "failed" and subscriptions(app) == [(amina.id, phone.endpoint)]


def test_a_push_service_that_does_not_answer_leaves_it_for_a_retry(app, people):
    from timebank.notifications.push import deliver_push

    amina = people.member("Amina Diallo")
    with socket_closed() as port:
        _subscribe(app, amina, f"http://127.0.0.1:{port}/push/amina")
        with app.test_request_context():
            result = deliver_push(SimpleNamespace(member_id=amina.id, subject="Karim proposed an exchange", body="/"))
    assert result == "retry"
    assert len(subscriptions(app)) == 1


def test_a_member_without_a_phone_that_takes_notifications_has_nothing_to_retry(app, people):
    from timebank.notifications.push import deliver_push, has_push

    karim = people.member("Karim Benali")
    with app.test_request_context():
        assert not has_push(db.session.get(Member, karim.id))
        assert deliver_push(SimpleNamespace(member_id=karim.id, subject="Amina gave you 1 h", body="/")) == "failed"


def test_a_notification_never_links_outside_the_site_nor_runs_long(app):
    from timebank.notifications.push import push_payload

    with app.test_request_context():
        outside = json.loads(push_payload(text="Karim proposed an exchange", link="https://evil.example.net/x"))
        long = json.loads(push_payload(text="Karim " * 60, link="//evil.example.net"))
    assert outside["url"] == "/notifications" and long["url"] == "/notifications"
    assert len(long["body"]) == 120 and long["body"].endswith("…")


def test_the_vapid_key_is_made_once_in_the_instance_folder(make_app, tmp_path):
    from timebank.notifications.push import vapid_private_key_file, vapid_public_key

    app = make_app(TIMEBANK_VAPID_PRIVATE_KEY_FILE=None)
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        first = vapid_public_key()
        path = vapid_private_key_file()
        assert path == str(tmp_path / "instance" / "vapid_private.pem")
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
        assert vapid_public_key() == first


class socket_closed:
    """A port where nothing listens."""

    def __enter__(self) -> int:
        import socket

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        return self.port

    def __exit__(self, *exc):
        return False


def test_the_service_worker_shows_a_notification_and_opens_its_page_on_a_tap(client):
    worker = client.get("/sw.js").get_data(as_text=True)
    assert 'addEventListener("push"' in worker and "showNotification" in worker
    assert 'addEventListener("notificationclick"' in worker and "openWindow" in worker
    # Only a page of the site is opened, whatever the payload says.
    assert 'data.url.startsWith("/") && !data.url.startsWith("//")' in worker


def test_a_proposal_reaches_the_phone_of_a_member_who_chose_notifications_and_a_gone_phone_is_forgotten(
        app, people, service):
    """The whole way: Karim proposes, the outbox holds one notification for Amina's phone, `timebank outbox send`
    takes it to her push service with who did what and the exchange's page; a second one to a phone the service
    says is gone fails alone and forgets that phone."""
    from datetime import date, timedelta

    from timebank.exchanges.proposals import exchange_propose
    from timebank.exchanges.steps import Terms
    from timebank.notifications.models import OutboxMessage
    from timebank.notifications.services import email_preferences_set

    karim, amina = people.member("Karim Benali"), people.member("Amina Diallo")
    phone = _subscribe(app, amina, f"{service.base}/push/amina")
    with app.app_context():
        email_preferences_set(member=db.session.get(Member, amina.id), modes={"exchanges": "push"})

    def propose(title):
        with app.test_request_context():
            return exchange_propose(proposer=db.session.get(Member, karim.id),
                                    counterpart=db.session.get(Member, amina.id), proposer_provides=True,
                                    terms=Terms(title, 60, date.today() + timedelta(days=3), None)).id

    exchange_id = propose("French lessons")
    with app.app_context():
        queued = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "push")).all()
        assert [(m.member_id, m.state) for m in queued] == [(amina.id, "queued")]
    app.test_cli_runner().invoke(args=["outbox", "send"])
    (path, _headers, body), = service.received
    shown = phone.read(body)
    assert path == "/push/amina" and "Karim" in shown["body"] and shown["url"] == f"/exchanges/{exchange_id}"
    assert "French lessons" not in shown["body"]  # no private detail beyond who did what

    service.status = 410
    propose("Sewing")
    app.test_cli_runner().invoke(args=["outbox", "send"])
    assert subscriptions(app) == []
    with app.app_context():
        states = [m.state for m in db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.channel == "push").order_by(OutboxMessage.id))]
    assert states == ["sent", "failed"]


def test_a_locked_phone_says_who_gave_hours_wrote_or_joined_and_never_what(app, people, service):
    """Karim gives Amina an hour for childcare, writes to her and joins her sewing workshop; Amina cancels it. Each
    phone shows who did what: never the service, the memo or the message's words."""
    from datetime import date, timedelta

    from timebank.exchanges.groups import group_cancel, group_create, group_join
    from timebank.giving.services import give_time
    from timebank.messages.services import message_send
    from timebank.notifications.models import OutboxMessage
    from timebank.notifications.services import email_preferences_set

    karim, amina = people.member("Karim Benali"), people.member("Amina Diallo")
    for resident in (karim, amina):
        _subscribe(app, resident, f"{service.base}/push/{resident.id}")
        with app.app_context():
            email_preferences_set(member=db.session.get(Member, resident.id),
                                  modes={"hours": "push", "messages": "push", "exchanges": "push"})

    def who(resident):
        return db.session.get(Member, resident.id)

    with app.test_request_context():
        give_time(giver=who(karim), recipient=who(amina), minutes=60, memo="Garde d'enfants", key="g1")
        message_send(sender=who(karim), recipient=who(amina), body="Ton code de porte est 1234")
        session = group_create(provider=who(amina), title="Atelier couture", description="", share_minutes=60,
                               on_date=date.today() + timedelta(days=3), at_time=None, max_participants=5)
        group_join(session=session, member=who(karim))
        group_cancel(session=session, actor=who(amina))
        session_id = session.id
    with app.app_context():
        shown = [(m.member_id, m.subject, m.body) for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.channel == "push").order_by(OutboxMessage.id))]
    assert shown == [
        (amina.id, "Karim Benali gave you hours.", shown[0][2]),
        (amina.id, "Karim Benali sent you a message.", f"/messages/{karim.id}"),
        (amina.id, "Karim Benali joined your group session.", f"/groups/{session_id}"),
        (karim.id, "Amina Diallo cancelled a group session.", f"/groups/{session_id}"),
    ]
    assert re.fullmatch(r"/exchanges/\d+", shown[0][2])  # the gift, recorded as an exchange
