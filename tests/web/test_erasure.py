"""Amina leaves the timebank and is erased: nothing of her stays, and nobody else's hours move."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import audit_text, login, text_of
from tests.world import build_neighbourhood
from timebank.extensions import db
from timebank.timeutil import utcnow

AMINA = ("Amina Diallo", "amina@example.org", "07 98 76 54 32")


@pytest.fixture
def app(make_app):
    # Everyone reads the same name for a former member: the instance's language (English here).
    return make_app(BABEL_DEFAULT_LOCALE="en", TIMEBANK_ERASURE_JOURNAL="")


@pytest.fixture
def world(app, tmp_path):
    app.config["TIMEBANK_ERASURE_JOURNAL"] = str(tmp_path / "erasure-journal.txt")
    world = build_neighbourhood(app)
    from timebank.giving.services import give_time
    from timebank.members.models import Member
    from timebank.messages.services import message_send

    with app.test_request_context(headers={"Accept-Language": "en"}):
        amina = db.session.get(Member, world["residents"]["member"].id)
        karim = db.session.get(Member, world["karim"].id)
        omar = db.session.get(Member, world["residents"]["other"].id)
        amina.phone, amina.bio = AMINA[2], "Mother of two, I speak Wolof"
        db.session.commit()
        give_time(giver=karim, recipient=amina, minutes=120, memo="Boxes carried", key="gift-1")
        give_time(giver=amina, recipient=omar, minutes=60, memo="Translation", key="gift-2")
        message_send(sender=amina, recipient=karim, body="Thank you for the curtains, call me on 07 98 76 54 32")
    return world


def statements_of_others(app, amina_id: int) -> dict:
    """Every statement line of every account but hers: what the others read on "My hours"."""
    from timebank.ledger.models import Account
    from timebank.ledger.services import statement_all

    with app.app_context():
        accounts = db.session.scalars(sa.select(Account).where(
            sa.or_(Account.member_id.is_(None), Account.member_id != amina_id)).order_by(Account.id)).all()
        return {account.id: (account.posted, account.pending_debits, account.pending_credits,
                             [(line.transfer.id, line.minutes, line.balance_after, line.transfer.memo)
                              for line in statement_all(account=account)]) for account in accounts}


def traces(app, strings) -> list[str]:
    """Where any of ``strings`` is still written: SQLite, anywhere in the database files; PostgreSQL, any text
    column of any table."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            db.session.remove()
            engine.dispose()
            path = Path(engine.url.database)
            found = []
            for file in (path, path.with_name(path.name + "-wal")):
                if file.exists():
                    data = file.read_bytes()
                    found += [f"{file.name}: {s}" for s in strings if s.encode("utf-8") in data]
            return found
        metadata = sa.MetaData()
        metadata.reflect(engine)
        found = []
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for column in table.columns:
                    if isinstance(column.type, (sa.String, sa.Text, sa.JSON)) or "json" in str(column.type).lower():
                        for s in strings:
                            hit = connection.execute(sa.select(sa.func.count()).select_from(table).where(
                                sa.cast(column, sa.Text).contains(s, autoescape=True))).scalar()
                            if hit:
                                found.append(f"{table.name}.{column.name}: {s}")
        return found


def test_amina_leaves_her_exchanges_close_and_karim_is_told(app, client, world):
    amina, karim = world["residents"]["member"], world["karim"]
    login(client, amina)
    refused = client.post("/me/leave", data={})
    assert refused.status_code == 422 and "Please tick the box to confirm." in text_of(refused)
    response = client.post("/me/leave", data={"confirm": "y"})
    assert response.status_code == 303
    page = text_of(client.get("/me/leave"))
    assert "You asked to leave. Your data will be erased on" in page and "I stay: cancel my request" in page
    login(client, karim)
    hours = text_of(client.get("/me/hours"))
    assert "Moving" not in hours  # the 1 h Karim had reserved for the agreed exchange is released
    assert "Curtain" in hours  # the disagreement waits for a coordinator, as before
    notices = text_of(client.get("/notifications"))
    assert "Amina Diallo cancelled: Moving" in notices and "Amina Diallo cancelled: CAF" in notices
    exchange = text_of(client.get(f"/exchanges/{world['ids']['agreed']}"))
    assert "This member is leaving the timebank." in exchange


def test_signing_in_during_the_grace_period_offers_to_come_back(app, client, world):
    from timebank.privacy.erasure import erase_due

    amina = world["residents"]["member"]
    login(client, amina)
    client.post("/me/leave", data={"confirm": "y"})
    client.post("/logout")
    login(client, amina)
    offered = client.get("/listings")
    assert offered.status_code == 302 and offered.headers["Location"].endswith("/me/leave")
    assert client.post("/me/leave/cancel", data={"stay": "y"}).status_code == 303
    assert client.get("/listings").status_code == 200
    with app.test_request_context():
        assert erase_due(now=utcnow() + timedelta(days=40)) == []
    assert world["people"].get(amina)["display_name"] == "Amina Diallo"
    assert world["people"].get(amina)["email"] == "amina@example.org"


