"""Ledger services: the only code that writes accounts and transfers.

Every public service is one transaction: it takes the write lock
(``begin_write``), locks the accounts it touches in ascending id order,
replays an idempotency key if it has been seen, checks the rules, writes,
and commits. The ``*_in_transaction`` variants do the same without
committing, for services that must change something else atomically with
the hours (an exchange becoming agreed and its reservation).

A posting's usual case is written by ``rows`` (one statement a row, the
limits checked by the statements that change the balances); the rules and
their sentences are in ``limits``, accounts and balances in ``accounts``,
statements in ``statements``. Callers import this module only
(``from timebank.ledger import services as ledger``): it names them all.
"""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.database import atomic, begin_write, lock_fresh
from timebank.errors import NotAllowed
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.ledger.accounts import (  # noqa: F401 (the ledger's public names, called as ``ledger.<name>``)
    Balance,
    _id,
    _lock,
    account_label,
    account_of,
    account_open,
    account_open_owned,
    account_owner_register,
    balance_of,
    balance_of_member,
    community_account,
    system_account,
)
from timebank.ledger.errors import AlreadyResolved, IdempotencyConflict, InvalidAmount, ReasonRequired
from timebank.ledger.limits import (  # noqa: F401
    LIMIT_BOUND,
    _check_can_move,
    account_set_limits,
    amount_fits,
    check_amount,
    most_in_one_transfer,
    transfer_check,
    whole_steps,
)
from timebank.ledger.models import Account, Transfer, TransferKind, TransferState
from timebank.ledger.rows import post_within_limits, transfer_is_new  # noqa: F401
from timebank.ledger.statements import (  # noqa: F401
    StatementLine,
    StatementPage,
    reservations,
    statement,
    statement_all,
)
from timebank.members.models import Member
from timebank.timeutil import utcnow


@cache
def _replay_statement():
    return sa.select(Transfer).where(Transfer.key == sa.bindparam("key"))


def _replay(key: str, **expected) -> Transfer | None:
    """Return the transfer already recorded under ``key`` if it is the same one; refuse a different one."""
    existing = db.session.scalar(_replay_statement(), {"key": key})
    if existing is None:
        return None
    for name, value in expected.items():
        if getattr(existing, name) != value:
            raise IdempotencyConflict()
    return existing


def _new_transfer(**fields) -> Transfer:
    transfer = Transfer(created_at=utcnow(), **fields)
    db.session.add(transfer)
    return transfer


# Transfers -----------------------------------------------------------------


def _move(debit: Account, credit: Account, minutes: int) -> tuple[int, int]:
    debit.posted -= minutes
    credit.posted += minutes
    return debit.posted, credit.posted


_CORRECTIONS = (TransferKind.ADJUSTMENT, TransferKind.REVERSAL, TransferKind.OPENING)


def transfer_post_in_transaction(
    *, debit: Account, credit: Account, minutes: int, kind: TransferKind, key: str,
    actor: Member | None, memo: str = "", exchange_id: int | None = None, corrects: Transfer | None = None,
) -> Transfer:
    begin_write()
    debit_id, credit_id = _id(debit), _id(credit)
    correction = kind in _CORRECTIONS
    fields = dict(key=key, kind=kind, memo=memo.strip()[:500], exchange_id=exchange_id,
                  recorded_by_id=_id(actor) if actor is not None else None,
                  corrects_id=_id(corrects) if corrects is not None else None)
    # The usual case, in one statement a row: a new key, an amount of the right shape, limits and owners that
    # allow it (checked by the statements themselves).
    if debit_id != credit_id and amount_fits(minutes, correction=correction):
        transfer = post_within_limits(debit_id=debit_id, credit_id=credit_id, minutes=minutes, **fields)
        if transfer is not None:
            return transfer
    # Otherwise lock and read the accounts, and answer as the rules say: the first transfer, or why not.
    accounts = _lock([debit_id, credit_id])

    def replay():
        return _replay(key, debit_account_id=debit_id, credit_account_id=credit_id, minutes=minutes, kind=kind,
                       reservation=False, corrects_id=fields["corrects_id"])

    if (first := replay()) is not None:
        return first
    transfer_check(debit=accounts[debit_id], credit=accounts[credit_id], minutes=minutes, actor=actor,
                   correction=correction)
    # Under the lock the rules just checked are the statements' own: only a key written meanwhile (by a request
    # for other accounts, on PostgreSQL) can stop it now.
    transfer = post_within_limits(debit_id=debit_id, credit_id=credit_id, minutes=minutes, **fields) or replay()
    if transfer is None:
        raise RuntimeError(f"the ledger's rules and its statements disagree about transfer {key!r}")
    return transfer


def transfer_post(**kwargs) -> Transfer:
    """Move hours at once from ``debit`` to ``credit``."""
    return atomic(lambda: transfer_post_in_transaction(**kwargs))


def transfer_reserve_in_transaction(
    *, debit: Account, credit: Account, minutes: int, kind: TransferKind, key: str,
    actor: Member | None, memo: str = "", exchange_id: int | None = None,
) -> Transfer:
    begin_write()
    accounts = _lock([_id(debit), _id(credit)])
    debit, credit = accounts[_id(debit)], accounts[_id(credit)]
    replay = _replay(key, debit_account_id=debit.id, credit_account_id=credit.id, minutes=minutes, kind=kind,
                     reservation=True)
    if replay is not None:
        return replay
    transfer_check(debit=debit, credit=credit, minutes=minutes, actor=actor)
    debit.pending_debits += minutes
    credit.pending_credits += minutes
    return _new_transfer(
        key=key, debit_account=debit, credit_account=credit, minutes=minutes, kind=kind,
        state=TransferState.PENDING, reservation=True, memo=memo.strip()[:500], recorded_by=actor,
        exchange_id=exchange_id,
    )


