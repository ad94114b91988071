"""The outbox: mail is queued with its cause and never lost when the mail server fails."""
from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from timebank.extensions import db
from timebank.notifications.models import OutboxMessage
from timebank.notifications.services import mail_send_due
from timebank.timeutil import utcnow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RefusingServer:
    """An SMTP server that answers every connection with 554 and hangs up."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                connection.sendall(b"554 5.3.2 No service today\r\n")

    def close(self):
        self.sock.close()


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def queued(app, people):
    people.member("Karim Benali", locale="fr")
    with app.app_context():
        from timebank.members.signin import password_reset_request

        password_reset_request(email="karim@example.org")
    return app


def smtp_app(make_app, port):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_TIMEOUT=5)


def test_a_refusing_server_keeps_the_message_queued_with_a_later_retry(make_app, people, queued):
    server = RefusingServer()
    app = smtp_app(make_app, server.port)
    try:
        with app.app_context():
            report = mail_send_due()
            message = db.session.scalar(sa.select(OutboxMessage))
            assert (report.sent, report.failed) == (0, 1)
            assert message.sent_at is None
            assert message.attempts == 1
            assert "554" in message.last_error
            assert message.next_attempt_at > utcnow()

            # Not due yet: a second run leaves it alone.
            assert mail_send_due().failed == 0
            assert server.connections == 1
    finally:
        server.close()


def test_an_unreachable_server_keeps_the_message_and_backs_off(make_app, people, queued):
    app = smtp_app(make_app, free_port())
    with app.app_context():
        for attempt in (1, 2, 3):
            message = db.session.scalar(sa.select(OutboxMessage))
            message.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
            assert mail_send_due().failed == 1
        message = db.session.scalar(sa.select(OutboxMessage))
        assert message.attempts == 3 and message.sent_at is None
        assert message.next_attempt_at - utcnow() > timedelta(minutes=7)


def test_the_message_goes_out_when_the_server_is_back(make_app, people, queued):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app = smtp_app(make_app, controller.port)
        with app.app_context():
            report = mail_send_due()
            assert report.sent == 1
            assert mail_send_due().sent == 0  # never sent twice
    finally:
        controller.stop()
    [envelope] = recorder.messages
    assert envelope.rcpt_tos == ["karim@example.org"]
    body = envelope.content.decode()
    assert "/password/reset/" in body
    assert people.outbox()[0].sent


def test_without_smtp_settings_mail_is_written_to_the_log(app, people, queued, caplog):
    with app.app_context(), caplog.at_level("INFO", logger="timebank.notifications"):
        report = mail_send_due()
    assert report.logged == 1
    assert "karim@example.org" in caplog.text
    assert "/password/reset/" in caplog.text


def test_members_without_email_get_no_mail(ctx, people):
    from timebank.members.models import Member
    from timebank.members.approval import member_approve

    hamid = people.applicant("Hamid Cherif", email=None)
    sandrine = people.coordinator("Sandrine Martin")
    member_approve(member=db.session.get(Member, hamid.id), actor=db.session.get(Member, sandrine.id))
    assert people.outbox() == []


def test_mail_is_written_in_the_same_transaction_as_its_cause(ctx, people, monkeypatch):
    from timebank.members.models import Member
    from timebank.members.approval import member_approve

    nadia = people.applicant("Nadia Haddad")
    sandrine = people.coordinator("Sandrine Martin")

    def crash():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk full"))

    monkeypatch.setattr(db.session, "commit", crash)
    with pytest.raises(sa.exc.OperationalError):
        member_approve(member=db.session.get(Member, nadia.id), actor=db.session.get(Member, sandrine.id))
    monkeypatch.undo()
    db.session.rollback()

    # Neither the approval nor its e-mail happened.
    assert people.get(nadia)["status"] == "pending"
    assert people.outbox() == []


def test_each_member_chooses_how_e_mail_comes(app, people):
    from timebank.giving.services import give_time
    from timebank.members.models import Member
    from timebank.notifications.services import email_preferences_set, mail_digest_due

    amina = people.member("Amina Diallo", locale="fr")
    karim = people.member("Karim Benali")
    fatou = people.member("Fatou Ndiaye")
    with app.test_request_context():
        email_preferences_set(member=db.session.get(Member, karim.id), modes={"hours": "digest"})
        email_preferences_set(member=db.session.get(Member, fatou.id), modes={"hours": "never", "bogus": "x"})
        for n, recipient in enumerate((karim, karim, fatou)):
            give_time(giver=db.session.get(Member, amina.id), recipient=db.session.get(Member, recipient.id),
                      minutes=30, memo=f"Aide {n}", key=f"k{n}")
        assert mail_send_due().logged == 0  # the digest waits; Fatou gets none
        assert people.outbox(to="fatou@example.org") == []
        assert [m.sent for m in people.outbox(to="karim@example.org")] == [False, False]

        assert mail_digest_due() == 1
        report = mail_send_due()

    assert report.logged == 1
    mails = people.outbox(to="karim@example.org")
    digest = mails[-1]
    assert digest.subject == "Your day at the timebank"
    assert digest.body.count("Amina Diallo gave you 30 min") == 2
    assert all(mail.sent for mail in mails)


def test_the_profile_page_saves_e_mail_choices(app, people):
    amina = people.member("Amina Diallo")
    client = app.test_client()
    client.post("/login", data={"identifier": amina.email, "password": amina.password})
    client.post("/me/email-preferences", data={"exchanges": "digest", "messages": "never", "hours": "now",
                                               "reminders": "now", "matches": "now"})
    assert client.post("/me/email-preferences", data={"exchanges": "sometimes"}).status_code == 422
    html = client.get("/me/profile").get_data(as_text=True)
    assert '<option selected value="digest">' in html and '<option selected value="never">' in html
