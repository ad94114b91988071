"""The impact report's partners section: what each partner organisation did with the residents in a period.

For each partner, from the movements touching its own account (kind ``partner``), corrections included
as for exchanges (a correction counts with the movement it corrects):

- **hours given to the partner**: services residents gave it, which its account paid (``exchange`` and
  ``direct`` movements debiting it, and the hours of the neighbourhood projects it sponsors, ``project``);
- **hours given by the partner**: services it gave residents, which they paid it;
- **rewards used**: bookings its representatives marked used in the period, and the hours residents
  spent on them (``reward`` movements crediting it);
- **residents reached**: the members on the other side of any of these movements (a movement that
  finally amounts to nothing reaches nobody), shown as "< 5" from 1 to 4, as every count of people.

These read only the partners' own transfers, through the ledger's indexes per account: their cost
follows the partners' activity, not the size of the ledger.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from timebank.extensions import db
from timebank.ledger.models import Account, AccountKind, TransferKind
from timebank.partners.models import Booking, BookingState, Partner, Reward
from timebank.reports import queries
from timebank.reports.services import People

PARTNER_KINDS = (TransferKind.EXCHANGE, TransferKind.DIRECT, TransferKind.PROJECT, TransferKind.REWARD)


@dataclass(frozen=True)
class PartnerFigures:
    partner: Partner
    to_minutes: int  # services residents gave the partner
    by_minutes: int  # services the partner gave residents
    rewards_used: int  # bookings marked used
    reward_minutes: int  # hours residents spent on its rewards
    residents: People  # residents reached

    @property
    def active(self) -> bool:
        return bool(self.to_minutes or self.by_minutes or self.rewards_used or self.reward_minutes
                    or self.residents.count)


def partner_figures(*, start_at: datetime, end_at: datetime, partner: Partner | None = None) -> list[PartnerFigures]:
    """The figures of every partner (or of ``partner``) for ``[start_at, end_at)``, by name; three queries."""
    chosen = sa.select(Partner).order_by(Partner.name, Partner.id)
    if partner is not None:
        chosen = chosen.where(Partner.id == partner.id)
    partners = list(db.session.scalars(chosen))
    if not partners:
        return []
    accounts = sa.select(Account.id).where(Account.kind == AccountKind.PARTNER)
    if partner is not None:
        accounts = accounts.where(Account.id == partner.account_id)
    moved = queries.movements([(start_at, end_at)], PARTNER_KINDS, accounts=accounts.scalar_subquery()).subquery()
    # One row per movement, with what it finally amounts to.
    per_movement = (sa.select(moved.c.debit_account_id.label("debit"), moved.c.credit_account_id.label("credit"),
                              moved.c.kind, sa.func.sum(moved.c.minutes).label("minutes"))
                    .group_by(moved.c.id, moved.c.debit_account_id, moved.c.credit_account_id, moved.c.kind)
                    .subquery("per_movement"))
    kinds = {account_id: kind for account_id, kind in db.session.execute(sa.select(Account.id, Account.kind).where(
        Account.id.in_(sa.select(per_movement.c.debit).union(sa.select(per_movement.c.credit)))))}
    totals: dict[int, dict[str, int]] = {p.account_id: {"to": 0, "by": 0, "reward": 0} for p in partners}
    reached: dict[int, set[int]] = {p.account_id: set() for p in partners}
    for debit, credit, kind, minutes in db.session.execute(sa.select(per_movement)):
        for own, other, way in ((debit, credit, "to"), (credit, debit, "by")):
            if own not in totals:
                continue
            totals[own]["reward" if kind == TransferKind.REWARD else way] += int(minutes)
            if minutes > 0 and kinds.get(other) is AccountKind.MEMBER:
                reached[own].add(other)
    used = dict(db.session.execute(
        sa.select(Reward.partner_id, sa.func.count()).join(Booking, Booking.reward_id == Reward.id)
        .where(Booking.state == BookingState.USED, Booking.resolved_at >= start_at, Booking.resolved_at < end_at,
               Reward.partner_id.in_([p.id for p in partners]))
        .group_by(Reward.partner_id)).all())
    return [PartnerFigures(p, totals[p.account_id]["to"], totals[p.account_id]["by"], used.get(p.id, 0),
                           totals[p.account_id]["reward"], People(len(reached[p.account_id]))) for p in partners]

