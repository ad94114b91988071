"""Engine set-up that every connection needs: SQLite pragmas and control of BEGIN."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from timebank.extensions import db


def register_database(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _configure_sqlite(engine: Engine, *, busy_timeout_ms: int) -> None:
    """Set WAL, foreign keys and a busy timeout on every connection, and own BEGIN.

    Python's sqlite3 module would otherwise open transactions lazily with a
    plain BEGIN; taking control lets a writing service start with
    ``BEGIN IMMEDIATE`` (see ``write_transaction``) so two writers queue
    instead of failing at commit.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