def test_erase_due_erases_her_and_nothing_else_moves(app, client, world):
    from timebank.privacy.erasure import erase_due

    amina, karim = world["residents"]["member"], world["karim"]
    login(client, amina)
    client.post("/me/leave", data={"confirm": "y"})
    client.post("/logout")
    runner = app.test_cli_runner()
    assert "members erased: 0" in runner.invoke(args=["privacy", "erase-due"]).output  # not yet: 30 days to come back
    before = statements_of_others(app, amina.id)
    assert traces(app, AMINA)  # the test can see her before

    with app.test_request_context():
        erased = erase_due(now=utcnow() + timedelta(days=31))
    assert [item.number for item in erased] == [amina.number]

    assert traces(app, AMINA) == []
    assert traces(app, ["Mother of two, I speak Wolof", "Thank you for the curtains"]) == []
    assert statements_of_others(app, amina.id) == before
    verify = runner.invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0, verify.output
    again = runner.invoke(args=["privacy", "erase-due"])
    assert again.exit_code == 0 and "members erased: 0" in again.output  # safe twice

    former = f"Former member no. {amina.number}"
    login(client, karim)
    assert former in text_of(client.get(f"/exchanges/{world['ids']['agreed']}"))
    assert former in text_of(client.get("/me/hours"))
    inbox = text_of(client.get("/messages"))
    assert former in inbox and "Thank you" not in inbox
    client.post("/logout")
    assert client.post("/login", data={"identifier": str(amina.number), "password": amina.password}).status_code == 401
    login(client, world["residents"]["coordinator"])
    log = audit_text(client)
    assert f"erased the personal data of {former}" in log and f"sent a warning to {former}" in log


def test_a_coordinator_erases_at_once_with_a_reason_and_the_hours_go_to_the_community(make_app, tmp_path):
    from timebank.giving.services import give_time
    from timebank.ledger.services import account_of, community_account
    from timebank.members.models import Member

    from tests.factories import Factory

    app = make_app(BABEL_DEFAULT_LOCALE="en", TIMEBANK_ERASURE_BALANCE="community",
                   TIMEBANK_ERASURE_JOURNAL=str(tmp_path / "journal.txt"))
    people = Factory(app)
    sandrine, amina, karim = people.coordinator(), people.member("Amina Diallo"), people.member("Karim Benali")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        give_time(giver=db.session.get(Member, karim.id), recipient=db.session.get(Member, amina.id), minutes=90,
                  memo="Curtains", key="k1")
    client = app.test_client()
    login(client, sandrine)
    assert client.post(f"/coordination/members/{amina.id}/erase", data={"reason": ""}).status_code == 422
    response = client.post(f"/coordination/members/{amina.id}/erase",
                           data={"reason": "Asked by phone on Monday", "confirm": "y"})
    assert response.status_code == 303
    log = audit_text(client, "member_erased")
    assert "Asked by phone on Monday" in log and "Amina Diallo" not in log
    from timebank.audit import AuditEntry

    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "member_erased")).one()
        assert entry.detail["balance_moved"] == 90  # what went to the community, read before it went
    with app.app_context():
        assert account_of(db.session.get(Member, amina.id)).posted == 0
        assert community_account().posted == 90
        assert account_of(db.session.get(Member, karim.id)).posted == -90
    assert app.test_cli_runner().invoke(args=["ledger", "verify"]).exit_code == 0
    assert (tmp_path / "journal.txt").read_text().split()[1] == str(amina.number)
    again = client.post(f"/coordination/members/{amina.id}/erase", data={"reason": "again", "confirm": "y"})
    assert again.status_code == 409


def test_only_an_admin_erases_a_coordinator(app, client, people):
    sandrine, other = people.coordinator(), people.coordinator("Paul Martin")
    login(client, sandrine)
    response = client.post(f"/coordination/members/{other.id}/erase", data={"reason": "Asked", "confirm": "y"})
    assert response.status_code == 403
    assert people.get(other)["display_name"] == "Paul Martin"


def test_a_member_who_is_leaving_can_come_back_even_after_the_charter_changed(app, client, people):
    """Asked to leave, then the charter changed (or a warning came): every page sends her to the leaving page,
    which must open, and "I stay" must work, instead of sending her round in circles."""
    import sqlalchemy as sa

    from timebank.members.models import Member

    amina = people.member("Amina Diallo")
    login(client, amina)
    assert client.post("/me/leave", data={"confirm": "y"}).status_code == 303
    with app.app_context():
        db.session.execute(sa.update(Member).where(Member.id == amina.id).values(charter_accepted_at=None))
        db.session.commit()
    home = client.get("/")
    assert home.status_code in (302, 303)
    leave = client.get(home.headers["Location"])
    assert leave.status_code == 200 and "/me/leave/cancel" in leave.get_data(as_text=True)
    assert client.post("/me/leave/cancel", data={}).status_code in (302, 303)
    with app.app_context():
        from timebank.privacy.erasure import erasure_open

        assert erasure_open(db.session.get(Member, amina.id)) is None
