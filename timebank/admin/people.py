"""Everyone in the timebank, for admins: find a member, see their status, role, balance and last activity,
change a role (with a reason, in the audit log)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.database import atomic
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.coordination.people import PeoplePage, people_list
from timebank.members.models import Member, Role, Status


def people_search(*, q: str = "", status: Status | None = None, role: Role | None = None, page: int = 1,
                  sort: str = "joined") -> PeoplePage:
    """Members by member number, name, phone or e-mail, newest first unless sorted otherwise."""
    return people_list(q=q, status=status, role=role, page=page, sort=sort)


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