def transfer_reserve(**kwargs) -> Transfer:
    """Reserve hours for later: counted against the payer's floor and the receiver's ceiling."""
    return atomic(lambda: transfer_reserve_in_transaction(**kwargs))


def _lock_pending(pending: Transfer) -> tuple[Transfer, Account, Account]:
    begin_write()
    accounts = _lock([pending.debit_account_id, pending.credit_account_id])
    current = lock_fresh(pending)
    if not current.reservation:
        raise AlreadyResolved(_l("Only reserved hours can be confirmed or released."))
    return current, accounts[current.debit_account_id], accounts[current.credit_account_id]


def _release(pending: Transfer, debit: Account, credit: Account, state: TransferState) -> None:
    debit.pending_debits -= pending.minutes
    credit.pending_credits -= pending.minutes
    pending.state = state
    pending.resolved_at = utcnow()


def transfer_post_pending_in_transaction(
    *, pending: Transfer, key: str, actor: Member | None, minutes: int | None = None,
) -> Transfer:
    """Post reserved hours (all, or fewer: the rest is released); returns the posting transfer."""
    pending, debit, credit = _lock_pending(pending)
    minutes = pending.minutes if minutes is None else minutes
    replay = _replay(key, pending_id=pending.id, minutes=minutes)
    if replay is not None:
        return replay
    if pending.state is not TransferState.PENDING:
        raise AlreadyResolved(_l("These hours were already confirmed or released."))
    if minutes > pending.minutes:
        raise InvalidAmount(_l("At most the %(reserved)s reserved can be confirmed.",
                               reserved=format_minutes(pending.minutes)))
    check_amount(minutes)
    _check_can_move(debit)
    _check_can_move(credit)
    _release(pending, debit, credit, TransferState.POSTED)
    debit_after, credit_after = _move(debit, credit, minutes)
    return _new_transfer(
        key=key, debit_account=debit, credit_account=credit, minutes=minutes, kind=pending.kind,
        state=TransferState.POSTED, reservation=False, pending_id=pending.id, memo=pending.memo,
        recorded_by=actor, exchange_id=pending.exchange_id, resolved_at=utcnow(),
        debit_balance_after=debit_after, credit_balance_after=credit_after,
    )


def transfer_post_pending(**kwargs) -> Transfer:
    return atomic(lambda: transfer_post_pending_in_transaction(**kwargs))


def transfer_void_in_transaction(*, pending: Transfer, actor: Member | None) -> Transfer:
    """Release reserved hours. Voiding twice is harmless; voiding posted hours is refused."""
    pending, debit, credit = _lock_pending(pending)
    if pending.state is TransferState.VOIDED:
        return pending
    if pending.state is not TransferState.PENDING:
        raise AlreadyResolved(_l("These hours were already confirmed: they can only be corrected."))
    _release(pending, debit, credit, TransferState.VOIDED)
    return pending


def transfer_void(**kwargs) -> Transfer:
    return atomic(lambda: transfer_void_in_transaction(**kwargs))


def effective_minutes(transfer: Transfer) -> int:
    """What a posted transfer amounts to once its corrections are counted."""
    total = transfer.minutes
    for correction in db.session.scalars(sa.select(Transfer).where(Transfer.corrects_id == transfer.id)):
        same_way = correction.debit_account_id == transfer.debit_account_id
        total += correction.minutes if same_way else -correction.minutes
    return total


def transfer_correct_in_transaction(
    *, transfer: Transfer, minutes: int, reason: str, key: str, actor: Member,
) -> Transfer:
    """Bring a posted transfer to ``minutes`` (0 reverses it) with a new transfer; nothing is rewritten."""
    if not (actor.is_coordinator and actor.is_active_member):
        raise NotAllowed(_l("Only coordinators can correct hours."))
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if transfer.reservation or transfer.corrects_id is not None:
        raise AlreadyResolved(_l("Only a transfer of hours can be corrected, not a reservation or a correction."))
    begin_write()
    _lock([transfer.debit_account_id, transfer.credit_account_id])
    replay = db.session.scalar(sa.select(Transfer).where(Transfer.key == key))
    if replay is not None:
        # The same correction again: same transfer, and it already amounts to what is asked.
        if replay.corrects_id != transfer.id or effective_minutes(transfer) != minutes:
            raise IdempotencyConflict()
        return replay
    if minutes != 0:
        check_amount(minutes)
    delta = minutes - effective_minutes(transfer)
    if delta == 0:
        raise InvalidAmount(_l("This transfer already amounts to %(amount)s.", amount=format_minutes(minutes)))
    debit, credit = transfer.debit_account, transfer.credit_account
    if delta < 0:
        debit, credit = credit, debit
    kind = TransferKind.REVERSAL if minutes == 0 else TransferKind.ADJUSTMENT
    audit(actor=actor, action="transfer_corrected", target=f"transfer {transfer.id}", reason=reason, minutes=minutes)
    return transfer_post_in_transaction(debit=debit, credit=credit, minutes=abs(delta), kind=kind, key=key,
                                        actor=actor, memo=reason, exchange_id=transfer.exchange_id,
                                        corrects=transfer)


def transfer_correct(**kwargs) -> Transfer:
    return atomic(lambda: transfer_correct_in_transaction(**kwargs))
