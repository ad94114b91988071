"""Everyone in the timebank, for admins: find a member, see their status, role, balance and last activity,
change a role (with a reason, in the audit log)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.database import atomic
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.ledger.models import Account
from timebank.members.models import Member, Role, Status

PER_PAGE = 50


@dataclass(frozen=True)
class PersonRow:
    member: Member
    balance: int | None


@dataclass(frozen=True)
class PeoplePage:
    rows: list[PersonRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def people_search(*, q: str = "", status: Status | None = None, role: Role | None = None, page: int = 1) -> PeoplePage:
    """Members by member number, name, phone or e-mail, newest first; two queries whatever the page."""
    from timebank.members.search import member_match

    query = sa.select(Member.id)
    found = member_match(q, private=True)
    if found is not None:
        query = query.where(found)
    if status is not None:
        query = query.where(Member.status == status)
    if role is not None:
        query = query.where(Member.role == role)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = max(1, page)
    if page > max(1, -(-total // PER_PAGE)):
        return PeoplePage([], total, page)  # past the end (even 99999999999999999999): nothing to read
    rows = db.session.execute(
        sa.select(Member, Account.posted).outerjoin(Account, Account.member_id == Member.id)
        .where(Member.id.in_(query)).order_by(Member.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return PeoplePage([PersonRow(member, balance) for member, balance in rows], total, page)


def member_set_role(*, member: Member, actor: Member, role: Role, reason: str) -> Member:
    """Make a member a coordinator or an admin, or a member again."""
    def work():
        if not (actor.is_admin and actor.is_active_member):
            raise NotAllowed(_l("Only admins can change roles."))
        if member.id == actor.id:
            raise NotAllowed(_l("Another admin must change your role."))
        if not reason.strip():
            raise DomainError(_l("Please write the reason."), field="reason")
        if member.role is role:
            raise InvalidTransition(_l("%(name)s already has this role.", name=member.display_name))
        if not member.is_active_member and role is not Role.MEMBER:
            raise InvalidTransition(_l("Only an active member can coordinate or administer."))
        old = member.role
        member.role = role
        audit(actor=actor, action="role_changed", member=member, reason=reason, old=old.value, new=role.value)
        return member

    return atomic(work)
