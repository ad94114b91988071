"""New default limits given to the accounts that still follow the old ones, and the accounts that keep theirs."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow


@dataclass(frozen=True)
class KeptLimits:
    """An account that kept its limits when new default limits were applied, and why."""

    name: str
    floor: int | None
    ceiling: int | None
    balance: int
    reserved_to_pay: int
    reserved_to_receive: int
    why: str  # "below_floor", "above_ceiling" or "set_by_coordinator"

    @property
    def message(self) -> str:
        from timebank.i18n import format_minutes

        limits = _l("%(floor)s to %(ceiling)s", floor=format_minutes(self.floor or 0),
                    ceiling=format_minutes(self.ceiling or 0))
        if self.why == "below_floor":
            if self.reserved_to_pay:
                return str(_l("%(name)s kept %(limits)s: the balance %(balance)s, with %(reserved)s reserved to "
                              "pay, is below the new lowest balance.", name=self.name, limits=limits,
                              balance=format_minutes(self.balance), reserved=format_minutes(self.reserved_to_pay)))
            return str(_l("%(name)s kept %(limits)s: the balance %(balance)s is below the new lowest balance.",
                          name=self.name, limits=limits, balance=format_minutes(self.balance)))
        if self.why == "above_ceiling":
            if self.reserved_to_receive:
                return str(_l("%(name)s kept %(limits)s: the balance %(balance)s, with %(reserved)s reserved to "
                              "receive, is above the new highest balance.", name=self.name, limits=limits,
                              balance=format_minutes(self.balance),
                              reserved=format_minutes(self.reserved_to_receive)))
            return str(_l("%(name)s kept %(limits)s: the balance %(balance)s is above the new highest balance.",
                          name=self.name, limits=limits, balance=format_minutes(self.balance)))
        return str(_l("%(name)s kept %(limits)s: a coordinator set these limits for this member.",
                      name=self.name, limits=limits))


@dataclass(frozen=True)
class LimitsApplied:
    changed: int
    kept: list[KeptLimits]


def default_limits_apply(*, floor: int, ceiling: int, actor: Member) -> LimitsApplied:
    """Give the new default limits to accounts that follow the defaults and whose balance fits them; name the rest."""
    from timebank.ledger.models import Account, AccountKind, AccountLimitChange

    accounts = db.session.execute(
        sa.select(Account, Member.display_name).join(Member, Account.member_id == Member.id)
        .where(Account.kind == AccountKind.MEMBER).order_by(Account.id)
        .with_for_update(of=Account).execution_options(populate_existing=True)).all()
    changed, kept = 0, []
    for account, name in accounts:
        if account.floor == floor and account.ceiling == ceiling:
            continue
        why = None
        if account.limits_overridden:
            why = "set_by_coordinator"
        elif account.posted - account.pending_debits < floor:
            why = "below_floor"
        elif account.posted + account.pending_credits > ceiling:
            why = "above_ceiling"
        if why is not None:
            kept.append(KeptLimits(name=name, floor=account.floor, ceiling=account.ceiling, balance=account.posted,
                                   reserved_to_pay=account.pending_debits,
                                   reserved_to_receive=account.pending_credits, why=why))
            continue
        db.session.add(AccountLimitChange(account_id=account.id, old_floor=account.floor,
                                          old_ceiling=account.ceiling, floor=floor, ceiling=ceiling,
                                          reason=str(_l("New default limits of the timebank")), actor_id=actor.id,
                                          created_at=utcnow()))
        account.floor, account.ceiling = floor, ceiling
        changed += 1
    return LimitsApplied(changed, kept)
