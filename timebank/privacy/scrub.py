"""Take an erased member's name, e-mail and phone out of every table — but the ledger, whose rows never change.

Other people's notices, e-mails, timelines and the audit log's details may quote her name ("Amina cancelled…"):
each text and JSON column of each table is searched for the exact strings and they are replaced. The member row
itself is rewritten by ``erasure``; the ledger (accounts and transfers) is never touched: a transfer's memo stays
as it was written.
"""
from __future__ import annotations

import json
import logging

import sqlalchemy as sa

from timebank.extensions import db
from timebank.timeutil import utcnow

log = logging.getLogger(__name__)

# Never edited: the ledger's rows; and the member table, which erasure rewrites itself (another member's own name
# may contain hers).
UNTOUCHED = {"transfer", "account", "member", "alembic_version"}


def _replace_all(value, needles: list[tuple[str, str]]):
    if isinstance(value, str):
        for old, new in needles:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace_all(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _replace_all(item, needles) for key, item in value.items()}
    return value


def _text_columns(table: sa.Table) -> tuple[list[sa.Column], list[sa.Column]]:
    texts, jsons = [], []
    for column in table.columns:
        if isinstance(column.type, sa.JSON):
            jsons.append(column)
        elif isinstance(column.type, (sa.String, sa.Text)) and not isinstance(column.type, sa.Enum) \
                and not column.foreign_keys:
            texts.append(column)
    return texts, jsons


MIN_QUOTED = 20  # a message of hers shorter than this is not searched for elsewhere ("ok" is in every text)


def scrub_everywhere(needles: list[tuple[str, str]]) -> dict[str, int]:
    """Replace each (old, new) pair in every text and JSON column outside the ledger; return rows changed per table.

    Joins the caller's transaction. In the audit log, ``redacted_at`` marks the entries changed (the only change
    the database lets through there).
    """
    needles = [(old, new) for old, new in needles if old and len(old) >= 3]
    if not needles:
        return {}
    changed: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        if table.name in UNTOUCHED:
            continue
        texts, jsons = _text_columns(table)
        if not texts and not jsons:
            continue
        key = list(table.primary_key.columns)
        conditions = []
        for column in texts:
            conditions += [column.contains(old, autoescape=True) for old, _new in needles]
        for column in jsons:
            as_text = sa.cast(column, sa.Text)
            for old, _new in needles:
                conditions += [as_text.contains(old, autoescape=True),
                               as_text.contains(json.dumps(old)[1:-1], autoescape=True)]
        rows = db.session.execute(sa.select(*key, *texts, *jsons).where(sa.or_(*conditions))).all()
        for row in rows:
            values = row._mapping
            new = {column.name: _replace_all(values[column.name], needles) for column in texts + jsons}
            new = {name: value for name, value in new.items() if value != values[name]}
            if not new:
                continue
            if table.name == "audit_entry":
                new["redacted_at"] = utcnow()
            if table.name == "outbox_message" and "body" in new:
                new["body"] = ""  # an e-mail about her may quote her words too: its text goes
            db.session.execute(table.update().where(*[column == values[column.name] for column in key])
                               .values(**new))
            changed[table.name] = changed.get(table.name, 0) + 1
    return changed


def compact_database() -> None:
    """SQLite keeps deleted text in free pages and its search index until they are reused: rewrite the file."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    db.session.remove()
    raw = engine.raw_connection()  # the driver's own connection: no BEGIN of ours around VACUUM
    try:
        cursor = raw.driver_connection.cursor()
        if cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'listing_fts'").fetchone():
            cursor.execute("INSERT INTO listing_fts(listing_fts) VALUES ('optimize')")  # merges away deleted rows
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    except Exception as error:  # noqa: BLE001 - busy: the next erasure does it; the erasure itself is committed
        log.warning("the database file could not be compacted after an erasure: %s", error)
    finally:
        raw.close()
