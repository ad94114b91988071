"""A posting's rows written as SQL: one statement per row, without the ORM's unit of work.

A posting changes two balances and adds one transfer. Each balance changes in one ``UPDATE`` that also
holds the account to its limit and its owner to being active: the row is locked (on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` already holds the whole database), checked and written at once, and the ``UPDATE``
changes no row when a rule stops it. The accounts are updated in ascending id order, as ``_lock`` locks
them, so two postings never wait for each other in a circle. Nothing is read first: the transfer is one
``INSERT … SELECT`` that takes the two running balances the UPDATEs just wrote, returns them with its id,
and does nothing if its idempotency key is taken.

The services call ``post_within_limits`` first and, when it answers ``None`` (having put back what it
moved), lock and read the accounts and the key through the ORM to return the first transfer or raise the
domain error the rules name (``limits.transfer_check``): replays and refusals are rare, and only they pay
for reading.
"""
from __future__ import annotations

from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from timebank.extensions import db
from timebank.ledger.models import Account, Transfer, TransferState
from timebank.members.models import Member, Status
from timebank.timeutil import utcnow


# The columns of a posting the service gives; the balances after it are read by the INSERT itself.
_COLUMNS = ("key", "kind", "memo", "exchange_id", "recorded_by_id", "corrects_id", "debit_account_id",
            "credit_account_id", "minutes", "state", "reservation", "pending_id", "created_at", "resolved_at")


