"""Resolving a dispute, and correcting in the ledger what an exchange moved."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.database import atomic, lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.exchanges.completion import _payer_cannot_pay, _post
from timebank.exchanges.models import PROVIDER, RECIPIENT, Dispute, DisputeResolution, Exchange, ExchangeState
from timebank.exchanges.sides import exchange_accounts, side_account
from timebank.exchanges.steps import MESSAGE_MAX, _event, _lock, _seen, _tell_side
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.ledger import services as ledger
from timebank.ledger.errors import BelowFloor
from timebank.ledger.models import Transfer, TransferKind
from timebank.members.models import Member
from timebank.timeutil import utcnow


def _exchange_total(current: Exchange) -> tuple[int, Transfer | None]:
    """Minutes that moved from recipient to provider for this exchange, and the posting transfer."""
    provider_account = side_account(current, PROVIDER)
    moved, posting = 0, None
    for transfer in db.session.scalars(sa.select(Transfer).where(Transfer.exchange_id == current.id,
                                                                  Transfer.reservation.is_(False))
                                       .order_by(Transfer.id)):
        moved += transfer.minutes if transfer.credit_account_id == provider_account.id else -transfer.minutes
        if transfer.pending_id is not None or posting is None:
            posting = transfer  # the posting of the reservation, or the first transfer of a recorded exchange
    return moved, posting


SHORTFALL_PARTIAL = "partial"  # take back only what the helper can give back now


SHORTFALL_COMMUNITY = "community"  # take back all: the community account gives what the helper cannot


class ReversalShortfall(BelowFloor):
    """Taking hours back would take the helper below her lower limit: the coordinator chooses what to do."""

    def __init__(self, message, *, room: int, cover: int, community_can: bool):
        super().__init__(message, field="shortfall")
        self.room, self.cover, self.community_can = room, cover, community_can


@dataclass(frozen=True)
class ReversalRoom:
    """For a disagreement after confirmation: how much can go back from the helper now, and from the community."""

    moved: int  # what the exchange moved to the helper
    room: int  # what the helper can give back now without going below her lower limit
    community: int  # what the community account can give

    @property
    def short(self) -> bool:
        """Would taking back all of it go below the helper's lower limit?"""
        return self.room < self.moved


def _can_give(account) -> int:
    return ledger.balance_of(account).can_give if account.floor is not None else 10 ** 9


def dispute_reversal_room(dispute: Dispute) -> ReversalRoom | None:
    """What a full reversal of a confirmed exchange would meet now (None before confirmation: nothing to take back)."""
    if dispute.resolved_at is not None or dispute.state_before != ExchangeState.COMPLETED.value:
        return None
    moved, _ = _exchange_total(dispute.exchange)
    if moved <= 0:
        return None
    return ReversalRoom(moved, min(moved, _can_give(side_account(dispute.exchange, PROVIDER))),
                        _can_give(ledger.community_account()))


def _check_version_heard(dispute: Dispute) -> None:
    from flask_babel import format_date

    due = dispute.version_due
    if due is not None:
        raise InvalidTransition(_l("%(name)s was asked for their version: please wait for it, or until %(date)s.",
                                   name=dispute.other_name, date=format_date(due.date(), "long")))


def dispute_resolve(*, dispute: Dispute, actor: Member, resolution: DisputeResolution, reason: str,
                    minutes: int | None = None, key: str | None = None, shortfall: str | None = None) -> Dispute:
    """A coordinator settles a disagreement; the ledger gets the matching entries, nothing is rewritten.

    When hours must go back from a helper who has already spent them, ``shortfall`` says what the coordinator
    chose: take back only what she can give back now (``"partial"``), or all of it, with the community account
    giving the difference (``"community"``); without a choice, ``ReversalShortfall`` says what is possible.
    """
    def work():
        if not (actor.is_coordinator and actor.is_active_member):
            raise NotAllowed(_l("Only coordinators can settle a disagreement."))
        current = _lock(dispute.exchange)
        fresh = lock_fresh(dispute)
        if _seen(current, f"resolve:{fresh.id}", actor=actor, by=None, key=key):
            return fresh
        if fresh.resolved_at is not None or current.state is not ExchangeState.DISPUTED:
            raise InvalidTransition(_l("This disagreement has already been settled."))
        if current.involves(actor):
            raise NotAllowed(_l("Another coordinator must settle a disagreement you are part of."))
        if not reason.strip():
            raise DomainError(_l("Please write the reason: both people will read it."), field="reason")
        _check_version_heard(fresh)
        before = ExchangeState(fresh.state_before)
        target = {
            DisputeResolution.UPHELD: current.done_minutes if before is ExchangeState.DONE else current.minutes,
            DisputeResolution.CHANGED: minutes,
            DisputeResolution.CANCELLED: 0,
        }[resolution]
        if resolution is DisputeResolution.CHANGED:
            if minutes is None:
                raise DomainError(_l("Please give the number of hours decided."), field="minutes")
            ledger.check_amount(minutes)
        ledger_key = f"exchange:{current.id}:dispute:{fresh.id}"
        outcome = {}
        if before is ExchangeState.COMPLETED:
            outcome = _correct_posted(current, target, actor=actor, reason=reason, key=ledger_key,
                                      shortfall=shortfall)
            target = outcome.get("target", target)
            current.state = ExchangeState.COMPLETED if target else ExchangeState.CANCELLED
        elif resolution is DisputeResolution.CANCELLED:
            ledger.transfer_void_in_transaction(pending=db.session.get(Transfer, current.reservation_id), actor=actor)
            current.state = ExchangeState.CANCELLED
        elif resolution is DisputeResolution.UPHELD and before is ExchangeState.AGREED:
            current.state = ExchangeState.AGREED
        else:
            current.done_minutes = target
            _post(current, actor, allow_extra=True, key_prefix=ledger_key)
            current.state = ExchangeState.COMPLETED
        if current.state is not ExchangeState.AGREED:
            current.finished_at = current.finished_at or utcnow()
        fresh.resolved_at, fresh.resolved_by_id = utcnow(), actor.id
        fresh.resolution, fresh.resolution_minutes = resolution.value, target
        fresh.resolution_reason = reason.strip()[:MESSAGE_MAX]
        taken, covered = outcome.get("taken", 0), outcome.get("covered", 0)
        marks = {"taken": taken, "covered": covered, "shortfall": shortfall} if outcome.get("short") else {}
        _event(current, actor, "resolved", resolution=resolution.value, minutes=target, reason=fresh.resolution_reason,
               **marks)
        audit(actor=actor, action="dispute_resolved", member=fresh.opened_by, target=f"exchange {current.id}",
              reason=fresh.resolution_reason, resolution=resolution.value, minutes=target, **marks)
        if covered:
            audit(actor=actor, action="community_cover", member=current.recipient, target=f"exchange {current.id}",
                  reason=fresh.resolution_reason, minutes=covered, provider=current.provider_id)
        kind = ("resolved_covered" if covered else "resolved_partly") if marks else "resolved"
        for side in (PROVIDER, RECIPIENT):
            _tell_side(current, side, kind,
                       lambda: _("A coordinator settled the disagreement: %(title)s", title=current.title),
                       name=actor.display_name, reason=fresh.resolution_reason[:300], taken=taken, covered=covered,
                       provider=current.provider_name, recipient=current.recipient_name)
        return fresh

    return atomic(work)


