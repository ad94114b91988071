"""Engine set-up that every connection needs: SQLite pragmas and control of BEGIN."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from timebank.extensions import db

_WRITING = "timebank_writing"
T = TypeVar("T")


def register_database(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)


def _configure_postgresql(engine: Engine) -> None:
    """No just-in-time compilation of queries: the app's queries read a few rows through indexes, and when the
    planner misjudges one as large, compiling it costs a page 100-200 ms (measured: the menu's count of unread
    messages at 100 000 exchanges) for a query that then runs in under a millisecond."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


def _configure_sqlite(engine: Engine, *, busy_timeout_ms: int) -> None:
    """Set WAL, foreign keys and a busy timeout on every connection, and own BEGIN.

    Python's sqlite3 module would otherwise open transactions lazily with a
    plain BEGIN; taking control lets a writing service start with
    ``BEGIN IMMEDIATE`` (see ``begin_write``) so two writers queue
    instead of failing at commit.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function("timebank_fold", 1, fold, deterministic=True)
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


_FLUSHED = "timebank_flushed"
_COMMITTED = "_timebank_committed"


@event.listens_for(Session, "after_commit")
def _remember_commit(session):
    if has_app_context():
        setattr(g, _COMMITTED, True)


def committed_in_this_context() -> bool:
    """Whether a transaction was committed since this request (or command) began: what was read at its start,
    the menu's counts with the member, may be out of date."""
    return has_app_context() and g.get(_COMMITTED, False)


@event.listens_for(Session, "after_flush")
def _remember_flush(session, _context):
    session.info[_FLUSHED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writing(session, transaction):
    if transaction.parent is None:
        session.info.pop(_WRITING, None)
        session.info.pop(_FLUSHED, None)


def begin_write() -> None:
    """Make sure the session's transaction may write, taking the write lock now on SQLite.

    A service that reads balances and then writes must hold the lock from the
    first read, or two requests could both read the same balance. On SQLite
    that means ``BEGIN IMMEDIATE``; a read-only transaction already open (the
    request loaded the signed-in member) is ended first. On PostgreSQL the
    services lock the rows they read with ``SELECT … FOR UPDATE`` instead.
    Calling it again inside the same transaction does nothing, so services
    compose.
    """
    session = db.session()  # the request's Session itself, behind the scoped proxy
    if session.info.get(_WRITING):
        return
    if session.get_bind().dialect.name == "sqlite":
        if session.in_transaction():
            if session.new or session.dirty or session.deleted or session.info.get(_FLUSHED):
                raise RuntimeError("begin_write() must come before the first change of a transaction")
            # Only read so far: end that read snapshot and take the write lock on the same connection, within
            # the same session transaction (cheaper than ending it and checking a connection out again). What
            # was read is expired, as a rollback would.
            connection = session.connection()
            connection.dialect.do_rollback(connection.connection)
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            session.expire_all()
        else:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    session.info[_WRITING] = True


def insert_on_conflict(model):
    """An INSERT that can say what to do when the row already exists (``on_conflict_do_update``).

    For "note it, or update it if it is there" (read markers, preferences): one statement, so two requests
    doing it at the same moment cannot both find nothing and both insert.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def atomic(work: Callable[[], T]) -> T:
    """Run ``work`` in one write transaction and commit it, or roll all of it back.

    If a concurrent request committed the same unique value first (an
    idempotency key), the database refuses ours; running ``work`` once more
    then sees the winner's row and answers from it.
    """
    for attempt in (1, 2):
        begin_write()
        try:
            result = work()
            db.session.commit()
            return result
        except sa.exc.IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
        except BaseException:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def driver_rows(statement, params: dict | None = None) -> list[tuple]:
    """Run ``statement`` in the session's transaction and return its rows as the driver's own tuples.

    For the few reads of hundreds of thousands of rows (``ledger verify`` and its checks): building a
    SQLAlchemy ``Row`` for each costs as much as the database's work. No value is converted, so select
    only columns whose driver values are what the caller wants: integers, text.
    """
    result = db.session.connection().execute(statement, params or {})
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Leave out what migrations create by hand: the full-text search tables, column and index."""
    if type_ == "table" and name and name.startswith("listing_fts"):
        return False
    if type_ == "index" and name in ("ix_listing_search", "ix_listing_document", "ix_listing_search_document"):
        return False
    if type_ == "column" and name == "search_document":
        return False
    return True


def fold(text: str | None) -> str | None:
    """Lower case without accents: "Élodie" and "elodie" compare equal (as PostgreSQL's unaccent does)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded(column):
    """The SQL expression of ``fold(column)`` on the current database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.lower(sa.func.timebank_unaccent(column))
    return sa.func.timebank_fold(column)


def lock_fresh(instance: T) -> T:
    """Re-read one row under the write lock (``FOR UPDATE`` on PostgreSQL), as the database has it now.

    Two clicks, two tabs or two workers then see one state: whoever comes
    second finds the first one's change and is refused by the state checks.
    """
    begin_write()
    model = type(instance)
    row_id = sa.inspect(instance).identity[0]  # no reload of an instance expired by begin_write
    return db.session.scalars(
        sa.select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    ).one()


def database_state() -> str:
    """``"ok"`` when the database answers and is migrated to the newest revision; else what is wrong, in a word.

    ``"unreachable"``, or ``"not migrated"`` (``timebank db upgrade`` was not run after an update).
    Reads nothing personal: monitoring may show it.
    """
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask import current_app

    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except sa.exc.SQLAlchemyError:
        return "unreachable"
    heads = set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())
    return "ok" if current == heads else "not migrated"


@dataclass(frozen=True)
class Page:
    """One page of a longer list, and where it stands in it."""

    items: list
    page: int
    pages: int
    total: int


def capped_pages(total: int, cap: int, per_page: int) -> int:
    """How many pages a list counted up to ``cap + 1`` offers: beyond ``cap``, "more than cap" and no more pages."""
    return max(1, -(-min(total, cap) // per_page))


def page_of(statement: sa.Select, *, page: int, per_page: int, rows=None) -> Page:
    """Read one page of ``statement`` (LIMIT/OFFSET, after one COUNT of the whole); a page past the end is the last.

    A first page that is not full is the whole list: it is not counted (most queues are short).
    ``rows(statement)`` reads a page when a plain ``scalars`` would not do (several columns, joined eager loads)."""
    read = rows if rows is not None else db.session.scalars
    first = None
    if page <= 1:
        first = list(read(statement.limit(per_page)))
        if len(first) < per_page:
            return Page(first, 1, 1, len(first))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    if page == 1 and first is not None:
        return Page(first, 1, pages, total)
    items = list(read(statement.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, pages, total)
