"""The retention sweep, with the clock moved: what is kept too long goes, and nothing else does."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login
from timebank.extensions import db
from timebank.timeutil import utcnow


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(BABEL_DEFAULT_LOCALE="en", TIMEBANK_ERASURE_JOURNAL=str(tmp_path / "journal.txt"))


def sweep(app, **moved):
    from timebank.privacy.retention import retention_sweep

    with app.test_request_context(headers={"Accept-Language": "en"}):
        return retention_sweep(now=utcnow() + timedelta(**moved))


def outbox(app) -> list[tuple[str, str, bool]]:
    from timebank.notifications.models import OutboxMessage

    with app.app_context():
        return [(m.to_address, m.body, m.sent_at is not None)
                for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def test_declined_applications_and_old_mail_texts_go_and_nothing_else(app, client, people):
    from timebank.members.models import Member
    from timebank.members.approval import member_decline
    from timebank.notifications.services import mail_send_due
    from timebank.privacy.models import SignIn

    sandrine, amina = people.coordinator(), people.member("Amina Diallo")
    nadia, karim = people.applicant("Nadia Haddad"), people.member("Karim Benali")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from timebank.giving.services import give_time

        give_time(giver=db.session.get(Member, karim.id), recipient=db.session.get(Member, amina.id), minutes=60,
                  memo="Curtains", key="k1")
        member_decline(member=db.session.get(Member, nadia.id), actor=db.session.get(Member, sandrine.id),
                       message="The timebank is for the residents of the district.")
        mail_send_due()
    login(client, amina)
    sent_before = outbox(app)
    assert any("nadia@example.org" == to and body for to, body, sent in sent_before)
    amina_before = people.get(amina)

    early = sweep(app, days=30)  # a month later: nothing is old enough
    assert early.summary().startswith("declined applications erased: 0;") and early.outbox_blanked == 0
    assert people.get(nadia)["display_name"] == "Nadia Haddad"

    report = sweep(app, days=200)  # about 6.5 months later
    assert report.declined_erased == 1  # her own e-mails went with her
    assert report.outbox_blanked == len([m for m in sent_before if m[2] and m[0] != "nadia@example.org"]) >= 1
    assert people.get(nadia)["display_name"] == f"Former member no. {nadia.number}"
    assert people.get(nadia)["email"] is None
    assert people.get(amina) == amina_before  # Amina is not touched
    assert all(body == "" for to, body, sent in outbox(app) if sent)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignIn)
                                 .where(SignIn.member_id == amina.id)) == 1  # kept 12 months
    again = sweep(app, days=200)
    assert (again.declined_erased, again.outbox_blanked, again.sign_ins_deleted) == (0, 0, 0)  # safe twice

    later = sweep(app, days=400)  # after 12 months the sign-in records go
    assert later.sign_ins_deleted == 1 and people.get(amina) == amina_before


def test_members_away_for_years_are_warned_then_erased_unless_they_come_back(app, client, people):
    from timebank.members.models import Member
    from timebank.privacy.erasure import erase_due

    omar, karim = people.member("Omar Haddou"), people.member("Karim Benali")
    hawa = people.member("Hawa Coulibaly", email=None)
    fatou = people.member("Fatou Sow", email=None)  # no e-mail, but a phone: warned by text message
    long_ago = utcnow() - timedelta(days=4 * 365)
    with app.app_context():
        for resident in (omar, karim, hawa, fatou):
            db.session.get(Member, resident.id).last_seen_at = long_ago
        db.session.get(Member, fatou.id).phone = "+33612345678"
        db.session.commit()
    report = sweep(app)
    assert (report.inactive_warned, report.inactive_without_email) == (3, 1)  # Hawa: the coordinators call her
    warnings = [mail for mail in people.outbox() if "will be erased" in mail.subject]
    assert sorted(mail.to for mail in warnings) == ["karim@example.org", "omar@example.org"]
    from timebank.notifications.models import OutboxMessage

    with app.app_context():
        (text,) = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
        assert text.to_address == "+33612345678" and "will be erased on" in text.body and "unless you sign in" in \
            text.body
    assert sweep(app).inactive_warned == 0  # warned once

    login(client, karim)  # Karim comes back
    assert client.get("/").status_code == 302  # and is offered to stay
    assert sweep(app).inactive_back == 1
    with app.test_request_context(headers={"Accept-Language": "en"}):
        erased = erase_due(now=utcnow() + timedelta(days=31))
    assert [item.number for item in erased] == [omar.number, fatou.number]
    assert people.get(karim)["display_name"] == "Karim Benali"
    assert people.get(hawa)["display_name"] == "Hawa Coulibaly"


def test_the_sweep_command_says_what_it_did(app):
    result = app.test_cli_runner().invoke(args=["privacy", "sweep"])
    assert result.exit_code == 0
    assert "declined applications erased: 0; inactive members warned: 0" in result.output
