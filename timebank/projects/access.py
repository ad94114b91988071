"""Who may open, edit, close a project and confirm its hours: asked on every request.

Coordinators and admins, for any project; a partner's current representatives, for the projects their partner
sponsors. A representative who stops being one loses access at her next click.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from timebank.errors import NotAllowed
from timebank.members.models import Member
from timebank.partners.access import represents
from timebank.partners.models import Partner
from timebank.projects.models import Project


def _active(member: Member | None) -> bool:
    return member is not None and getattr(member, "is_authenticated", True) and member.is_active_member


def may_sponsor(member: Member | None, partner: Partner | None) -> bool:
    """May ``member`` open a project paid by ``partner`` (None: the community account)?"""
    if not _active(member):
        return False
    if member.is_coordinator:
        return True
    return partner is not None and represents(member, partner)


def may_manage(member: Member | None, project: Project) -> bool:
    """May ``member`` edit or close ``project`` and confirm its hours?"""
    return may_sponsor(member, project.partner)


def may_see(member: Member | None, project: Project) -> bool:
    """A suspended partner's projects are hidden, but from those who manage them."""
    return not project.hidden or may_manage(member, project)


def check_manage(actor: Member, project: Project) -> None:
    if not may_manage(actor, project):
        raise NotAllowed(_l("Only coordinators and the sponsor's representatives can do this."))
