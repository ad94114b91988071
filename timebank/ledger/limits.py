"""Limits: what an amount, a floor and a ceiling allow, and the sentence that says why when they refuse.

``transfer_check`` is the whole set of rules of one transfer, in the order a resident meets them; it writes
nothing, so a form can preview with it. ``account_set_limits`` gives one account its own floor and ceiling.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.database import atomic
from timebank.errors import NotAllowed
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.ledger.accounts import _id, _lock, account_label
from timebank.ledger.errors import AboveCeiling, AccountFrozen, BelowFloor, InvalidAmount, ReasonRequired, SameAccount
from timebank.ledger.models import Account, AccountKind, AccountLimitChange
from timebank.members.models import Member, Status
from timebank.timeutil import utcnow

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


def amount_fits(minutes: int, *, correction: bool = False) -> bool:
    """Whether ``transfer_check`` would let this amount through, before any account is read (no sentence built)."""
    if type(minutes) is not int or minutes <= 0:
        return False
    if correction:
        return True
    config = current_app.config
    step = config["TIMEBANK_LEDGER_STEP"]
    return minutes % step == 0 and minutes <= config["TIMEBANK_LEDGER_MAX_TRANSFER"] // step * step
