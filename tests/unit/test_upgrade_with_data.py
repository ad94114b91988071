"""Upgrading keeps everything: an instance of the very first version, full of residents, upgraded step by step."""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from tests.conftest import PG_URL, base_config, pg_url
from timebank import create_app
from timebank.extensions import db

# The tables as revision 0001 made them (not the models, which describe the newest schema).
MEMBER = sa.table(
    "member",
    sa.column("id", sa.Integer), sa.column("number", sa.Integer), sa.column("email", sa.String),
    sa.column("password_hash", sa.String), sa.column("display_name", sa.String), sa.column("bio", sa.Text),
    sa.column("phone", sa.String), sa.column("area", sa.String), sa.column("locale", sa.String),
    sa.column("contact_visibility", sa.String), sa.column("role", sa.String), sa.column("status", sa.String),
    sa.column("charter_accepted_at", sa.DateTime), sa.column("created_at", sa.DateTime),
    sa.column("decided_at", sa.DateTime), sa.column("decided_by_id", sa.Integer),
    sa.column("last_seen_at", sa.DateTime),
)
LANGUAGE = sa.table("member_language", sa.column("member_id", sa.Integer), sa.column("code", sa.String))
OUTBOX = sa.table(
    "outbox_message",
    sa.column("id", sa.Integer), sa.column("to_address", sa.String), sa.column("member_id", sa.Integer),
    sa.column("locale", sa.String), sa.column("subject", sa.String), sa.column("body", sa.Text),
    sa.column("created_at", sa.DateTime), sa.column("attempts", sa.Integer),
    sa.column("next_attempt_at", sa.DateTime), sa.column("sent_at", sa.DateTime), sa.column("last_error", sa.Text),
)

SPRING = datetime(2026, 3, 14, 9, 30)
PASSWORDS = {"claire@example.org": "claire's long password", "amina@example.org": "amina's long password",
             "moussa@example.org": "moussa's long password"}

# name, e-mail, role, status, area, locale, languages
RESIDENTS = [
    ("Claire Dubois", "claire@example.org", "admin", "active", "Centre", "fr", ["fr", "en"]),
    ("Sandrine Martin", "sandrine@example.org", "coordinator", "active", "La Source", "fr", ["fr"]),
    ("Amina Diallo", "amina@example.org", "member", "active", "Les Tilleuls", "fr", ["fr", "ff", "wo"]),
    ("Karim Benali", "karim@example.org", "member", "active", "Les Tilleuls", "ar", ["ar", "fr"]),
    ("Hawa Coulibaly", None, "member", "active", "Centre", "fr", ["bm"]),  # no e-mail: a coordinator helps her
    ("Nadia Haddad", "nadia@example.org", "member", "pending", "Centre", "ar", ["ar"]),
    ("Tariq Haddad", "tariq@example.org", "member", "declined", "Le Port", "en", []),
    ("Moussa Traoré", "moussa@example.org", "member", "suspended", "Le Port", "fr", ["fr", "bm"]),
]


@pytest.fixture
def old_instance_url(tmp_path):
    """An empty database for the old instance; on PostgreSQL a database of its own, dropped afterwards."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'old-instance.sqlite'}"
        return
    url = sa.make_url(pg_url())
    name = f"{url.database}_upgrade_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def old_instance(old_instance_url):
    app = create_app({**base_config(old_instance_url), "BABEL_DEFAULT_LOCALE": "en"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def fill_first_version(connection) -> None:
    """What the association's instance held at revision 0001: residents, their languages, the outbox."""
    from timebank.members.passwords import password_hash

    ids = {}
    for n, (name, email, role, status, area, locale, languages) in enumerate(RESIDENTS):
        decided = status != "pending"
        ids[name] = connection.execute(MEMBER.insert().returning(MEMBER.c.id).values(
            email=email, password_hash=password_hash(PASSWORDS.get(email, f"{name} has a password")),
            display_name=name, bio=f"Bio de {name} : « voisine » — جارة", phone=f"06 12 34 56 {n:02d}",
            area=area, locale=locale, contact_visibility="members" if n % 2 else "counterparts", role=role,
            status=status, charter_accepted_at=SPRING, created_at=SPRING,
            decided_at=SPRING if decided else None,
            decided_by_id=ids.get("Sandrine Martin") if decided else None,
            last_seen_at=SPRING if status == "active" else None,
        )).scalar_one()
        for code in languages:
            connection.execute(LANGUAGE.insert().values(member_id=ids[name], code=code))
    connection.execute(MEMBER.update().values(number=1000 + MEMBER.c.id))  # as member_create numbers them
    connection.execute(OUTBOX.insert(), [
        {"to_address": "amina@example.org", "member_id": ids["Amina Diallo"], "locale": "fr",
         "subject": "Bienvenue", "body": "Votre adhésion est acceptée.", "created_at": SPRING, "attempts": 1,
         "next_attempt_at": SPRING, "sent_at": SPRING, "last_error": None},
        {"to_address": "karim@example.org", "member_id": ids["Karim Benali"], "locale": "ar",
         "subject": "مرحبا", "body": "Waiting for the mail server.", "created_at": SPRING, "attempts": 3,
         "next_attempt_at": SPRING, "sent_at": None, "last_error": "connection refused"},
    ])


