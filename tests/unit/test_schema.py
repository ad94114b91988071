"""The migrations build exactly the schema the models describe, and SQLite is set up safely."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from timebank.database import include_in_autogenerate
from timebank.extensions import db


def test_migrations_match_the_models(ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_object": include_in_autogenerate})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_sqlite_connections_have_wal_foreign_keys_and_a_busy_timeout(ctx):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_ledger_services_take_the_write_lock_first_on_sqlite(ctx, people):
    """Two writers must queue at BEGIN, not both read a balance and fail at COMMIT."""
    if db.engine.dialect.name != "sqlite":
        return
    from tests.factories import account, member
    from timebank.ledger import services as ledger
    from timebank.ledger.models import TransferKind

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    debit, credit, actor = account(karim), account(amina), member(karim)  # a read transaction is open now
    sa.event.listen(db.engine, "before_cursor_execute", record)
    ledger.transfer_post(debit=debit, credit=credit, minutes=60, kind=TransferKind.DIRECT, key="k", actor=actor)
    sa.event.remove(db.engine, "before_cursor_execute", record)

    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE"]
    assert statements[0] == "BEGIN IMMEDIATE"  # before the accounts are read


def test_every_category_icon_is_a_file_in_static(ctx):
    from pathlib import Path

    from timebank.listings.services import categories

    icons = Path(ctx.static_folder) / "icons"
    names = [category.icon for category in categories()]
    assert len(names) == 16
    assert [name for name in names if not (icons / f"{name}.svg").is_file()] == []
