"""Ledger services: the only code that writes accounts and transfers.

Every public service is one transaction: it takes the write lock
(``begin_write``), locks the accounts it touches in ascending id order,
replays an idempotency key if it has been seen, checks the rules, writes,
and commits. The ``*_in_transaction`` variants do the same without
committing, for services that must change something else atomically with
the hours (an exchange becoming agreed and its reservation).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from timebank.audit import audit
from timebank.database import atomic, begin_write, lock_fresh
from timebank.errors import NotAllowed
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.ledger.errors import (
    AboveCeiling,
    AccountFrozen,
    AlreadyResolved,
    BelowFloor,
    IdempotencyConflict,
    InvalidAmount,
    ReasonRequired,
    SameAccount,
)
from timebank.ledger.models import (
    Account,
    AccountKind,
    AccountLimitChange,
    Transfer,
    TransferKind,
    TransferState,
)
from timebank.members.models import Member, Status
from timebank.timeutil import utcnow

# Accounts ------------------------------------------------------------------


def community_account() -> Account:
    return db.session.scalar(sa.select(Account).where(Account.kind == AccountKind.COMMUNITY))


def system_account() -> Account:
    return db.session.scalar(sa.select(Account).where(Account.kind == AccountKind.SYSTEM))


def account_of(member: Member) -> Account | None:
    return db.session.scalar(sa.select(Account).where(Account.member_id == member.id))


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


LIMIT_BOUND = 1000 * 60  # no account goes beyond a thousand hours either way


def account_set_limits(*, account: Account, floor: int, ceiling: int, actor: Member, reason: str) -> Account:
    """Give one member's account its own floor and ceiling (e.g. an elderly member who receives more)."""
    if not (actor.is_coordinator and actor.is_active_member):
        raise NotAllowed(_l("Only coordinators can change the limits of an account."))
    if account.member_id == actor.id:
        raise NotAllowed(_l("Another coordinator must do this for you: nobody changes this for themselves."))
    if account.kind is AccountKind.PARTNER:
        if not actor.is_admin:
            raise NotAllowed(_l("Only admins can change the limits of a partner's account."))
    elif account.kind is not AccountKind.MEMBER:
        raise NotAllowed(_l("Only a member's account has limits that a coordinator can change."))
    if not (reason or "").strip():
        raise ReasonRequired()
    step = current_app.config["TIMEBANK_LEDGER_STEP"]
    if not (-LIMIT_BOUND <= floor <= 0 <= ceiling <= LIMIT_BOUND) or floor % step or ceiling % step:
        raise InvalidAmount(_l("The lower limit must be zero or below and the upper limit zero or above, "
                               "in steps of %(step)s.", step=format_minutes(step)))

    def work():
        locked = _lock([_id(account)])[_id(account)]
        if locked.available < floor:
            raise BelowFloor(_l("This account already has %(amount)s available: the lower limit cannot be above it.",
                                amount=format_minutes(locked.available)), field="floor")
        if locked.posted + locked.pending_credits > ceiling:
            raise AboveCeiling(_l("This account already holds %(amount)s: the upper limit cannot be below it.",
                                  amount=format_minutes(locked.posted + locked.pending_credits)), field="ceiling")
        db.session.add(AccountLimitChange(account_id=locked.id, old_floor=locked.floor, old_ceiling=locked.ceiling,
                                          floor=floor, ceiling=ceiling, reason=reason.strip()[:500],
                                          actor_id=actor.id, created_at=utcnow()))
        audit(actor=actor, action="limits_changed", member=locked.member, reason=reason,
              target="" if locked.member_id else f"account {locked.id}",
              floor=floor, ceiling=ceiling, old_floor=locked.floor, old_ceiling=locked.ceiling)
        locked.floor, locked.ceiling, locked.limits_overridden = floor, ceiling, True
        return locked

    return atomic(work)


# Owners above the ledger (a partner organisation) name their accounts through a function they register.
_OWNER_NAMES: dict[AccountKind, Callable[[Account], str]] = {}


def account_owner_register(kind: AccountKind, name_of: Callable[[Account], str]) -> None:
    _OWNER_NAMES[kind] = name_of


