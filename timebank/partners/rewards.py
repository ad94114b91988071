"""Rewards: residents spend hours at a partner (a swimming-pool entry for 1 h).

A representative publishes a reward with a number of places and dates. A resident books one: in one
transaction the reward's row is locked (so the last place goes to one resident only), a place is counted
and her hours are reserved from her account to the partner's, under the ledger's usual rules. The hours
are posted when a representative marks the booking used, and released when the resident cancels, the
representative refuses, the reward ends (the daily job) or the partner is suspended.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy.orm import joinedload

from timebank.audit import audit, audit_changes
from timebank.database import atomic, lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.idempotency import form_claim
from timebank.ledger import services as ledger
from timebank.ledger.models import TransferKind
from timebank.members.models import Member
from timebank.notifications.services import notify
from timebank.partners.models import Booking, BookingState, Partner, Reward
from timebank.partners.access import representatives, represents
from timebank.timeutil import utcnow

MOST_PLACES = 1000


@dataclass(frozen=True)
class RewardFields:
    title: str
    description: str
    minutes: int
    places: int
    starts_on: date | None = None
    ends_on: date | None = None


def _today() -> date:
    return utcnow().date()


def _check_representative(actor: Member, partner: Partner) -> None:
    if not represents(actor, partner):
        raise NotAllowed(_l("Only the partner's representatives can do this."))


def _checked_title(fields: RewardFields, *, places_taken: int = 0, ends_on_before: date | None = None) -> str:
    """Check a reward's fields (a changed reward keeps at least the places already booked); return its title."""
    title = (fields.title or "").strip()
    if not title:
        raise DomainError(_l("Please give a title."), field="title")
    ledger.check_amount(fields.minutes)
    if not 1 <= fields.places <= MOST_PLACES:
        raise DomainError(_l("Between 1 and %(most)s places.", most=MOST_PLACES), field="places")
    if fields.places < places_taken:
        raise DomainError(_ln("%(num)s place is already booked: keep at least that many.",
                              "%(num)s places are already booked: keep at least that many.", places_taken),
                          field="places")
    if fields.starts_on and fields.ends_on and fields.ends_on < fields.starts_on:
        raise DomainError(_l("The last day cannot be before the first day."), field="ends_on")
    if fields.ends_on and fields.ends_on < _today() and fields.ends_on != ends_on_before:
        raise DomainError(_l("The last day cannot be in the past."), field="ends_on")
    return title[:100]


def reward_create(*, actor: Member, partner: Partner, fields: RewardFields) -> Reward:
    """Publish a reward for the partner ``actor`` represents."""
    _check_representative(actor, partner)
    if not partner.is_active:
        raise NotAllowed(_l("This partner is suspended: it cannot publish rewards for now."))
    title = _checked_title(fields)

    def work():
        reward = Reward(partner_id=partner.id, title=title, description=(fields.description or "").strip(),
                        minutes=fields.minutes, places=fields.places, starts_on=fields.starts_on,
                        ends_on=fields.ends_on, created_by_id=actor.id, created_at=utcnow())
        db.session.add(reward)
        return reward

    return atomic(work)


def _terms(reward: Reward) -> dict:
    return {"title": reward.title, "description": reward.description, "minutes": reward.minutes,
            "places": reward.places, "starts_on": reward.starts_on, "ends_on": reward.ends_on}


def reward_update(*, actor: Member, reward: Reward, fields: RewardFields) -> Reward:
    """Change a reward; bookings already made keep the hours they reserved."""
    _check_representative(actor, reward.partner)

    def work():
        current = lock_fresh(reward)  # a booking at the same moment waits: the places counted stay true
        if current.withdrawn_at is not None:
            raise InvalidTransition(_l("This reward is withdrawn: it cannot be changed."))
        title = _checked_title(fields, places_taken=places_taken(current), ends_on_before=current.ends_on)
        old = _terms(current)
        current.title, current.description = title, (fields.description or "").strip()
        current.minutes, current.places = fields.minutes, fields.places
        current.starts_on, current.ends_on = fields.starts_on, fields.ends_on
        changes = audit_changes(old, _terms(current))
        if changes:  # the coordinators read "Sandrine changed the reward … for Les Tilleuls Habitat"
            audit(actor=actor, action="reward_changed", target=f"reward {current.id}", partner_id=current.partner_id,
                  **changes)
        return current

    return atomic(work)


