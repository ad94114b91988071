"""A backup made before Amina was erased, restored on a new server: she is erased again, from the journal."""
from __future__ import annotations

import sqlalchemy as sa

from tests.unit.test_backup import made_backup, new_server, run, sqlite_only  # noqa: F401  (fixtures)
from timebank.extensions import db


def statement(app, email: str):
    from timebank.ledger.services import account_of, statement_all
    from timebank.members.services import member_by_identifier

    with app.app_context():
        return [(line.transfer.id, line.minutes, line.balance_after, line.counterpart.id)
                for line in statement_all(account=account_of(member_by_identifier(email)))]


@sqlite_only
def test_restoring_an_older_backup_erases_again_whoever_was_erased_since(make_app, new_server, tmp_path):  # noqa: F811
    from timebank.giving.services import give_time
    from timebank.members.models import Member
    from timebank.privacy.erasure import member_erase_now

    from tests.factories import Factory

    journal = tmp_path / "kept-with-the-backups" / "erasure-journal.txt"
    association = make_app(BABEL_DEFAULT_LOCALE="en", TIMEBANK_ERASURE_JOURNAL=str(journal))
    people = Factory(association)
    sandrine, amina, karim = people.coordinator(), people.member("Amina Diallo"), people.member("Karim Benali")
    with association.test_request_context(headers={"Accept-Language": "en"}):
        give_time(giver=db.session.get(Member, karim.id), recipient=db.session.get(Member, amina.id), minutes=60,
                  memo="Curtains", key="k1")
    archive = made_backup(association, tmp_path / "backups")  # Amina is still in it

    with association.test_request_context(headers={"Accept-Language": "en"}):
        member_erase_now(member=db.session.get(Member, amina.id), actor=db.session.get(Member, sandrine.id),
                         reason="Asked at the office")
    assert journal.read_text().split()[1] == str(amina.number)  # her number and the date, nothing else
    assert "Amina" not in journal.read_text()
    karim_after = statement(association, "karim@example.org")

    server = new_server()
    server.config["TIMEBANK_ERASURE_JOURNAL"] = str(journal)  # the journal was copied with the backups
    result = run(server, "backup", "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert f"erased again since the backup was made: 1 ({amina.number};" in result.output
    with server.app_context():
        restored = db.session.scalar(sa.select(Member).where(Member.number == amina.number))
        assert restored.display_name == f"Former member no. {amina.number}" and restored.email is None
        db.session.remove()
        db.engine.dispose()
    data = open(server.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), "rb").read()
    assert b"Amina Diallo" not in data and b"amina@example.org" not in data
    assert statement(server, "karim@example.org") == karim_after
    verify = run(server, "ledger", "verify")
    assert verify.exit_code == 0 and "ledger OK" in verify.output


def test_the_journal_can_be_reapplied_by_hand_after_pg_restore(make_app, tmp_path):
    from timebank.privacy.journal import journal_append

    from tests.factories import Factory

    app = make_app(BABEL_DEFAULT_LOCALE="en", TIMEBANK_ERASURE_JOURNAL=str(tmp_path / "journal.txt"))
    amina = Factory(app).member("Amina Diallo")
    with app.app_context():
        journal_append([amina.number])
    refused = run(app, "privacy", "reapply", "--since", "yesterday")
    assert refused.exit_code == 2 and "not a date and time" in refused.output
    result = run(app, "privacy", "reapply", "--since", "2026-01-01T00:00:00")
    assert result.exit_code == 0 and f"members erased again: 1 ({amina.number})" in result.output
    assert "members erased again: 0" in run(app, "privacy", "reapply", "--since", "2026-01-01T00:00:00").output