def account_label(account: Account) -> str:
    """Name an account standing alone (a cell of a statement, a line of the CLI); sentences name it themselves."""
    if account.kind is AccountKind.MEMBER:
        return account.member.display_name
    if account.kind in _OWNER_NAMES:
        return _OWNER_NAMES[account.kind](account)
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


# Rules ---------------------------------------------------------------------


def whole_steps(minutes: int) -> int:
    """The largest duration a form can ask for within ``minutes``: a whole number of steps (never below 0)."""
    step = current_app.config["TIMEBANK_LEDGER_STEP"]
    minutes = max(0, minutes)
    return minutes - minutes % step


def most_in_one_transfer() -> int:
    return whole_steps(current_app.config["TIMEBANK_LEDGER_MAX_TRANSFER"])


def _check_shape(minutes: int) -> None:
    step = current_app.config["TIMEBANK_LEDGER_STEP"]
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise InvalidAmount(_l("Please give a duration of at least %(step)s.", step=format_minutes(step)))
    if minutes % step:
        raise InvalidAmount(_l("Durations go in steps of %(step)s, for example %(example)s.",
                               step=format_minutes(step), example=format_minutes(60 + step)))


def _check_size(minutes: int) -> None:
    most = most_in_one_transfer()
    if minutes > most:
        raise InvalidAmount(_l("At most %(most)s in one transfer. Please check the number of hours.",
                               most=format_minutes(most)))


def check_amount(minutes: int) -> None:
    """Refuse durations that cannot be right: zero, negative, off the step, or huge."""
    _check_shape(minutes)
    _check_size(minutes)


def _check_can_move(account: Account) -> None:
    member = account.member
    if member is not None and member.status is not Status.ACTIVE:
        raise AccountFrozen(_l("The account of %(name)s is not active: no hours can move for now.",
                               name=member.display_name))


def _floor_message(account: Account, most: int, mine: bool):
    """Say what the account can still give, as a whole sentence whose subject fits the account."""
    floor = format_minutes(account.floor)
    if mine:
        return (_l("You can give at most %(amount)s now: your account cannot go below %(floor)s.",
                   amount=format_minutes(most), floor=floor) if most else
                _l("You cannot give hours just now: your account has reached its lower limit (%(floor)s).",
                   floor=floor))
    if account.kind in (AccountKind.MEMBER, AccountKind.PARTNER):
        name = account_label(account)
        return (_l("%(name)s can give at most %(amount)s now: the account cannot go below %(floor)s.",
                   name=name, amount=format_minutes(most), floor=floor) if most else
                _l("%(name)s cannot give hours just now: the account has reached its lower limit (%(floor)s).",
                   name=name, floor=floor))
    if account.kind is AccountKind.COMMUNITY:
        return (_l("The community account can give at most %(amount)s now: it cannot go below %(floor)s.",
                   amount=format_minutes(most), floor=floor) if most else
                _l("The community account cannot give hours just now: it has reached its lower limit (%(floor)s).",
                   floor=floor))
    return (_l("The timebank can give at most %(amount)s now: its account cannot go below %(floor)s.",
               amount=format_minutes(most), floor=floor) if most else
            _l("The timebank cannot give hours just now: its account has reached its lower limit (%(floor)s).",
               floor=floor))


def _check_floor(account: Account, minutes: int, actor: Member | None, *, sized: bool = True) -> None:
    if account.floor is None or account.available - minutes >= account.floor:
        return
    # What would go through: within the floor, in whole steps, and no more than one transfer allows.
    most = whole_steps(account.available - account.floor)
    if sized and most >= most_in_one_transfer():
        _check_size(minutes)  # the size of one transfer is the limit that bites, not the floor
    mine = actor is not None and account.member_id == actor.id
    raise BelowFloor(_floor_message(account, most, mine), field="minutes", most=most)


