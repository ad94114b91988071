"""One application and one database for a whole test module, for suites that send hundreds of requests.

The function-scoped ``app`` of conftest gives each test a clean database; a suite that asks every route
for every role would spend its time building worlds. These helpers build one per module, remember every
row, and put the rows back after a request that changed them (``Snapshot``).
"""
from __future__ import annotations

import shutil

import sqlalchemy as sa

from timebank import create_app
from timebank.extensions import db

from tests.conftest import PG_URL, _empty_postgres, base_config

# Columns any request may touch without it being a write worth noticing.
VOLATILE = {("member", "last_seen_at")}


def module_app(migrated_database, tmp_path_factory, **overrides):
    """An app on a database of its own for the module (a copy of the migrated one; PostgreSQL: emptied)."""
    if PG_URL:
        _empty_postgres(migrated_database)
        url = migrated_database
    else:
        path = tmp_path_factory.mktemp("module") / "timebank.sqlite"
        shutil.copyfile(migrated_database, path)
        url = f"sqlite:///{path}"
    return create_app({**base_config(url), "RATELIMIT_ENABLED": False, **overrides})


def close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def english_client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def signed_in(app, resident):
    client = english_client(app)
    response = client.post("/login", data={"identifier": resident.email or str(resident.number),
                                           "password": resident.password})
    assert response.status_code == 302, f"{resident.name} could not sign in"
    return client


class Snapshot:
    """Every row of every table, to tell whether a request wrote anything and to undo what it wrote."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            metadata = sa.MetaData()
            metadata.reflect(db.engine)
            self.tables = [t for t in metadata.sorted_tables
                           if t.name != "alembic_version" and not t.name.startswith(("listing_fts", "sqlite_"))]
            self.rows = self._read()

    def _read(self) -> dict[str, list[dict]]:
        rows = {}
        with db.engine.connect() as connection:
            for table in self.tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows[table.name] = [dict(r._mapping) for r in connection.execute(table.select().order_by(*order))]
        return rows

    @staticmethod
    def _stable(name: str, rows: list[dict]) -> list[dict]:
        return [{k: v for k, v in row.items() if (name, k) not in VOLATILE} for row in rows]

    def changes(self) -> list[str]:
        """The tables whose rows differ from the snapshot."""
        with self.app.app_context():
            now = self._read()
        return [name for name, rows in now.items() if self._stable(name, rows) != self._stable(name, self.rows[name])]

    def restore(self) -> None:
        """Put every row back as it was (full-text tables follow through their triggers)."""
        with self.app.app_context():
            engine = db.engine
            db.session.remove()
            if engine.dialect.name == "postgresql":
                with engine.begin() as connection:
                    names = ", ".join(f'"{t.name}"' for t in self.tables)
                    connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                    self._insert(connection)
                    for table in self.tables:
                        if "id" in table.c and self.rows[table.name]:
                            connection.execute(sa.text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f"(SELECT max(id) FROM \"{table.name}\"))"))
            else:
                with engine.begin() as connection:
                    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # checked at commit
                    # The ledger's triggers refuse to delete a transfer: lifted for this transaction only.
                    triggers = connection.exec_driver_sql(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'transfer'").all()
                    for name, _sql in triggers:
                        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
                    for table in reversed(self.tables):
                        connection.execute(table.delete())
                    self._insert(connection)
                    for _name, sql in triggers:
                        connection.exec_driver_sql(sql)

    def _insert(self, connection) -> None:
        for table in self.tables:
            if self.rows[table.name]:
                connection.execute(table.insert(), self.rows[table.name])
