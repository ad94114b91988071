"""Who acts for a partner: asked on every request, so a representative who is removed loses access at once."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from timebank.extensions import db
from timebank.members.models import Member
from timebank.partners.models import Partner, Representative


def represents(member: Member | None, partner: Partner) -> bool:
    """Does ``member`` act for ``partner`` now (an active member whose row exists)?"""
    if member is None or not getattr(member, "is_authenticated", True) or not member.is_active_member:
        return False
    return db.session.scalar(sa.select(sa.func.count()).select_from(Representative).where(
        Representative.partner_id == partner.id, Representative.member_id == member.id)) > 0


def partners_of(member: Member) -> list[Partner]:
    """The partners ``member`` represents."""
    return list(db.session.scalars(
        sa.select(Partner).join(Representative, Representative.partner_id == Partner.id)
        .where(Representative.member_id == member.id).order_by(Partner.name)))


def representatives(*, partner: Partner) -> list[Representative]:
    return list(db.session.scalars(
        sa.select(Representative).where(Representative.partner_id == partner.id)
        .order_by(Representative.id).options(joinedload(Representative.member))))