def reward_withdraw(*, actor: Member, reward: Reward, key: str | None = None) -> Reward:
    """Withdraw a reward: nobody can book it any more, and the waiting bookings are released (residents are told)."""
    _check_representative(actor, reward.partner)

    def work():
        _use, replayed = form_claim(member_id=actor.id, key=key, action="reward_withdraw", target=reward.id)
        current = lock_fresh(reward)
        if replayed:
            return current
        if current.withdrawn_at is not None:
            raise InvalidTransition(_l("This reward is already withdrawn."))
        current.withdrawn_at = utcnow()
        audit(actor=actor, action="reward_withdrawn", target=f"reward {current.id}", partner_id=current.partner_id)
        waiting = db.session.scalars(sa.select(Booking).where(
            Booking.reward_id == current.id, Booking.state == BookingState.RESERVED).order_by(Booking.id)).all()
        _release(waiting, BookingState.RELEASED, actor, kind="reward_withdrawn")
        return current

    return atomic(work)


def places_taken(reward: Reward) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.reward_id == reward.id, Booking.state.in_((BookingState.RESERVED, BookingState.USED))))


def places_left(reward: Reward) -> int:
    return max(0, reward.places - places_taken(reward))


def reward_is_on(reward: Reward, today: date | None = None) -> bool:
    """Can it be seen and booked (partner active, within its dates)? Places are counted apart."""
    today = today or _today()
    return (reward.partner.is_active and reward.withdrawn_at is None and (reward.starts_on is None or reward.starts_on <= today)
            and (reward.ends_on is None or today <= reward.ends_on))


def rewards_of(*, partner: Partner, include_ended: bool = False) -> list[Reward]:
    """The partner's rewards, soonest ending first; none of a suspended partner unless asked."""
    query = sa.select(Reward).where(Reward.partner_id == partner.id).options(joinedload(Reward.partner))
    if not include_ended:
        if not partner.is_active:
            return []
        query = query.where(sa.or_(Reward.ends_on.is_(None), Reward.ends_on >= _today()),
                            Reward.withdrawn_at.is_(None))
    return list(db.session.scalars(query.order_by(Reward.ends_on.is_(None), Reward.ends_on, Reward.id)))


def _memo(reward: Reward) -> str:
    return f"{reward.title} — {reward.partner.name}"


def reward_book(*, member: Member, reward: Reward, key: str | None) -> Booking:
    """Book one place: the hours are reserved from ``member``'s account to the partner's."""
    account = ledger.account_of(member)
    if account is None or not member.is_active_member:
        raise NotAllowed(_l("Your account is not open yet: a coordinator must approve your membership."))

    def work():
        use, replayed = form_claim(member_id=member.id, key=key, action="reward_book", target=reward.id)
        if replayed:
            return db.session.get(Booking, use.target_id)
        current = lock_fresh(reward)  # one booking at a time per reward: the last place goes to one resident
        if not reward_is_on(current):
            raise InvalidTransition(_l("This reward cannot be booked now."))
        if places_left(current) <= 0:
            raise InvalidTransition(_l("Sorry, there is no place left for this reward."))
        suffix = key or f"{member.id}-{utcnow().timestamp()}"
        pending = ledger.transfer_reserve_in_transaction(
            debit=account, credit=current.partner.account, minutes=current.minutes, kind=TransferKind.REWARD,
            key=f"reward:{member.id}:{suffix}"[:80], actor=member, memo=_memo(current))
        booking = Booking(reward_id=current.id, member_id=member.id, state=BookingState.RESERVED,
                          reservation=pending, created_at=utcnow())
        db.session.add(booking)
        db.session.flush()
        if use is not None:
            use.target_id = booking.id
        for row in representatives(partner=current.partner):  # who will welcome her at the venue
            notify(member=row.member, kind="reward_booked", params={"name": member.display_name,
                                                                    "title": current.title},
                   link=f"/partners/{current.partner_id}/manage")
        return booking

    return atomic(work)


def _resolve(booking: Booking, state: BookingState, actor: Member | None) -> None:
    booking.state = state
    booking.resolved_at = utcnow()
    booking.resolved_by_id = actor.id if actor else None


def _tell(booking: Booking, kind: str) -> None:
    notify(member=booking.member, kind=kind, params={"title": booking.reward.title,
                                                     "name": booking.reward.partner.name},
           link="/me/rewards")