def snapshot(connection) -> dict:
    return {
        "members": [dict(row._mapping) for row in connection.execute(MEMBER.select().order_by(MEMBER.c.id))],
        "languages": sorted(tuple(row) for row in connection.execute(LANGUAGE.select())),
        "outbox": [dict(row._mapping) for row in connection.execute(OUTBOX.select().order_by(OUTBOX.c.id))],
    }


PHONES_IN_E164 = "0022_push"  # the migration that keeps every readable phone number in E.164


def first_version_filled() -> dict:
    """Build the database at revision 0001 and fill it; return what it holds."""
    upgrade(revision="0001")
    with db.engine.begin() as connection:
        fill_first_version(connection)
    with db.engine.connect() as connection:
        return snapshot(connection)


def test_an_instance_of_the_first_version_upgrades_step_by_step_without_losing_anything(old_instance):
    with old_instance.app_context():
        scripts = ScriptDirectory(old_instance.extensions["migrate"].directory)
        revisions = [script.revision for script in reversed(list(scripts.walk_revisions()))]
        assert revisions[0] == "0001"
        before = first_version_filled()
        assert len(before["members"]) == len(RESIDENTS) and len(before["outbox"]) == 2

        for revision in revisions[1:]:
            upgrade(revision=revision)
            if revision == PHONES_IN_E164:  # the one change a migration makes: "06 12 34 56 01" → "+33612345601"
                for member in before["members"]:
                    member["phone"] = "+33" + member["phone"].replace(" ", "")[1:]
            with db.engine.connect() as connection:
                assert snapshot(connection) == before, f"data changed by migration {revision}"
                assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) == revision
        db.engine.dispose()

    check_the_defaults_of_later_migrations(old_instance, before)
    check_the_residents_carry_on(old_instance)


def check_the_defaults_of_later_migrations(app, before: dict) -> None:
    from timebank.ledger.models import Account, AccountKind
    from timebank.listings.models import Category
    from timebank.members.models import Member
    from timebank.notifications.models import OutboxMessage

    with app.app_context():
        active = {m["id"] for m in before["members"] if m["status"] == "active"}
        accounts = db.session.scalars(sa.select(Account).order_by(Account.id)).all()
        # 0002: the community and system accounts, and an account for each member already active.
        assert {a.member_id for a in accounts if a.kind is AccountKind.MEMBER} == active
        assert [(a.floor, a.ceiling, a.posted, a.pending_debits, a.pending_credits, a.limits_overridden)
                for a in accounts if a.kind is AccountKind.MEMBER] == [(-600, 2400, 0, 0, 0, False)] * len(active)
        singles = {a.kind: (a.floor, a.ceiling, a.posted) for a in accounts if a.kind is not AccountKind.MEMBER}
        assert singles == {AccountKind.COMMUNITY: (0, None, 0), AccountKind.SYSTEM: (None, 0, 0)}
        # 0005: the sixteen categories; later columns take their defaults.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 16
        members = db.session.scalars(sa.select(Member).order_by(Member.id)).all()
        assert {(m.notify_matches, m.brokered, m.verified_at, m.helper_id) for m in members} == {
            (False, False, None, None)}
        assert [m.digest for m in db.session.scalars(sa.select(OutboxMessage))] == [False, False]

    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0 and "ledger OK" in result.output, result.output


def check_the_residents_carry_on(app) -> None:
    """Amina signs in with her old password and finds her hours; a new neighbour joins after the others."""
    from timebank.members.models import Status
    from timebank.members.services import member_create

    client = app.test_client()
    response = client.post("/login", data={"identifier": "amina@example.org",
                                           "password": PASSWORDS["amina@example.org"]})
    assert response.status_code == 302
    hours = client.get("/me/hours")
    assert hours.status_code == 200 and 'class="balance-figure' in hours.get_data(as_text=True)

    with app.app_context():
        newcomer = member_create(display_name="Leïla Mansouri", email="leila@example.org",
                                 password="leila's long password", status=Status.ACTIVE, locale="en")
        db.session.commit()
        assert (newcomer.id, newcomer.number) == (len(RESIDENTS) + 1, 1000 + len(RESIDENTS) + 1)
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output


def test_a_member_suspended_before_the_ledger_finds_his_hours_once_reactivated(old_instance):
    from timebank.coordination.services import member_reactivate
    from timebank.members.services import member_by_identifier

    with old_instance.app_context():
        first_version_filled()
        upgrade()
        db.engine.dispose()
    with old_instance.test_request_context():
        member_reactivate(member=member_by_identifier("moussa@example.org"),
                          actor=member_by_identifier("sandrine@example.org"), reason="Back from his travels.")
    client = old_instance.test_client()
    client.post("/login", data={"identifier": "moussa@example.org", "password": PASSWORDS["moussa@example.org"]})

    hours = client.get("/me/hours")
    assert hours.status_code == 200 and 'class="balance-figure' in hours.get_data(as_text=True)
