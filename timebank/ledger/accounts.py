"""Accounts: finding and opening them, naming them, locking them for a transaction, and their balances."""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from timebank.errors import NotAllowed
from timebank.extensions import db
from timebank.ledger.models import Account, AccountKind
from timebank.members.models import Member
from timebank.timeutil import utcnow

def community_account() -> Account:
    return db.session.scalar(sa.select(Account).where(Account.kind == AccountKind.COMMUNITY))


def system_account() -> Account:
    return db.session.scalar(sa.select(Account).where(Account.kind == AccountKind.SYSTEM))


def account_of(member: Member) -> Account | None:
    return db.session.scalar(_account_of(), {"member": member.id})


@cache
def _account_of() -> sa.Select:
    return sa.select(Account).where(Account.member_id == sa.bindparam("member", type_=sa.Integer))


def account_open(*, member: Member) -> Account:
    """Open the member's account with the default limits (no commit); return it if it exists."""
    account = account_of(member)
    if account is None:
        config = current_app.config
        account = Account(kind=AccountKind.MEMBER, member=member,
                          floor=config["TIMEBANK_LEDGER_FLOOR"], ceiling=config["TIMEBANK_LEDGER_CEILING"],
                          posted=0, pending_debits=0, pending_credits=0)
        db.session.add(account)
        db.session.flush()
    return account


def account_open_owned(*, kind: AccountKind) -> Account:
    """Open an account for an owner above the ledger (a partner organisation): limits 0/0 until an admin sets them."""
    if kind is not AccountKind.PARTNER:
        raise NotAllowed(_l("Only a partner organisation gets an account this way."))
    account = Account(kind=kind, floor=0, ceiling=0, posted=0, pending_debits=0, pending_credits=0,
                      created_at=utcnow())
    db.session.add(account)
    db.session.flush()
    return account


# Owners above the ledger (a partner organisation) name their accounts through a function they register: it names
# many accounts at once (a statement page asks once for all its lines), by id, leaving out the ones it cannot name.
_OWNER_NAMES: dict[AccountKind, Callable[[Collection[int]], dict[int, str]]] = {}
_OWNER_UNKNOWN = {AccountKind.PARTNER: _l("A partner")}  # a name not found (the row is never deleted)


def account_owner_register(kind: AccountKind, names_of: Callable[[Collection[int]], dict[int, str]]) -> None:
    _OWNER_NAMES[kind] = names_of


def account_owner_names(accounts: Iterable[tuple[AccountKind, int]]) -> dict[int, str]:
    """The names of the accounts whose owner sits above the ledger, asked once a kind of owner."""
    wanted: dict[AccountKind, set[int]] = {}
    for kind, account_id in accounts:
        if kind in _OWNER_NAMES:
            wanted.setdefault(kind, set()).add(account_id)
    names: dict[int, str] = {}
    for kind, ids in wanted.items():
        names.update(_OWNER_NAMES[kind](ids))
    return names


def account_label(account: Account) -> str:
    """Name an account standing alone (a cell of a statement, a line of the CLI); sentences name it themselves.
    A statement's line (``ledger.statements.LineAccount``) carries its owner's name, read with its page."""
    if account.kind is AccountKind.MEMBER:
        return account.member.display_name
    if account.kind in _OWNER_NAMES:
        name = getattr(account, "owner_name", None)
        if name is None:
            name = _OWNER_NAMES[account.kind]([account.id]).get(account.id)
        return name or str(_OWNER_UNKNOWN.get(account.kind, _l("The timebank")))
    if account.kind is AccountKind.COMMUNITY:
        return str(_l("Community account"))
    return str(_l("The timebank"))


def _id(account: Account) -> int:
    """The account's id without reloading an instance expired by an earlier commit."""
    identity = sa.inspect(account).identity
    return identity[0] if identity else account.id


def _lock(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock accounts in ascending id order (no deadlocks) and read their current balances and owners."""
    ids = sorted(set(account_ids))
    rows = db.session.scalars(_lock_statement(), {"ids": ids}).unique().all()
    return {account.id: account for account in rows}


@cache
def _lock_statement():
    """Built once: a posting's lock is one cached statement, not a new query object each time."""
    return (sa.select(Account).where(Account.id.in_(sa.bindparam("ids", expanding=True))).order_by(Account.id)
            .with_for_update(of=Account).execution_options(populate_existing=True)
            .options(joinedload(Account.member)))


# Balances ------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    posted: int
    reserved_to_pay: int
    reserved_to_receive: int
    floor: int | None
    ceiling: int | None

    RENDERS_BY_VALUE = True  # the balance box says what these five figures say (fastpaths.kept_html)

    @property
    def available(self) -> int:
        return self.posted - self.reserved_to_pay

    @property
    def can_give(self) -> int | None:
        """Minutes that can still be paid or reserved before the floor (None: no floor)."""
        return None if self.floor is None else max(0, self.available - self.floor)

    @property
    def can_receive(self) -> int | None:
        return None if self.ceiling is None else max(0, self.ceiling - self.posted - self.reserved_to_receive)


def balance_of(account: Account) -> Balance:
    return Balance(account.posted, account.pending_debits, account.pending_credits, account.floor, account.ceiling)


def balance_of_member(member: Member) -> Balance | None:
    """The member's balance read as a row, for a page that shows it and nothing else of her account (the home
    page); None while she has no account (an applicant)."""
    row = db.session.execute(_balance_of_member(), {"member": member.id}).first()
    return Balance(*row) if row is not None else None


@cache
def _balance_of_member() -> sa.Select:
    account = Account.__table__
    return sa.select(account.c.posted, account.c.pending_debits, account.c.pending_credits, account.c.floor,
                     account.c.ceiling).where(account.c.member_id == sa.bindparam("member", type_=sa.Integer))