def booking_cancel(*, member: Member, booking: Booking, key: str | None = None) -> Booking:
    """The resident cancels her booking: her hours are released."""
    if booking.member_id != member.id:
        raise NotAllowed(_l("Only the person who booked it can cancel it."))

    def work():
        _use, replayed = form_claim(member_id=member.id, key=key, action="booking_cancel", target=booking.id)
        current = lock_fresh(booking)
        if replayed:
            return current
        if current.state is not BookingState.RESERVED:
            raise InvalidTransition(_l("This booking is no longer waiting: it cannot be cancelled."))
        ledger.transfer_void_in_transaction(pending=current.reservation, actor=member)
        _resolve(current, BookingState.CANCELLED, member)
        return current

    return atomic(work)


def booking_decide(*, actor: Member, booking: Booking, used: bool, key: str | None = None) -> Booking:
    """A representative marks the booking used (the hours go to the partner) or refuses it (they are released)."""
    _check_representative(actor, booking.reward.partner)

    def work():
        action = "booking_used" if used else "booking_refused"
        _use, replayed = form_claim(member_id=actor.id, key=key, action=action, target=booking.id)
        current = lock_fresh(booking)
        if replayed:
            return current
        if current.state is not BookingState.RESERVED:
            raise InvalidTransition(_l("This booking is no longer waiting: it was already used or released."))
        if used:
            ledger.transfer_post_pending_in_transaction(pending=current.reservation,
                                                        key=f"reward-used:{current.id}", actor=actor)
            _resolve(current, BookingState.USED, actor)
            _tell(current, "reward_used")
        else:
            ledger.transfer_void_in_transaction(pending=current.reservation, actor=actor)
            _resolve(current, BookingState.REFUSED, actor)
            _tell(current, "reward_refused")
        return current

    return atomic(work)


def _release(bookings, state: BookingState, actor: Member | None, *, tell: bool = True,
             kind: str = "reward_released") -> int:
    count = 0
    for booking in bookings:
        current = lock_fresh(booking)
        if current.state is not BookingState.RESERVED:
            continue
        ledger.transfer_void_in_transaction(pending=current.reservation, actor=actor)
        _resolve(current, state, actor)
        if tell:
            _tell(current, kind)
        count += 1
    return count


def bookings_release_of_suspended(member: Member, *, actor: Member, **_extra) -> None:
    """A member is being suspended: her waiting bookings are released (connected to ``member_suspending``)."""
    waiting = db.session.scalars(sa.select(Booking).where(
        Booking.member_id == member.id, Booking.state == BookingState.RESERVED).order_by(Booking.id)).all()
    _release(waiting, BookingState.RELEASED, actor, tell=False)  # she is told of the suspension itself


def bookings_release_in_transaction(*, partner: Partner, actor: Member) -> int:
    """Release every reserved booking of a suspended partner's rewards (no commit)."""
    waiting = db.session.scalars(
        sa.select(Booking).join(Reward, Booking.reward_id == Reward.id)
        .where(Reward.partner_id == partner.id, Booking.state == BookingState.RESERVED).order_by(Booking.id)).all()
    return _release(waiting, BookingState.RELEASED, actor)


def bookings_expire_due(today: date | None = None) -> int:
    """Release the reserved bookings of rewards whose last day has passed (the daily job)."""
    today = today or _today()
    waiting = db.session.scalars(
        sa.select(Booking).join(Reward, Booking.reward_id == Reward.id)
        .where(Booking.state == BookingState.RESERVED, Reward.ends_on < today).order_by(Booking.id)).all()
    total = 0
    for booking in waiting:  # one transaction each: one failure does not hold back the others
        total += atomic(lambda booking=booking: _release([booking], BookingState.EXPIRED, None))
    return total


def bookings_of_member(*, member: Member) -> list[Booking]:
    return list(db.session.scalars(
        sa.select(Booking).where(Booking.member_id == member.id).order_by(Booking.id.desc())
        .options(joinedload(Booking.reward).joinedload(Reward.partner))))


def bookings_of_partner(*, partner: Partner) -> list[Booking]:
    """Waiting bookings first (oldest first), then the last hundred decided."""
    query = (sa.select(Booking).join(Reward, Booking.reward_id == Reward.id).where(Reward.partner_id == partner.id)
             .options(joinedload(Booking.reward), joinedload(Booking.member)))
    waiting = db.session.scalars(query.where(Booking.state == BookingState.RESERVED).order_by(Booking.id)).all()
    done = db.session.scalars(query.where(Booking.state != BookingState.RESERVED)
                              .order_by(Booking.id.desc()).limit(100)).all()
    return list(waiting) + list(done)