def _fresh(account):
    """The account as the database has it now (the write lock is held)."""
    return db.session.scalars(sa.select(type(account)).where(type(account).id == account.id)
                              .execution_options(populate_existing=True)).one()


def _correct_posted(current: Exchange, target: int, *, actor: Member, reason: str, key: str,
                    shortfall: str | None = None) -> dict:
    """Bring what this exchange moved to ``target`` minutes with one correcting transfer (two with the community).

    Returns what happened: ``target`` reached, ``taken`` back from the helper, ``covered`` by the community
    account, and ``short`` when the helper could not give back all of it.
    """
    moved, posting = _exchange_total(current)
    delta = target - moved
    if delta == 0:
        return {"target": target}
    memo = reason.strip()[:500]
    debit, credit = exchange_accounts(current)
    provider, recipient = _fresh(credit), _fresh(debit)
    kind = TransferKind.REVERSAL if target == 0 else TransferKind.ADJUSTMENT
    if delta > 0:
        try:
            ledger.transfer_post_in_transaction(debit=recipient, credit=provider, minutes=delta, kind=kind, key=key,
                                                actor=actor, memo=memo, exchange_id=current.id, corrects=posting)
        except BelowFloor as error:
            raise _payer_cannot_pay(current, paid=moved, error=error, by=actor) from None
        return {"target": target}
    need, room = -delta, min(-delta, _can_give(provider))
    if room >= need:
        ledger.transfer_post_in_transaction(debit=provider, credit=recipient, minutes=need, kind=kind, key=key,
                                            actor=actor, memo=memo, exchange_id=current.id, corrects=posting)
        return {"target": target, "taken": need}
    community = _fresh(ledger.community_account())
    cover = need - room
    community_can = _can_give(community) >= cover
    if shortfall == SHORTFALL_PARTIAL and room > 0:
        ledger.transfer_post_in_transaction(debit=provider, credit=recipient, minutes=room,
                                            kind=TransferKind.ADJUSTMENT, key=key, actor=actor, memo=memo,
                                            exchange_id=current.id, corrects=posting)
        return {"target": moved - room, "taken": room, "short": True}
    if shortfall == SHORTFALL_COMMUNITY and community_can:
        if room:
            ledger.transfer_post_in_transaction(debit=provider, credit=recipient, minutes=room, kind=kind, key=key,
                                                actor=actor, memo=memo, exchange_id=current.id, corrects=posting)
        ledger.transfer_post_in_transaction(debit=community, credit=recipient, minutes=cover,
                                            kind=TransferKind.ADJUSTMENT, key=f"{key}:community", actor=actor,
                                            memo=memo, exchange_id=current.id, corrects=posting)
        return {"target": target, "taken": room, "covered": cover, "short": True}
    name, floor = current.provider_name, format_minutes(provider.floor)
    said = (_l("%(name)s has already used these hours: none can be taken back now (the account cannot "
               "go below %(floor)s).", name=name, floor=floor) if room == 0 else
            _l("%(name)s has already used some of these hours: at most %(room)s can be taken back "
               "now (the account cannot go below %(floor)s).", name=name, room=format_minutes(room), floor=floor))
    if community_can:
        choice = (_l("Choose below: the community account gives the %(cover)s.", cover=format_minutes(cover))
                  if room == 0 else
                  _l("Choose below: take back %(room)s only, or take back all %(need)s with the community account "
                     "giving the other %(cover)s.", room=format_minutes(room), need=format_minutes(need),
                     cover=format_minutes(cover)))
    else:
        choice = (_l("The community account cannot give %(cover)s either: settle for fewer hours taken back, or "
                     "ask an admin to add hours to the community account.", cover=format_minutes(cover))
                  if room == 0 else
                  _l("The community account cannot give the other %(cover)s: choose below to take back %(room)s "
                     "only.", cover=format_minutes(cover), room=format_minutes(room)))
    raise ReversalShortfall(f"{said} {choice}", room=room, cover=cover, community_can=community_can)
