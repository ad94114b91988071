"""Statements: an account's movements with the balance right after each, newest first; its reservations."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from timebank.extensions import db
from timebank.ledger.models import Account, Transfer, TransferState
from timebank.members.models import Member

@dataclass(frozen=True)
class StatementLine:
    transfer: Transfer
    minutes: int  # signed: + received, − given
    balance_after: int
    counterpart: Account


@dataclass(frozen=True)
class StatementPage:
    lines: list[StatementLine]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _statement_query(account: Account):
    return sa.select(Transfer).where(
        Transfer.reservation.is_(False),
        sa.or_(Transfer.debit_account_id == account.id, Transfer.credit_account_id == account.id),
    )


def _line(account: Account, transfer: Transfer) -> StatementLine:
    received = transfer.credit_account_id == account.id
    return StatementLine(
        transfer=transfer,
        minutes=transfer.minutes if received else -transfer.minutes,
        balance_after=transfer.credit_balance_after if received else transfer.debit_balance_after,
        counterpart=transfer.debit_account if received else transfer.credit_account,
    )


# A line names people: of a member, only what names her is read (not her thirty-odd columns, three times a line).
_NAMED = (Member.id, Member.display_name, Member.status)
# Each line's accounts, their owners and who recorded it come in the same query (many-to-one joins), not in
# chains of further queries.
_LINE_OPTIONS = (
    joinedload(Transfer.debit_account).joinedload(Account.member).load_only(*_NAMED),
    joinedload(Transfer.credit_account).joinedload(Account.member).load_only(*_NAMED),
    joinedload(Transfer.recorded_by).load_only(*_NAMED),
)


@cache
def _page_statements() -> tuple[sa.Select, sa.Select, sa.Select, sa.Select, sa.Select]:
    """Built once for any account (``account``): a statement page runs them on every view."""
    account = sa.bindparam("account", type_=sa.Integer)
    limit = sa.bindparam("limit", type_=sa.Integer)
    posted = Transfer.reservation.is_(False)
    mine = sa.or_(Transfer.debit_account_id == account, Transfer.credit_account_id == account)
    count = sa.select(sa.func.count()).select_from(Transfer).where(posted, mine)
    debits, credits = (sa.select(Transfer.id).where(posted, column == account).order_by(Transfer.id.desc())
                       .limit(limit) for column in (Transfer.debit_account_id, Transfer.credit_account_id))
    lines = (sa.select(Transfer).where(Transfer.id.in_(sa.bindparam("ids", expanding=True)))
             .order_by(Transfer.id.desc()).options(*_LINE_OPTIONS))
    reserved = (sa.select(Transfer).where(Transfer.reservation.is_(True), Transfer.state == TransferState.PENDING, mine)
                .order_by(Transfer.id).options(*_LINE_OPTIONS))
    return count, debits, credits, lines, reserved


def statement(*, account: Account, page: int = 1, per_page: int | None = None) -> StatementPage:
    """A page of the account's movements, newest first, each with the balance right after it."""
    per_page = per_page or current_app.config["TIMEBANK_STATEMENT_PAGE_SIZE"]
    page = max(1, page)
    count, debits, credits, lines, _ = _page_statements()
    total = db.session.scalar(count, {"account": account.id})
    if page > max(1, -(-total // per_page)):
        return StatementPage([], page, per_page, total)  # past the end: nothing to read
    # The page's ids first, one query per side on its (account, id) index, merged in Python; then only the
    # page's lines are loaded with their accounts and owners (not twice a page's worth).
    limit = page * per_page
    ids = []
    for side in (debits, credits):
        ids += db.session.scalars(side, {"account": account.id, "limit": limit})
    ids = sorted(set(ids), reverse=True)[(page - 1) * per_page: limit]
    rows = db.session.scalars(lines, {"ids": ids}).all() if ids else []
    return StatementPage([_line(account, t) for t in rows], page, per_page, total)


def statement_all(*, account: Account) -> list[StatementLine]:
    """Every movement of the account, newest first (for CSV downloads)."""
    rows = db.session.scalars(_statement_query(account).order_by(Transfer.id.desc()).options(*_LINE_OPTIONS))
    return [_line(account, t) for t in rows]


def reservations(*, account: Account) -> list[Transfer]:
    """Hours reserved to pay or to receive, oldest first."""
    return list(db.session.scalars(_page_statements()[4], {"account": account.id}))
