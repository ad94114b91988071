"""The migrations build exactly the schema the models describe, and SQLite is set up safely."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from timebank.extensions import db


def test_migrations_match_the_models(ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_sqlite_connections_have_wal_foreign_keys_and_a_busy_timeout(ctx):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_sqlite_write_transactions_can_begin_immediate(ctx):
    if db.engine.dialect.name != "sqlite":
        return
    statements = []

    @sa.event.listens_for(db.engine, "before_cursor_execute")
    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with db.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection:
        with connection.begin():
            connection.exec_driver_sql("SELECT 1")
    sa.event.remove(db.engine, "before_cursor_execute", record)
    assert "BEGIN IMMEDIATE" in statements
