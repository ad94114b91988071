"""Who may coordinate, and whom a coordinator may look after."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from timebank.errors import NotAllowed
from timebank.members.models import Member


def check_coordinator(actor: Member) -> None:
    if not (actor.is_coordinator and actor.is_active_member):
        raise NotAllowed(_l("Only coordinators can do this."))


def may_manage(*, actor: Member, member: Member) -> bool:
    """May ``actor`` change ``member``'s status, warnings, limits, password, helper or verification?

    Coordinators look after members; only an admin looks after a coordinator or
    an admin; and nobody does it for themselves.
    """
    if not (actor.is_coordinator and actor.is_active_member) or actor.id == member.id:
        return False
    return actor.is_admin or not member.is_coordinator


def check_may_manage(*, actor: Member, member: Member) -> None:
    check_coordinator(actor)
    if actor.id == member.id:
        raise NotAllowed(_l("Another coordinator must do this for you: nobody changes this for themselves."))
    if not may_manage(actor=actor, member=member):
        raise NotAllowed(_l("Only an admin can do this for a coordinator or an admin."))