def _statements(dialect: str) -> dict:
    """A posting's statements in SQLAlchemy's terms."""
    account, member, transfer = Account.__table__, Member.__table__, Transfer.__table__
    minutes, account_id = sa.bindparam("minutes", type_=sa.Integer), sa.bindparam("account_id", type_=sa.Integer)
    # The same rule as limits._check_can_move: hours move only for an active owner (or an account with none).
    may_move = sa.or_(account.c.member_id.is_(None),
                      sa.exists().where(member.c.id == account.c.member_id, member.c.status == Status.ACTIVE))
    pay = (account.update()
           .where(account.c.id == account_id, may_move,
                  sa.or_(account.c.floor.is_(None), account.c.posted - account.c.pending_debits - minutes
                         >= account.c.floor))
           .values(posted=account.c.posted - minutes))
    receive = (account.update()
               .where(account.c.id == account_id, may_move,
                      sa.or_(account.c.ceiling.is_(None), account.c.posted + account.c.pending_credits + minutes
                             <= account.c.ceiling))
               .values(posted=account.c.posted + minutes))
    undo = (account.update().where(account.c.id == account_id)
            .values(posted=account.c.posted + sa.bindparam("delta", type_=sa.Integer)))

    def balance(side: str):
        return sa.select(account.c.posted).where(account.c.id == sa.bindparam(side, type_=sa.Integer))

    # The running balances are the ones the two UPDATEs just wrote, read in the same statement. A key already
    # used writes nothing (on PostgreSQL, after waiting for a request still writing it); SQLite needs the WHERE
    # to read ON CONFLICT as the INSERT's, not the SELECT's. RETURNING: SQLite 3.35 and later, as the migrations.
    row = sa.select(*[sa.bindparam(name, type_=transfer.c[name].type) for name in _COLUMNS],
                    balance("debit_account_id").scalar_subquery(),
                    balance("credit_account_id").scalar_subquery()).where(sa.true())
    insert = ({"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect](transfer)
              .from_select([*_COLUMNS, "debit_balance_after", "credit_balance_after"], row)
              .on_conflict_do_nothing(index_elements=[transfer.c.key])
              .returning(transfer.c.id, transfer.c.debit_balance_after, transfer.c.credit_balance_after))
    return {"pay": pay, "receive": receive, "undo": undo, "insert": insert}


class _Prepared(NamedTuple):
    """One statement as this database's SQL, compiled once, and what SQLAlchemy would do to its parameters."""

    sql: str
    constants: dict  # parameters the statement itself holds (an owner's status), converted
    converters: dict  # name -> the conversion a parameter needs (an enum to its text, a date to SQLite's text)

    def run(self, connection: sa.Connection, params: dict) -> sa.CursorResult:
        for name, convert in self.converters.items():
            params[name] = convert(params[name])
        return connection.exec_driver_sql(self.sql, {**self.constants, **params})


@cache
def _prepared(dialect_class: type, name: str) -> dict[str, _Prepared]:
    """The posting's statements compiled for this kind of database, with named parameters.

    Run as the database's own SQL (``exec_driver_sql``, which still tells the engine's listeners): the statement
    is not looked up in SQLAlchemy's cache and no compiled execution context is built for it each time, which was
    most of what a statement cost through Core.
    """
    dialect = dialect_class(paramstyle="named" if name == "sqlite" else None)
    prepared = {}
    for key, statement in _statements(name).items():
        compiled = statement.compile(dialect=dialect)
        converters, constants = {}, {}
        for bind, bind_name in compiled.bind_names.items():
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.value is not None:
                constants[bind_name] = convert(bind.value) if convert else bind.value
            elif convert is not None:
                converters[bind_name] = convert
        prepared[key] = _Prepared(compiled.string, constants, converters)
    return prepared


def post_within_limits(*, debit_id: int, credit_id: int, minutes: int, **fields) -> Transfer | None:
    """Move ``minutes`` and record the transfer in three statements; or write nothing and answer ``None``.

    ``None`` when a limit or an owner stops it, or when its key is already used: the caller then reads the
    accounts and the key to say why. ``fields`` are the transfer's own (key, kind, memo, who recorded it,
    what it pays for or corrects). The new transfer joins the session as if it had been read, and the
    accounts the session holds are told their new balance: nothing is reloaded afterwards.
    """
    session = db.session()
    session.flush()  # what this transaction changed through the ORM is in the database the statements read
    connection = session.connection()
    run = _prepared(type(connection.dialect), connection.dialect.name)
    steps = [(debit_id, run["pay"], -minutes), (credit_id, run["receive"], minutes)]
    if credit_id < debit_id:
        steps.reverse()
    moved = []

    def put_back():
        for account_id, delta in moved:
            run["undo"].run(connection, {"account_id": account_id, "delta": -delta})

    for account_id, statement, delta in steps:
        if statement.run(connection, {"account_id": account_id, "minutes": minutes}).rowcount != 1:
            put_back()
            return None
        moved.append((account_id, delta))
    now = utcnow()
    values = dict(fields, debit_account_id=debit_id, credit_account_id=credit_id, minutes=minutes,
                  state=TransferState.POSTED, reservation=False, pending_id=None, created_at=now, resolved_at=now)
    written = run["insert"].run(connection, dict(values)).first()
    if written is None:
        put_back()
        return None
    transfer_id, debit_after, credit_after = written
    for account_id, balance in ((debit_id, debit_after), (credit_id, credit_after)):
        held = session.identity_map.get((Account, (account_id,), None))
        if held is not None and "posted" in held.__dict__:
            set_committed_value(held, "posted", balance)
    # The transfer as the session would have read it: its values set as loaded (no change events, nothing for a
    # flush to write), then known by its id.
    transfer = Transfer()
    transfer.__dict__.update(values, id=transfer_id, debit_balance_after=debit_after, credit_balance_after=credit_after)
    make_transient_to_detached(transfer)
    session.add(transfer)
    session.info.setdefault(_NEW, set()).add(transfer_id)
    return transfer


_NEW = "timebank_new_transfers"


def transfer_is_new(transfer: Transfer) -> bool:
    """Whether this transaction wrote ``transfer`` (rather than finding it already there: a replayed request)."""
    return sa.inspect(transfer).pending or transfer.id in db.session.info.get(_NEW, ())


@event.listens_for(Session, "after_transaction_end")
def _forget_new(session, transaction):
    if transaction.parent is None:
        session.info.pop(_NEW, None)
