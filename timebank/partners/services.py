"""Partner organisations: an admin creates them, sets their account's limits, names their representatives.

Every act of an admin is written to the audit log in the same transaction. A representative acts for her
partner only while her row exists and she is an active member: removing her takes effect on her next click.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from blinker import Namespace
from flask_babel import lazy_gettext as _l

from timebank.audit import audit, audit_changes
from timebank.database import atomic, lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.idempotency import form_claim
from timebank.ledger import services as ledger
from timebank.ledger.errors import ReasonRequired
from timebank.ledger.models import Account, AccountKind
from timebank.members.models import Member
from timebank.partners.models import Partner, PartnerKind, Representative
from timebank.partners.rewards import bookings_release_in_transaction
from timebank.timeutil import utcnow

DESCRIPTION_LANGUAGES = ("fr", "en", "ar", "tr", "pt")

# Sent in the transaction that suspends a partner: its open exchanges are closed (the factory connects them).
partner_suspending = Namespace().signal("partner-suspending")


@dataclass(frozen=True)
class PartnerFields:
    name: str
    kind: PartnerKind
    descriptions: dict
    address: str = ""
    contact: str = ""


def _check_admin(actor: Member) -> None:
    if not (actor.is_admin and actor.is_active_member):
        raise NotAllowed(_l("Only admins can create partners and name their representatives."))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return reason


def _apply(partner: Partner, fields: PartnerFields) -> None:
    name = (fields.name or "").strip()
    if not name:
        raise DomainError(_l("Please give the partner's name."), field="name")
    partner.name = name[:120]
    partner.kind = fields.kind
    partner.descriptions = {code: text.strip() for code, text in (fields.descriptions or {}).items()
                            if code in DESCRIPTION_LANGUAGES and text and text.strip()}
    partner.address = (fields.address or "").strip()[:300]
    partner.contact = (fields.contact or "").strip()[:300]


def partner_create(*, actor: Member, fields: PartnerFields, logo: bytes | None = None) -> Partner:
    """Create a partner with its own hour account (limits 0/0 until an admin sets them)."""
    from timebank.images import logo_store

    _check_admin(actor)
    partner = Partner(created_at=utcnow())
    _apply(partner, fields)  # checked before the logo is stored
    stored = logo_store(logo) if logo else ""

    def work():
        partner.account = ledger.account_open_owned(kind=AccountKind.PARTNER)
        partner.logo = stored
        db.session.add(partner)
        db.session.flush()
        audit(actor=actor, action="partner_created", target=f"partner {partner.id}", name=partner.name,
              kind=partner.kind.value)
        return partner

    return atomic(work)


def partner_update(*, actor: Member, partner: Partner, fields: PartnerFields, logo: bytes | None = None) -> Partner:
    from timebank.images import logo_store

    _check_admin(actor)
    stored = logo_store(logo) if logo else None

    def work():
        current = lock_fresh(partner)
        old = {"name": current.name, "kind": current.kind.value, "address": current.address,
               "contact": current.contact, "descriptions": dict(current.descriptions or {}), "logo": current.logo}
        _apply(current, fields)
        if stored:
            current.logo = stored
        new = {"name": current.name, "kind": current.kind.value, "address": current.address,
               "contact": current.contact, "descriptions": dict(current.descriptions or {}), "logo": current.logo}
        changes = audit_changes(old, new)
        if changes:
            audit(actor=actor, action="partner_changed", target=f"partner {current.id}", **changes)
        return current

    return atomic(work)


def partner_set_limits(*, actor: Member, partner: Partner, floor: int, ceiling: int, reason: str) -> Account:
    """The partner's floor and ceiling, through the ledger's own limit change (with its checks and its log)."""
    _check_admin(actor)
    return ledger.account_set_limits(account=partner.account, floor=floor, ceiling=ceiling, actor=actor,
                                     reason=reason)


def representative_add(*, actor: Member, partner: Partner, member: Member, reason: str) -> Representative:
    _check_admin(actor)
    reason = _reason(reason)
    if not member.is_active_member:
        raise DomainError(_l("%(name)s is not an active member: only active members can represent a partner.",
                             name=member.display_name), field="member")

    def work():
        lock_fresh(partner)
        existing = db.session.scalar(sa.select(Representative).where(
            Representative.partner_id == partner.id, Representative.member_id == member.id))
        if existing is not None:
            raise DomainError(_l("%(name)s already represents this partner.", name=member.display_name),
                              field="member")
        row = Representative(partner_id=partner.id, member_id=member.id, created_at=utcnow())
        db.session.add(row)
        audit(actor=actor, action="representative_named", member=member, target=f"partner {partner.id}",
              reason=reason, partner=partner.name)
        return row

    return atomic(work)


def representative_remove(*, actor: Member, partner: Partner, member: Member, reason: str) -> None:
    _check_admin(actor)
    reason = _reason(reason)

    def work():
        lock_fresh(partner)
        existing = db.session.scalar(sa.select(Representative).where(
            Representative.partner_id == partner.id, Representative.member_id == member.id))
        if existing is None:
            return  # already removed (the same form again): nothing more to do
        db.session.delete(existing)
        audit(actor=actor, action="representative_removed", member=member, target=f"partner {partner.id}",
              reason=reason, partner=partner.name)

    atomic(work)


def partner_set_suspended(*, actor: Member, partner: Partner, suspended: bool, reason: str,
                          key: str | None = None) -> Partner:
    """Suspend a partner (its listings and rewards are hidden, its reserved bookings released, its open exchanges
    cancelled) or bring it back."""
    _check_admin(actor)
    reason = _reason(reason)

    def work():
        _use, replayed = form_claim(member_id=actor.id, key=key, action="partner_status", target=partner.id)
        current = lock_fresh(partner)
        if replayed:
            return current
        if suspended == (current.suspended_at is not None):
            raise InvalidTransition(_l("This partner is already suspended.") if suspended else
                                    _l("This partner is already active."))
        if suspended:
            current.suspended_at = utcnow()
            released = bookings_release_in_transaction(partner=current, actor=actor)
            partner_suspending.send(current, actor=actor)  # its open exchanges' reserved hours are released
            audit(actor=actor, action="partner_suspended", target=f"partner {current.id}", reason=reason,
                  released=released)
        else:
            current.suspended_at = None
            audit(actor=actor, action="partner_reactivated", target=f"partner {current.id}", reason=reason)
        return current

    return atomic(work)


# Reading ---------------------------------------------------------------------------------------------------------


def partners(*, include_suspended: bool = False) -> list[Partner]:
    query = sa.select(Partner).order_by(Partner.name, Partner.id)
    if not include_suspended:
        query = query.where(Partner.suspended_at.is_(None))
    return list(db.session.scalars(query))


def partner_names_of_accounts(account_ids: Collection[int]) -> dict[int, str]:
    """The names of partners' accounts, by account id, for statements and messages (registered with the ledger)."""
    return dict(db.session.execute(_names_statement(), {"ids": list(account_ids)}).all())


@cache
def _names_statement() -> sa.Select:
    """Built once: a statement page asks it on every view that shows a partner."""
    return sa.select(Partner.account_id, Partner.name).where(
        Partner.account_id.in_(sa.bindparam("ids", expanding=True)))


def member_by_number(number: int | None) -> Member | None:
    if number is None:
        return None
    return db.session.scalar(sa.select(Member).where(Member.number == number))
