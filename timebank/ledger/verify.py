"""Recompute the whole ledger from its transfers and compare it with the stored balances."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import aliased

from timebank.database import driver_rows
from timebank.extensions import db
from timebank.ledger.models import Account, AccountKind, Transfer, TransferState


@dataclass
class VerifyReport:
    accounts: int = 0
    transfers: int = 0
    posted_minutes_in_circulation: int = 0  # sum of positive balances
    pending_minutes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_CHECKS = "timebank.ledger.verify_checks"


def verify_check_register(app: Flask, check: Callable[[], list[str]]) -> None:
    """Have ``ledger_verify`` also run ``check`` (in its snapshot); it returns the problems it finds, named.

    Higher layers keep data derived from the transfers (the reports' rollups): they register their checks
    here at app creation, so that the ledger's core imports none of them.
    """
    app.extensions.setdefault(_CHECKS, []).append(check)


def _name(account: sa.Row) -> str:
    if account.kind is AccountKind.MEMBER:
        return f"account {account.id} (member {account.member_id})"
    return f"account {account.id} ({account.kind.value})"


def _one_snapshot() -> None:
    """Read transfers and accounts as of one instant, even while the instance is in use."""
    db.session.rollback()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        db.session.execute(sa.text("SET TRANSACTION READ ONLY"))
    # On SQLite the read transaction opened by the first query already sees one snapshot (WAL).


def ledger_verify(*, batch_size: int = 50_000) -> VerifyReport:
    """Check zero sum, limits, pending totals, running balances and each reservation's fate.

    Reads the movements once, in id order and in batches, so memory stays flat on a large ledger; the
    rest is asked of the database in statements that return only what needs a look (an impossible
    transfer, an open reservation, a posting that does not match its reservation). Names every
    discrepancy it finds.
    """
    report = VerifyReport()
    _one_snapshot()
    report.transfers = db.session.scalar(sa.select(sa.func.count()).select_from(Transfer))
    report.problems += _impossible_transfers()
    posted = _balances_replayed(report.problems, batch_size=batch_size)
    pending_out, pending_in = _reserved()
    report.problems += _reservations_resolved()
    total = 0
    columns = (Account.id, Account.kind, Account.member_id, Account.floor, Account.ceiling, Account.posted,
               Account.pending_debits, Account.pending_credits)
    for account in db.session.execute(sa.select(*columns).order_by(Account.id)):
        report.accounts += 1
        total += account.posted
        name = _name(account)
        if account.posted != posted.get(account.id, 0):
            report.problems.append(f"{name}: balance {account.posted} but transfers give {posted.get(account.id, 0)}")
        if account.pending_debits != pending_out[account.id]:
            report.problems.append(f"{name}: reserved to pay {account.pending_debits} but pending transfers "
                                   f"give {pending_out[account.id]}")
        if account.pending_credits != pending_in[account.id]:
            report.problems.append(f"{name}: reserved to receive {account.pending_credits} but pending transfers "
                                   f"give {pending_in[account.id]}")
        if account.floor is not None and account.posted - account.pending_debits < account.floor:
            report.problems.append(f"{name}: below its floor ({account.posted - account.pending_debits} < "
                                   f"{account.floor})")
        if account.ceiling is not None and account.posted + account.pending_credits > account.ceiling:
            report.problems.append(f"{name}: above its ceiling ({account.posted + account.pending_credits} > "
                                   f"{account.ceiling})")
        if account.posted > 0:
            report.posted_minutes_in_circulation += account.posted
        report.pending_minutes += account.pending_debits
    if total != 0:
        report.problems.append(f"balances sum to {total} minutes, not zero")
    if sum(pending_out.values()) != sum(pending_in.values()):
        report.problems.append("reserved hours to pay and to receive do not match")
    for check in current_app.extensions.get(_CHECKS, []):
        report.problems.extend(check())
    db.session.rollback()
    return report


def _impossible_transfers() -> list[str]:
    """Name the transfers the table's constraints should have refused: no minutes, one account, a movement
    not posted."""
    rows = db.session.execute(
        sa.select(Transfer.id, Transfer.minutes, Transfer.debit_account_id, Transfer.credit_account_id,
                  Transfer.reservation, Transfer.state)
        .where(sa.or_(Transfer.minutes <= 0, Transfer.debit_account_id == Transfer.credit_account_id,
                      sa.and_(Transfer.reservation.is_(False), Transfer.state != TransferState.POSTED)))
        .order_by(Transfer.id))
    problems = []
    for tid, minutes, debit, credit, reservation, state in rows:
        if minutes <= 0 or debit == credit:
            problems.append(f"transfer {tid}: impossible amount or accounts")
        if not reservation and state is not TransferState.POSTED:
            problems.append(f"transfer {tid}: a movement in state {state.value}")
    return problems


def _balances_replayed(problems: list[str], *, batch_size: int) -> dict[int, int]:
    """Replay the movements in id order and return each account's balance.

    Adds to ``problems`` each movement whose recorded running balances differ from the replayed ones.
    """
    movements = (sa.select(Transfer.id, Transfer.debit_account_id, Transfer.credit_account_id, Transfer.minutes,
                           Transfer.debit_balance_after, Transfer.credit_balance_after)
                 .where(Transfer.reservation.is_(False), Transfer.id > sa.bindparam("after"))
                 .order_by(Transfer.id).limit(batch_size))
    balance: dict[int, int] = {}
    last_id = 0
    # The hottest loop of verify, once a movement: the driver's tuples, a dict, nothing else.
    while rows := driver_rows(movements, {"after": last_id}):
        for tid, debit, credit, minutes, debit_after, credit_after in rows:
            balance[debit] = balance.get(debit, 0) - minutes
            balance[credit] = balance.get(credit, 0) + minutes
            if debit_after != balance[debit] or credit_after != balance[credit]:
                problems.append(
                    f"transfer {tid}: recorded running balances ({debit_after}, {credit_after}) differ from "
                    f"the recomputed ({balance[debit]}, {balance[credit]}): this transfer or an earlier one was changed"
                )
        last_id = rows[-1][0]
    return balance


def _reserved() -> tuple[dict[int, int], dict[int, int]]:
    """Sum what each account has reserved to pay, and to receive, from the pending reservations."""
    pending_out: dict[int, int] = defaultdict(int)
    pending_in: dict[int, int] = defaultdict(int)
    for debit, credit, minutes in db.session.execute(
            sa.select(Transfer.debit_account_id, Transfer.credit_account_id, Transfer.minutes)
            .where(Transfer.reservation.is_(True), Transfer.state == TransferState.PENDING)):
        pending_out[debit] += minutes
        pending_in[credit] += minutes
    return pending_out, pending_in


def _reservations_resolved() -> list[str]:
    """Name each reservation posted other than once, for more than it held, or posted by a non-reservation."""
    postings = (sa.select(Transfer.pending_id.label("reservation_id"), sa.func.min(Transfer.id).label("first"),
                          sa.func.count().label("times"), sa.func.sum(Transfer.minutes).label("minutes"))
                .where(Transfer.pending_id.is_not(None), Transfer.reservation.is_(False))
                .group_by(Transfer.pending_id).subquery("postings"))
    reservation = aliased(Transfer)
    wrong = sa.or_(reservation.id.is_(None), reservation.reservation.is_(False), postings.c.times > 1,
                   reservation.state != TransferState.POSTED, postings.c.minutes > reservation.minutes)
    problems = []
    for pending_id, first, times, minutes, is_reservation, state, reserved in db.session.execute(
            sa.select(postings, reservation.reservation, reservation.state, reservation.minutes)
            .outerjoin(reservation, reservation.id == postings.c.reservation_id).where(wrong)
            .order_by(postings.c.reservation_id)):
        if not is_reservation:
            problems.append(f"transfer {first}: posts reservation {pending_id}, which is not a reservation")
            continue
        if times > 1:
            problems.append(f"reservation {pending_id}: posted {times} times")
        if state is not TransferState.POSTED:
            problems.append(f"reservation {pending_id}: {state.value} but has a posting")
        if minutes > reserved:
            problems.append(f"reservation {pending_id}: posted more than the {reserved} minutes reserved")
    posting = aliased(Transfer)
    unposted = db.session.scalars(
        sa.select(Transfer.id)
        .where(Transfer.reservation.is_(True), Transfer.state == TransferState.POSTED,
               ~sa.exists().where(posting.pending_id == Transfer.id, posting.reservation.is_(False)))
        .order_by(Transfer.id))
    problems += [f"reservation {pending_id}: marked posted but no posting transfer exists" for pending_id in unposted]
    return problems