def _ceiling_message(account: Account, most: int, mine: bool):
    """Say what the account can still receive, as a whole sentence whose subject fits the account."""
    ceiling = format_minutes(account.ceiling)
    if mine:
        return (_l("You can receive at most %(amount)s more now: your account cannot go above %(ceiling)s.",
                   amount=format_minutes(most), ceiling=ceiling) if most else
                _l("You cannot receive more hours just now: your account has reached its upper limit "
                   "(%(ceiling)s).", ceiling=ceiling))
    if account.kind in (AccountKind.MEMBER, AccountKind.PARTNER):
        name = account_label(account)
        return (_l("%(name)s can receive at most %(amount)s more before reaching the upper limit of the account.",
                   name=name, amount=format_minutes(most)) if most else
                _l("%(name)s cannot receive more hours: the account has reached its upper limit (%(ceiling)s).",
                   name=name, ceiling=ceiling))
    if account.kind is AccountKind.COMMUNITY:
        return (_l("The community account can receive at most %(amount)s more now: it cannot go above "
                   "%(ceiling)s.", amount=format_minutes(most), ceiling=ceiling) if most else
                _l("The community account cannot receive more hours: it has reached its upper limit "
                   "(%(ceiling)s).", ceiling=ceiling))
    return (_l("The timebank can receive at most %(amount)s more now: its account cannot go above %(ceiling)s.",
               amount=format_minutes(most), ceiling=ceiling) if most else
            _l("The timebank cannot receive more hours: its account has reached its upper limit (%(ceiling)s).",
               ceiling=ceiling))


def _check_ceiling(account: Account, minutes: int, actor: Member | None = None) -> None:
    if account.ceiling is None or account.posted + account.pending_credits + minutes <= account.ceiling:
        return
    most = whole_steps(account.ceiling - account.posted - account.pending_credits)
    mine = actor is not None and account.member_id == actor.id
    if account.kind is AccountKind.MEMBER and not mine and not (actor is not None and actor.is_coordinator):
        # Her balance is hers: another member (a giver, a payer) learns only that this is too much for her now.
        raise AboveCeiling(_l("%(name)s cannot receive this many hours just now: their account is close to its "
                              "upper limit.", name=account.member.display_name), field="minutes")
    raise AboveCeiling(_ceiling_message(account, most, mine), field="minutes")


def transfer_check(*, debit: Account, credit: Account, minutes: int, actor: Member | None,
                   correction: bool = False) -> None:
    """Raise the domain error a transfer would meet now; write nothing (also used for previews).

    Every limit it names is exact: the amount it says "at most" goes through
    (as far as the payer's own limits go), one step more does not.
    """
    if debit.id == credit.id:
        raise SameAccount()
    if not correction:
        _check_shape(minutes)
    elif minutes <= 0:
        raise InvalidAmount(_l("Please give a duration of at least %(step)s.",
                               step=format_minutes(current_app.config["TIMEBANK_LEDGER_STEP"])))
    _check_can_move(debit)
    _check_can_move(credit)
    _check_floor(debit, minutes, actor, sized=not correction)
    if not correction:
        _check_size(minutes)
    _check_ceiling(credit, minutes, actor)


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


@cache
def _posting_statements():
    """The two statements of a posting, built once (their parameters come with each call)."""
    account = Account.__table__
    add = (account.update().where(account.c.id == sa.bindparam("account_id"))
           .values(posted=account.c.posted + sa.bindparam("delta")))
    return add, Transfer.__table__.insert()


def _post_rows(*, debit: Account, credit: Account, minutes: int, **fields) -> Transfer:
    """Write a posting as three statements (two balances, one transfer), without the ORM's unit of work.

    The accounts are locked and fresh (``_lock``), so the balances computed here are the ones the database
    ends with; the CHECK constraints still guard them. The instances in the session are told the new values,
    and the new transfer joins the session as if it had been read: nothing is reloaded afterwards.
    """
    add, insert = _posting_statements()
    connection = db.session.connection()  # the transaction's own connection: Core, no ORM layer per statement
    for row, delta in ((debit, -minutes), (credit, minutes)):
        connection.execute(add, {"account_id": row.id, "delta": delta})
    set_committed_value(debit, "posted", debit.posted - minutes)
    set_committed_value(credit, "posted", credit.posted + minutes)
    now = utcnow()
    values = dict(fields, debit_account_id=debit.id, credit_account_id=credit.id, minutes=minutes,
                  state=TransferState.POSTED, reservation=False, pending_id=None, created_at=now, resolved_at=now,
                  debit_balance_after=debit.posted, credit_balance_after=credit.posted)
    result = connection.execute(insert, values)
    transfer = Transfer(id=result.inserted_primary_key[0], **values)
    make_transient_to_detached(transfer)
    db.session.add(transfer)
    db.session.info.setdefault(_NEW, set()).add(transfer.id)
    return transfer


