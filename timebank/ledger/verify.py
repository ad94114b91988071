"""Recompute the whole ledger from its transfers and compare it with the stored balances."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, current_app

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


def _name(account: Account) -> str:
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

    Reads the transfers once, in id order and in batches, so memory stays
    flat on a large ledger. Names every discrepancy it finds.
    """
    report = VerifyReport()
    _one_snapshot()
    posted: dict[int, int] = defaultdict(int)
    pending_out: dict[int, int] = defaultdict(int)
    pending_in: dict[int, int] = defaultdict(int)
    reservation_state: dict[int, tuple[TransferState, int]] = {}
    postings: dict[int, list[tuple[int, int]]] = defaultdict(list)  # pending id -> [(posting id, minutes)]

    columns = (Transfer.id, Transfer.debit_account_id, Transfer.credit_account_id, Transfer.minutes,
               Transfer.state, Transfer.reservation, Transfer.pending_id,
               Transfer.debit_balance_after, Transfer.credit_balance_after)
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(*columns).where(Transfer.id > last_id).order_by(Transfer.id).limit(batch_size)
        ).all()
        if not rows:
            break
        for tid, debit, credit, minutes, state, reservation, pending_id, debit_after, credit_after in rows:
            report.transfers += 1
            if minutes <= 0 or debit == credit:
                report.problems.append(f"transfer {tid}: impossible amount or accounts")
            if reservation:
                reservation_state[tid] = (state, minutes)
                if state is TransferState.PENDING:
                    pending_out[debit] += minutes
                    pending_in[credit] += minutes
                continue
            if state is not TransferState.POSTED:
                report.problems.append(f"transfer {tid}: a movement in state {state.value}")
            posted[debit] -= minutes
            posted[credit] += minutes
            if debit_after != posted[debit] or credit_after != posted[credit]:
                report.problems.append(
                    f"transfer {tid}: recorded running balances ({debit_after}, {credit_after}) differ from "
                    f"the recomputed ({posted[debit]}, {posted[credit]}): an earlier transfer was changed"
                )
            if pending_id is not None:
                postings[pending_id].append((tid, minutes))
        last_id = rows[-1][0]

    for pending_id, posts in postings.items():
        state, reserved = reservation_state.get(pending_id, (None, 0))
        if state is None:
            report.problems.append(f"transfer {posts[0][0]}: posts reservation {pending_id}, which is not a reservation")
            continue
        if len(posts) > 1:
            report.problems.append(f"reservation {pending_id}: posted {len(posts)} times")
        if state is not TransferState.POSTED:
            report.problems.append(f"reservation {pending_id}: {state.value} but has a posting")
        if sum(m for _, m in posts) > reserved:
            report.problems.append(f"reservation {pending_id}: posted more than the {reserved} minutes reserved")
    for pending_id, (state, _) in reservation_state.items():
        if state is TransferState.POSTED and pending_id not in postings:
            report.problems.append(f"reservation {pending_id}: marked posted but no posting transfer exists")

    total = 0
    for account in db.session.scalars(sa.select(Account).order_by(Account.id)):
        report.accounts += 1
        total += account.posted
        name = _name(account)
        if account.posted != posted[account.id]:
            report.problems.append(f"{name}: balance {account.posted} but transfers give {posted[account.id]}")
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
