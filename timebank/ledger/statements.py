"""Statements: an account's movements with the balance right after each, newest first; its reservations.

A statement page and the reservations are read as plain records (``LineTransfer``, ``LineAccount``,
``LineMember``): a line names two accounts, their owners and who recorded it, and as ORM objects that was five
objects a line. The records answer what the pages, ``account_label`` and the data export read. ``statement_all``
(the CSV downloads) reads objects.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from timebank.extensions import db
from timebank.ledger.accounts import account_owner_names
from timebank.ledger.models import Account, AccountKind, Transfer, TransferKind, TransferState
from timebank.members.models import Member

@dataclass(frozen=True, slots=True)
class LineMember:
    id: int
    display_name: str

    first_name = Member.first_name


@dataclass(frozen=True, slots=True)
class LineAccount:
    id: int
    kind: AccountKind
    member_id: int | None
    member: LineMember | None
    owner_name: str | None = None  # a partner's name (``account_label``), asked once for the page's lines


@dataclass(frozen=True, slots=True)
class LineTransfer:
    id: int
    created_at: datetime
    kind: TransferKind
    state: TransferState
    memo: str
    minutes: int
    exchange_id: int | None
    debit_account_id: int
    credit_account_id: int
    debit_balance_after: int | None
    credit_balance_after: int | None
    recorded_by_id: int | None
    recorded_by: LineMember | None
    debit_account: LineAccount
    credit_account: LineAccount


@dataclass(frozen=True)
class StatementLine:
    transfer: Transfer | LineTransfer
    minutes: int  # signed: + received, − given
    balance_after: int
    counterpart: Account | LineAccount

    @property
    def RENDERS_BY_VALUE(self) -> bool:  # noqa: N802 (fastpaths.kept_html's mark)
        """Two equal lines read as records show the same (``ledger/hours.html`` keeps a line rendered); a line of
        ORM objects is equal only to itself."""
        return isinstance(self.transfer, LineTransfer)


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
    transfer = Transfer.__table__
    lines = _records().where(transfer.c.id.in_(sa.bindparam("ids", expanding=True))).order_by(transfer.c.id.desc())
    reserved = (_records().where(transfer.c.reservation.is_(True), transfer.c.state == TransferState.PENDING,
                                 sa.or_(transfer.c.debit_account_id == account, transfer.c.credit_account_id == account))
                .order_by(transfer.c.id))
    return count, debits, credits, lines, reserved


def _records() -> sa.Select:
    """A transfer's columns with both accounts, their owners' names and its recorder's: one row a line."""
    transfer, account, member = Transfer.__table__, Account.__table__, Member.__table__
    debit, credit = account.alias("debit"), account.alias("credit")
    debit_owner, credit_owner, recorder = member.alias("debit_owner"), member.alias("credit_owner"), member.alias("recorder")
    return (sa.select(transfer.c.id, transfer.c.created_at, transfer.c.kind, transfer.c.state, transfer.c.memo,
                      transfer.c.minutes, transfer.c.exchange_id, transfer.c.debit_account_id,
                      transfer.c.credit_account_id, transfer.c.debit_balance_after, transfer.c.credit_balance_after,
                      transfer.c.recorded_by_id, recorder.c.display_name, debit.c.kind, debit.c.member_id,
                      debit_owner.c.display_name, credit.c.kind, credit.c.member_id, credit_owner.c.display_name)
            .select_from(transfer.join(debit, debit.c.id == transfer.c.debit_account_id)
                         .join(credit, credit.c.id == transfer.c.credit_account_id)
                         .outerjoin(debit_owner, debit_owner.c.id == debit.c.member_id)
                         .outerjoin(credit_owner, credit_owner.c.id == credit.c.member_id)
                         .outerjoin(recorder, recorder.c.id == transfer.c.recorded_by_id)))


def _records_of(rows) -> list[LineTransfer]:
    """The lines of these rows, the names of their accounts' owners above the ledger (partners) read at once."""
    rows = list(rows)
    owners = account_owner_names(side for row in rows for side in ((row[13], row[7]), (row[16], row[8])))
    return [_record(row, owners) for row in rows]


def _record(row, owners: dict[int, str]) -> LineTransfer:
    (id_, created_at, kind, state, memo, minutes, exchange_id, debit_id, credit_id, debit_after, credit_after,
     recorded_by_id, recorder_name, debit_kind, debit_member, debit_name, credit_kind, credit_member,
     credit_name) = row

    def side(account_id, kind, member_id, name):
        return LineAccount(account_id, kind, member_id, LineMember(member_id, name) if member_id is not None else None,
                           owners.get(account_id))

    return LineTransfer(id_, created_at, kind, state, memo, minutes, exchange_id, debit_id, credit_id, debit_after,
                        credit_after, recorded_by_id,
                        LineMember(recorded_by_id, recorder_name) if recorded_by_id is not None else None,
                        side(debit_id, debit_kind, debit_member, debit_name),
                        side(credit_id, credit_kind, credit_member, credit_name))


def statement(*, account: Account, page: int = 1, per_page: int | None = None) -> StatementPage:
    """A page of the account's movements, newest first, each with the balance right after it."""
    per_page = per_page or current_app.config["TIMEBANK_STATEMENT_PAGE_SIZE"]
    page = max(1, page)
    count, debits, credits, lines, _ = _page_statements()
    total = None
    if page > 1:
        total = db.session.scalar(count, {"account": account.id})
        if page > max(1, -(-total // per_page)):
            return StatementPage([], page, per_page, total)  # past the end: nothing to read
    # The page's ids first, one query per side on its (account, id) index, merged in Python; then only the
    # page's lines are loaded with their accounts and owners (not twice a page's worth).
    limit = page * per_page
    found = set()
    for side in (debits, credits):
        found.update(db.session.scalars(side, {"account": account.id, "limit": limit}))
    if total is None:  # the first page: when it is not full, it is the whole statement (most members), uncounted
        total = len(found) if len(found) < per_page else db.session.scalar(count, {"account": account.id})
    ids = sorted(found, reverse=True)[(page - 1) * per_page: limit]
    rows = _records_of(db.session.execute(lines, {"ids": ids})) if ids else []
    return StatementPage([_line(account, t) for t in rows], page, per_page, total)


def statement_all(*, account: Account) -> list[StatementLine]:
    """Every movement of the account, newest first (for CSV downloads)."""
    rows = db.session.scalars(_statement_query(account).order_by(Transfer.id.desc()).options(*_LINE_OPTIONS))
    return [_line(account, t) for t in rows]


def reservations(*, account: Account) -> list[LineTransfer]:
    """Hours reserved to pay or to receive, oldest first."""
    return _records_of(db.session.execute(_page_statements()[4], {"account": account.id}))