_NEW = "timebank_new_transfers"


def transfer_is_new(transfer: Transfer) -> bool:
    """Whether this transaction wrote ``transfer`` (rather than finding it already there: a replayed request)."""
    return sa.inspect(transfer).pending or transfer.id in db.session.info.get(_NEW, ())


@event.listens_for(Session, "after_transaction_end")
def _forget_new(session, transaction):
    if transaction.parent is None:
        session.info.pop(_NEW, None)


def transfer_post_in_transaction(
    *, debit: Account, credit: Account, minutes: int, kind: TransferKind, key: str,
    actor: Member | None, memo: str = "", exchange_id: int | None = None, corrects: Transfer | None = None,
) -> Transfer:
    begin_write()
    accounts = _lock([_id(debit), _id(credit)])
    debit, credit = accounts[_id(debit)], accounts[_id(credit)]
    corrects_id = _id(corrects) if corrects is not None else None
    replay = _replay(key, debit_account_id=debit.id, credit_account_id=credit.id, minutes=minutes, kind=kind,
                     reservation=False, corrects_id=corrects_id)
    if replay is not None:
        return replay
    transfer_check(debit=debit, credit=credit, minutes=minutes, actor=actor,
                   correction=kind in (TransferKind.ADJUSTMENT, TransferKind.REVERSAL, TransferKind.OPENING))
    return _post_rows(debit=debit, credit=credit, minutes=minutes, key=key, kind=kind, memo=memo.strip()[:500],
                      recorded_by_id=_id(actor) if actor is not None else None, exchange_id=exchange_id,
                      corrects_id=corrects_id)


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


# Statements ----------------------------------------------------------------


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


# Each line's accounts, their owners and who recorded it come in the same query (many-to-one joins), not in
# chains of further queries.
_LINE_OPTIONS = (
    joinedload(Transfer.debit_account).joinedload(Account.member),
    joinedload(Transfer.credit_account).joinedload(Account.member),
    joinedload(Transfer.recorded_by),
)


def statement(*, account: Account, page: int = 1, per_page: int | None = None) -> StatementPage:
    """A page of the account's movements, newest first, each with the balance right after it."""
    per_page = per_page or current_app.config["TIMEBANK_STATEMENT_PAGE_SIZE"]
    page = max(1, page)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(_statement_query(account).subquery()))
    if page > max(1, -(-total // per_page)):
        return StatementPage([], page, per_page, total)  # past the end: nothing to read
    # One query per side keeps each on its (account, id) index; merged in Python.
    limit = page * per_page
    sides = []
    for column in (Transfer.debit_account_id, Transfer.credit_account_id):
        sides += db.session.scalars(
            sa.select(Transfer).where(Transfer.reservation.is_(False), column == account.id)
            .order_by(Transfer.id.desc()).limit(limit).options(*_LINE_OPTIONS)
        ).all()
    rows = sorted(sides, key=lambda t: t.id, reverse=True)[(page - 1) * per_page: limit]
    return StatementPage([_line(account, t) for t in rows], page, per_page, total)


def statement_all(*, account: Account) -> list[StatementLine]:
    """Every movement of the account, newest first (for CSV downloads)."""
    rows = db.session.scalars(_statement_query(account).order_by(Transfer.id.desc()).options(*_LINE_OPTIONS))
    return [_line(account, t) for t in rows]


def reservations(*, account: Account) -> list[Transfer]:
    """Hours reserved to pay or to receive, oldest first."""
    return list(db.session.scalars(
        sa.select(Transfer).where(
            Transfer.reservation.is_(True), Transfer.state == TransferState.PENDING,
            sa.or_(Transfer.debit_account_id == account.id, Transfer.credit_account_id == account.id),
        ).order_by(Transfer.id).options(*_LINE_OPTIONS)
    ))
