"""A coordinator signs a member out on every phone and computer (a lost or stolen phone)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.coordination.permissions import check_coordinator
from timebank.database import atomic
from timebank.errors import DomainError, NotAllowed
from timebank.members.models import Member


def member_sessions_end(*, member: Member, actor: Member, reason: str) -> Member:
    """End every session of ``member``; only an admin may do it to a coordinator or an admin."""
    def work():
        check_coordinator(actor)
        if member.is_coordinator and not actor.is_admin:
            raise NotAllowed(_l("Only an admin can sign out a coordinator or an admin."))
        if not reason.strip():
            raise DomainError(_l("Please write the reason."), field="reason")
        member.sessions_end()
        audit(actor=actor, action="sessions_ended", member=member, reason=reason)
        return member

    return atomic(work)
