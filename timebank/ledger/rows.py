"""A posting's rows written as SQL: one statement per row, without the ORM's unit of work.

A posting changes two balances and adds one transfer. Each balance changes in one ``UPDATE`` that also
holds the account to its limit and its owner to being active, and returns the new balance: the row is
locked (on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already holds the whole database), checked and
written at once, and the database answers no row when a rule stops it. The accounts are updated in
ascending id order, as ``_lock`` locks them, so two postings never wait for each other in a circle.

The services call ``post_within_limits`` first and, when it answers ``None``, lock and read the accounts
through the ORM to raise the domain error the rules name (``limits.transfer_check``): refusals are rare,
and only they pay for reading the accounts and their owners.
"""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from timebank.extensions import db
from timebank.ledger.models import Account, Transfer, TransferState
from timebank.members.models import Member, Status
from timebank.timeutil import utcnow


@cache
def _statements():
    """The statements of a posting, built once (their parameters come with each call)."""
    account, member = Account.__table__, Member.__table__
    minutes, account_id = sa.bindparam("minutes"), sa.bindparam("account_id")
    # The same rule as limits._check_can_move: hours move only for an active owner (or an account with none).
    may_move = sa.or_(account.c.member_id.is_(None),
                      sa.exists().where(member.c.id == account.c.member_id, member.c.status == Status.ACTIVE))
    pay = (account.update()
           .where(account.c.id == account_id, may_move,
                  sa.or_(account.c.floor.is_(None), account.c.posted - account.c.pending_debits - minutes
                         >= account.c.floor))
           .values(posted=account.c.posted - minutes).returning(account.c.posted))
    receive = (account.update()
               .where(account.c.id == account_id, may_move,
                      sa.or_(account.c.ceiling.is_(None), account.c.posted + account.c.pending_credits + minutes
                             <= account.c.ceiling))
               .values(posted=account.c.posted + minutes).returning(account.c.posted))
    undo = account.update().where(account.c.id == account_id).values(posted=account.c.posted + sa.bindparam("delta"))
    key_taken = sa.select(Transfer.__table__.c.id).where(Transfer.__table__.c.key == sa.bindparam("key"))
    return pay, receive, undo, key_taken, Transfer.__table__.insert()


def key_taken(key: str) -> bool:
    """Whether a transfer is already recorded under ``key`` (the request is then answered from it)."""
    db.session.flush()  # what this transaction changed through the ORM is in the database the SQL below reads
    return db.session.connection().execute(_statements()[3], {"key": key}).first() is not None


def post_within_limits(*, debit_id: int, credit_id: int, minutes: int, **fields) -> Transfer | None:
    """Move ``minutes`` and record the transfer, or write nothing and answer ``None`` if a limit or an owner stops it.

    ``fields`` are the transfer's own (key, kind, memo, who recorded it, what it pays for or corrects).
    The new transfer joins the session as if it had been read, and the accounts the session holds are told
    their new balance: nothing is reloaded afterwards.
    """
    pay, receive, undo, _, insert = _statements()
    session = db.session()
    session.flush()
    connection = session.connection()  # the transaction's own connection: Core, no ORM layer per statement
    steps = [(debit_id, pay, -minutes), (credit_id, receive, minutes)]
    if credit_id < debit_id:
        steps.reverse()
    after, done = {}, []
    for account_id, statement, delta in steps:
        balance = connection.execute(statement, {"account_id": account_id, "minutes": minutes}).scalar()
        if balance is None:
            for undone_id, undone_delta in done:  # the other account was already moved: put it back
                connection.execute(undo, {"account_id": undone_id, "delta": -undone_delta})
            return None
        after[account_id] = balance
        done.append((account_id, delta))
    for account_id, balance in after.items():
        held = session.identity_map.get((Account, (account_id,), None))
        if held is not None and "posted" in held.__dict__:
            set_committed_value(held, "posted", balance)
    now = utcnow()
    values = dict(fields, debit_account_id=debit_id, credit_account_id=credit_id, minutes=minutes,
                  state=TransferState.POSTED, reservation=False, pending_id=None, created_at=now, resolved_at=now,
                  debit_balance_after=after[debit_id], credit_balance_after=after[credit_id])
    transfer = Transfer(id=connection.execute(insert, values).inserted_primary_key[0], **values)
    make_transient_to_detached(transfer)
    session.add(transfer)
    session.info.setdefault(_NEW, set()).add(transfer.id)
    return transfer


_NEW = "timebank_new_transfers"


def transfer_is_new(transfer: Transfer) -> bool:
    """Whether this transaction wrote ``transfer`` (rather than finding it already there: a replayed request)."""
    return sa.inspect(transfer).pending or transfer.id in db.session.info.get(_NEW, ())


@event.listens_for(Session, "after_transaction_end")
def _forget_new(session, transaction):
    if transaction.parent is None:
        session.info.pop(_NEW, None)
