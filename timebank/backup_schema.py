"""Comparing a restored SQLite database's schema with the one the migrations build for its revision."""
from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

from flask import current_app

from timebank.extensions import db


def schema_differences(copy: Path, revision: str, work: Path) -> list[str]:
    """Name what differs between a database's schema and what the migrations build for its revision (extra
    objects first, then changed, then missing); an empty list when it is exactly theirs.

    A trigger or a view hidden in a backup would run inside the restored
    instance (a trigger can rewrite balances behind the ledger); nothing the
    migrations did not make is let in.
    """
    from flask_migrate import upgrade

    create_app = current_app.extensions["timebank.create_app"]  # the factory, given by itself (it sits above)
    reference = work / "reference.sqlite"
    config = {key: current_app.config[key] for key in ("SECRET_KEY", "TESTING") if key in current_app.config}
    builder = create_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{reference}"})
    logging.disable(logging.INFO)  # the volunteer reads one line, not the migrations of a scratch database
    try:
        with builder.app_context():
            try:
                upgrade(revision=revision)
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        logging.disable(logging.NOTSET)
    expected, found = _schema(reference), _schema(copy)
    extra = sorted(set(found) - set(expected))
    changed = sorted(key for key in set(found) & set(expected) if found[key] != expected[key])
    missing = sorted(set(expected) - set(found))
    return [f"{kind} {name}" for kind, name in extra + changed + missing]


def _schema(path: Path) -> dict[tuple[str, str], str]:
    """Every table, view, trigger and index of a SQLite database, with its SQL (whitespace collapsed)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' "
                                  "ESCAPE '\\'").fetchall()
    return {(kind, name): _canonical(sql or "") for kind, name, sql in rows}


def _canonical(sql: str) -> str:
    """The SQL of a schema object, whitespace collapsed; a table's columns and constraints in sorted order.

    A batch migration rebuilds a table from its reflection, which may list the
    constraints in another order from one run to the next: the order carries no meaning.
    """
    sql = " ".join(sql.split())
    if not sql.upper().startswith("CREATE TABLE") or "(" not in sql:
        return sql
    head, body = sql.split("(", 1)
    body, tail = body.rsplit(")", 1)
    items, depth, current = [], 0, ""
    for char in body:
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        depth += (char == "(") - (char == ")")
        current += char
    items.append(current.strip())
    return f"{head}({', '.join(sorted(items))}){tail}"
