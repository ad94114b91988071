"""Backups: an association's volunteer copies the whole instance, and restores it on a new server."""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import threading
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, base_config
from timebank import create_app
from timebank.extensions import db
from timebank.timeutil import utcnow

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="archives hold a SQLite database; PostgreSQL uses pg_dump")
ENGLISH = {"BABEL_DEFAULT_LOCALE": "en"}  # the CLI speaks the instance's language


@pytest.fixture
def association(make_app, tmp_path):
    """The running instance of the association, with its uploaded logo."""
    uploads = tmp_path / "uploads"
    (uploads / "logos").mkdir(parents=True)
    (uploads / "logos" / "tilleuls.png").write_bytes(b"\x89PNG not really a picture")
    (uploads / "charter.pdf").write_bytes(b"%PDF-1.4 the charter")
    return make_app(TIMEBANK_UPLOAD_FOLDER=str(uploads), **ENGLISH)


@pytest.fixture
def new_server(tmp_path):
    """A new, empty instance: no database file yet, no uploads."""
    apps = []

    def build(name: str = "new-server"):
        folder = tmp_path / name
        folder.mkdir()
        app = create_app({**base_config(f"sqlite:///{folder / 'timebank.sqlite'}"),
                          "TIMEBANK_UPLOAD_FOLDER": str(folder / "uploads"), **ENGLISH})
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def made_backup(app, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    result = run(app, "backup", "create", str(folder))
    assert result.exit_code == 0, result.output
    (archive,) = folder.glob("timebank-backup-*.tar.gz")
    return archive


def ledger_rows(app) -> dict:
    """What a person could check by hand: every transfer, every balance, Karim's statement, every table's size."""
    from timebank.ledger.models import Account, Transfer
    from timebank.ledger.services import account_of, statement_all
    from timebank.members.services import member_by_identifier

    with app.app_context():
        transfers = [(t.id, t.key, t.kind.value, t.state.value, t.minutes, t.debit_account_id, t.credit_account_id,
                      t.debit_balance_after, t.credit_balance_after)
                     for t in db.session.scalars(sa.select(Transfer).order_by(Transfer.id))]
        accounts = [(a.id, a.member_id, a.posted, a.pending_debits, a.pending_credits, a.floor, a.ceiling)
                    for a in db.session.scalars(sa.select(Account).order_by(Account.id))]
        karim = account_of(member_by_identifier("karim@example.org"))
        statement = [(line.transfer.id, line.minutes, line.balance_after) for line in statement_all(account=karim)]
        inspector = sa.inspect(db.engine)
        counts = {name: db.session.scalar(sa.text(f'SELECT count(*) FROM "{name}"'))
                  for name in inspector.get_table_names() if not name.startswith("listing_fts")}
        return {"transfers": transfers, "accounts": accounts, "karim": statement, "counts": counts}


def report_figures(app) -> dict:
    """Every figure of the impact report over the last two years, as plain values."""
    from timebank.reports.services import impact_report

    with app.test_request_context():
        today = utcnow().date()
        report = impact_report(start=date(today.year - 1, 1, 1), end=today)
        figures = {f.name: getattr(report, f.name) for f in fields(report) if f.name != "categories"}
        figures["categories"] = [(c.category.slug if c.category else None, c.exchanges, c.minutes, c.members)
                                 for c in report.categories]
        return figures


@sqlite_only
def test_a_backup_restored_on_a_new_server_holds_the_same_ledger_and_files(association, new_server, tmp_path):
    assert run(association, "demo", "load").exit_code == 0
    before, figures = ledger_rows(association), report_figures(association)
    assert len(before["transfers"]) > 20 and len(before["karim"]) > 2 and figures["exchanges"] > 0

    archive = made_backup(association, tmp_path / "backups")
    server = new_server()
    result = run(server, "backup", "restore", str(archive))

    assert result.exit_code == 0, result.output
    assert f"members: {before['counts']['member']}, transfers: {len(before['transfers'])}, uploaded files: 2" \
        in result.output
    assert "ledger OK" in result.output
    assert ledger_rows(server) == before
    assert report_figures(server) == figures
    uploads = Path(server.config["TIMEBANK_UPLOAD_FOLDER"])
    assert (uploads / "logos" / "tilleuls.png").read_bytes() == b"\x89PNG not really a picture"
    assert (uploads / "charter.pdf").read_bytes() == b"%PDF-1.4 the charter"
    verify = run(server, "ledger", "verify")
    assert verify.exit_code == 0 and "ledger OK" in verify.output

    # Karim signs in on the new server with his own password and finds his hours.
    client = server.test_client()
    signed_in = client.post("/login", data={"identifier": "karim@example.org", "password": "timebank-demo"})
    assert signed_in.status_code == 302
    assert client.get("/me/hours").status_code == 200


@sqlite_only
def test_the_manifest_says_what_the_archive_holds(association, tmp_path, people):
    people.member("Amina Diallo")
    archive = made_backup(association, tmp_path / "backups")

    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["manifest.json", "timebank.sqlite", "uploads", "uploads/charter.pdf",
                                          "uploads/logos", "uploads/logos/tilleuls.png"]
        manifest = json.load(tar.extractfile("manifest.json"))
        database = tar.extractfile("timebank.sqlite").read()
    with association.app_context():
        revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert manifest["format_version"] == 1
    assert manifest["app_version"] and manifest["created_at"].endswith("Z")
    assert manifest["alembic_revision"] == revision
    assert (manifest["members"], manifest["transfers"], manifest["uploads"]) == (1, 0, 2)
    assert manifest["database_sha256"] == hashlib.sha256(database).hexdigest()


@sqlite_only
def test_a_backup_made_while_members_exchange_is_consistent(association, new_server, tmp_path, database_url, people):
    """Amina and Karim keep giving each other quarter hours while the volunteer makes three backups."""
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    stop = threading.Event()
    posted = []

    def exchange_all_afternoon():
        from timebank.ledger import services as ledger
        from timebank.ledger.models import TransferKind
        from timebank.members.models import Member

        app = create_app(base_config(database_url))
        with app.test_request_context():
            n = 0
            while not stop.is_set() and n < 2000:
                giver, receiver = (amina, karim) if n % 2 else (karim, amina)
                debit = ledger.account_of(db.session.get(Member, giver.id))
                credit = ledger.account_of(db.session.get(Member, receiver.id))
                ledger.transfer_post(debit=debit, credit=credit, minutes=15, kind=TransferKind.DIRECT,
                                     key=f"afternoon-{n}", actor=db.session.get(Member, giver.id))
                posted.append(n)
                n += 1
            db.session.remove()
            db.engine.dispose()

    writer = threading.Thread(target=exchange_all_afternoon)
    writer.start()
    try:
        archives = []
        for number in range(3):
            while len(posted) < 10 * (number + 1):
                stop.wait(0.01)
            archives.append(made_backup(association, tmp_path / f"backups-{number}"))
    finally:
        stop.set()
        writer.join()

    counts = []
    for number, archive in enumerate(archives):
        server = new_server(f"server-{number}")
        result = run(server, "backup", "restore", str(archive))
        assert result.exit_code == 0 and "ledger OK" in result.output, result.output
        counts.append(ledger_rows(server)["counts"]["transfer"])
    assert counts == sorted(counts) and counts[0] >= 10 and counts[-1] <= len(posted)


@sqlite_only
def test_an_older_backup_is_upgraded_when_restored(new_server, tmp_path):
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    old = new_server("old-version")
    with old.app_context():
        scripts = ScriptDirectory(old.extensions["migrate"].directory)
        previous = scripts.get_revision(scripts.get_current_head()).down_revision
        upgrade(revision=previous)
        db.engine.dispose()
    archive = made_backup(old, tmp_path / "backups")

    server = new_server()
    result = run(server, "backup", "restore", str(archive))

    assert result.exit_code == 0, result.output
    assert f"database upgraded from schema {previous}" in result.output and "ledger OK" in result.output
    with server.app_context():
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == scripts.get_current_head()


@sqlite_only
def test_a_backup_restores_into_a_migrated_but_empty_instance(association, migrated_database, tmp_path, people):
    """The volunteer ran `timebank db upgrade` on the new server before restoring: that is fine."""
    people.member("Amina Diallo")
    archive = made_backup(association, tmp_path / "backups")
    folder = tmp_path / "migrated"
    folder.mkdir()
    shutil.copyfile(migrated_database, folder / "timebank.sqlite")
    server = create_app({**base_config(f"sqlite:///{folder / 'timebank.sqlite'}"),
                         "TIMEBANK_UPLOAD_FOLDER": str(folder / "uploads"), **ENGLISH})

    result = run(server, "backup", "restore", str(archive))

    assert result.exit_code == 0, result.output
    with server.app_context():
        assert db.session.scalar(sa.text("SELECT display_name FROM member")) == "Amina Diallo"
        db.session.remove()
        db.engine.dispose()


# Refusals: one clear line and exit code 1, never a traceback ---------------


def refused(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1 and message in result.output, result.output


def rebuild(archive: Path, target: Path, *, manifest: dict | None = None, database: bytes | None = None,
            extra: dict[str, bytes] | None = None, keep_hash: bool = True) -> Path:
    """Copy a backup archive, changing what a test needs changed."""
    with tarfile.open(archive) as tar:
        original = json.load(tar.extractfile("manifest.json"))
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isreg()}
    if database is not None:
        members["timebank.sqlite"] = database
        if not keep_hash:
            original["database_sha256"] = hashlib.sha256(database).hexdigest()
    members["manifest.json"] = json.dumps({**original, **(manifest or {})}).encode()
    members.update(extra or {})
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def archive(association, tmp_path, people):
    people.member("Amina Diallo")
    return made_backup(association, tmp_path / "backups")


@sqlite_only
def test_restore_refuses_a_missing_file(new_server, tmp_path):
    refused(run(new_server(), "backup", "restore", str(tmp_path / "nowhere.tar.gz")), "There is no file")


@sqlite_only
def test_restore_refuses_a_file_that_is_not_an_archive(new_server, tmp_path):
    letter = tmp_path / "letter.tar.gz"
    letter.write_text("Dear members, the general assembly is on Saturday.")
    refused(run(new_server(), "backup", "restore", str(letter)), "is not a Timebank backup archive")

    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        tar.add(letter, arcname="letter.txt")
    refused(run(new_server("again"), "backup", "restore", str(other)), "is not a Timebank backup archive")


@sqlite_only
def test_restore_refuses_a_tampered_database(archive, new_server, tmp_path):
    """Someone edited a balance in the database inside the archive: the hash gives it away."""
    with tarfile.open(archive) as tar:
        database = bytearray(tar.extractfile("timebank.sqlite").read())
    database[-100] ^= 0xFF
    server = new_server()
    refused(run(server, "backup", "restore", str(rebuild(archive, tmp_path / "t.tar.gz", database=bytes(database)))),
            "does not match its manifest")
    assert not Path(server.config["TIMEBANK_UPLOAD_FOLDER"]).exists()  # nothing was written


@sqlite_only
def test_restore_refuses_a_damaged_database_even_with_a_matching_hash(archive, new_server, tmp_path):
    junk = b"SQLite format 3\x00" + b"\x00" * 4000
    refused(run(new_server(), "backup", "restore",
                str(rebuild(archive, tmp_path / "d.tar.gz", database=junk, keep_hash=False))), "is damaged")


@sqlite_only
def test_restore_refuses_a_backup_from_a_newer_version(archive, new_server, tmp_path):
    newer_format = rebuild(archive, tmp_path / "f.tar.gz", manifest={"format_version": 2})
    refused(run(new_server(), "backup", "restore", str(newer_format)), "made by a newer version of Timebank")

    with tarfile.open(archive) as tar:
        tar.extract("timebank.sqlite", tmp_path / "newer", filter="data")
    with contextlib.closing(sqlite3.connect(tmp_path / "newer" / "timebank.sqlite")) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
        connection.commit()
    newer_schema = rebuild(archive, tmp_path / "s.tar.gz", keep_hash=False,
                           database=(tmp_path / "newer" / "timebank.sqlite").read_bytes())
    refused(run(new_server("again"), "backup", "restore", str(newer_schema)), "(schema 9999)")


@sqlite_only
def test_restore_refuses_an_instance_that_has_members(archive, association, people):
    refused(run(association, "backup", "restore", str(archive)), "already has 1 members")
    assert people.count_members() == 1


@sqlite_only
def test_restore_refuses_files_that_would_land_outside_the_upload_folder(archive, new_server, tmp_path):
    hostile = rebuild(archive, tmp_path / "h.tar.gz", extra={"uploads/../../outside.txt": b"gotcha"})
    server = new_server()

    refused(run(server, "backup", "restore", str(hostile)), "is not a Timebank backup archive")

    assert not (tmp_path / "outside.txt").exists()
    with server.app_context():  # refused before anything was written
        assert not sa.inspect(db.engine).has_table("member")
        db.engine.dispose()


@sqlite_only
def test_create_refuses_to_overwrite_or_to_write_nowhere(association, tmp_path):
    existing = tmp_path / "monday.tar.gz"
    existing.write_bytes(b"last week's backup")
    refused(run(association, "backup", "create", str(existing)), "already exists")
    assert existing.read_bytes() == b"last week's backup"
    refused(run(association, "backup", "create", str(tmp_path / "no-such-folder" / "b.tar.gz")),
            "There is no folder")


@pytest.mark.skipif(not PG_URL, reason="only a PostgreSQL instance refuses")
def test_postgresql_is_backed_up_with_pg_dump(make_app, tmp_path):
    app = make_app(**ENGLISH)
    refused(run(app, "backup", "create", str(tmp_path)), "pg_dump")
    refused(run(app, "backup", "restore", str(tmp_path / "x.tar.gz")), "pg_restore")
    assert list(tmp_path.iterdir()) == []


def _injected(archive: Path, folder: Path, statement: str) -> bytes:
    with tarfile.open(archive) as tar:
        tar.extract("timebank.sqlite", folder, filter="data")
    with contextlib.closing(sqlite3.connect(folder / "timebank.sqlite")) as connection:
        connection.execute(statement)
        connection.commit()
    return (folder / "timebank.sqlite").read_bytes()


@sqlite_only
@pytest.mark.parametrize("kind, statement", [
    ("trigger", "CREATE TRIGGER more_hours AFTER INSERT ON transfer BEGIN "
                "UPDATE account SET posted = posted + 600 WHERE member_id = 1; END"),
    ("view", "CREATE VIEW everyone AS SELECT email, password_hash FROM member"),
])
def test_restore_refuses_a_backup_with_a_hidden_trigger_or_view(archive, new_server, tmp_path, kind, statement):
    """Someone slipped a trigger (or a view) into the database, and made the manifest's hash match."""
    database = _injected(archive, tmp_path / kind, statement)
    server = new_server()
    refused(run(server, "backup", "restore", str(rebuild(archive, tmp_path / f"{kind}.tar.gz", database=database,
                                                          keep_hash=False))),
            "holds a schema that Timebank did not make")
    assert not Path(server.config["TIMEBANK_UPLOAD_FOLDER"]).exists()  # nothing was written
    with server.app_context():
        assert not sa.inspect(db.engine).has_table("member")
        db.engine.dispose()


@sqlite_only
def test_a_worker_of_the_new_server_reads_the_restored_settings(association, migrated_database, tmp_path, people):
    """The new server's worker already runs (it kept its settings) when the volunteer restores the backup: it shows
    the association's name at its next page, even where both databases carried the same settings version."""
    people.member("Amina Diallo")
    with association.app_context():  # written as a migration would: no new version
        db.session.execute(sa.text("INSERT INTO setting (key, value, updated_at) "
                                   "VALUES ('TIMEBANK_NAME', '\"Temps Partagé des Tilleuls\"', CURRENT_TIMESTAMP)"))
        db.session.commit()
    archive = made_backup(association, tmp_path / "backups")
    folder = tmp_path / "migrated"
    folder.mkdir()
    shutil.copyfile(migrated_database, folder / "timebank.sqlite")  # the same version token as the association's
    server = create_app({**base_config(f"sqlite:///{folder / 'timebank.sqlite'}"),
                         "TIMEBANK_UPLOAD_FOLDER": str(folder / "uploads"), **ENGLISH})
    worker = server.test_client()
    assert "Temps Partagé des Tilleuls" not in worker.get("/").get_data(as_text=True)

    result = run(server, "backup", "restore", str(archive))

    assert result.exit_code == 0, result.output
    assert "Temps Partagé des Tilleuls" in worker.get("/").get_data(as_text=True)
    with server.app_context():
        db.session.remove()
        db.engine.dispose()
