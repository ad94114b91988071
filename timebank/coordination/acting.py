"""Acting for a member: a coordinator for a member without phone or internet who asked them to, or the trusted
helper the member named (a neighbour, a relative). The helper acts from their own sign-in; every act is marked."""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.database import atomic
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.notifications.services import tell

HELPER, COORDINATOR = "helper", "coordinator"


def agent_role(agent: Member, member: Member) -> str | None:
    """How ``agent`` may act for ``member`` ("helper" or "coordinator"), or None."""
    if agent.id == member.id or not agent.is_active_member or not member.is_active_member:
        return None
    if member.helper_id == agent.id:
        return HELPER
    if member.brokered and agent.is_coordinator:
        return COORDINATOR
    return None


def check_may_act_for(*, agent: Member, member: Member) -> str:
    role = agent_role(agent, member)
    if role is None:
        raise NotAllowed(_l("You cannot act for %(name)s: they have not asked you to.", name=member.display_name))
    return role


def members_helped_by(helper: Member) -> list[Member]:
    """The members who named ``helper`` as their trusted helper, by name.

    A handful of rows, sorted here: an ORDER BY would tempt SQLite into walking every active member in name
    order (the directory's index) instead of the few rows of the helpers' index."""
    helped = db.session.scalars(_helped_by(), {"helper": helper.id})
    return sorted(helped, key=lambda member: (member.display_name, member.id))


@cache
def _helped_by() -> sa.Select:
    """Built once (the home page asks it on every view)."""
    return sa.select(Member).where(_helped(sa.bindparam("helper", type_=sa.Integer)))


def _helped(helper):
    return sa.and_(Member.helper_id == helper, Member.status == Status.ACTIVE)


def helps_someone(helper) -> sa.ColumnElement[bool]:
    """SQL: whether a member (``helper``: an id or a parameter) is anyone's trusted helper (most are nobody's: the
    home page asks it with other things, and reads the members only when there are some)."""
    helped = sa.orm.aliased(Member)
    return sa.exists().where(helped.helper_id == helper, helped.status == Status.ACTIVE)


def helper_set(*, member: Member, helper: Member | None, actor: Member, reason: str = "") -> Member:
    """Name (or remove, with ``helper=None``) the member's trusted helper.

    The member does it themselves, or a coordinator does it for them (with a
    reason, in the audit log), e.g. for a member without internet.
    """
    def work():
        by_coordinator = actor.id != member.id
        if by_coordinator and not (actor.is_coordinator and actor.is_active_member):
            raise NotAllowed(_l("Only the member or a coordinator can choose a trusted helper."))
        if by_coordinator:
            from timebank.coordination.permissions import check_may_manage

            check_may_manage(actor=actor, member=member)
            if helper is not None and helper.id == actor.id:
                # A helper acts for the member from their own sign-in: the member chooses them, not themselves.
                raise NotAllowed(_l("You cannot name yourself as trusted helper: another coordinator must do it, "
                                    "at the member's request."), field="number")
        if not member.is_active_member:
            raise NotAllowed(_l("Only an active member can have a trusted helper."))
        if by_coordinator and not reason.strip():
            raise DomainError(_l("Please write the reason."), field="reason")
        previous = member.helper
        if helper is not None:
            if helper.id == member.id:
                raise DomainError(_l("You cannot be your own helper."), field="number")
            if not helper.is_active_member:
                raise DomainError(_l("This member cannot help at the moment: choose an active member."),
                                  field="number")
            if previous is not None and previous.id == helper.id:
                raise InvalidTransition(_l("%(name)s is already the trusted helper.", name=helper.display_name))
        elif previous is None:
            raise InvalidTransition(_l("There is no trusted helper to remove."))
        member.helper_id = helper.id if helper else None
        if by_coordinator:
            audit(actor=actor, action="helper_named" if helper else "helper_removed", member=member, reason=reason,
                  helper=(helper or previous).id)
        if previous is not None:
            tell(member=previous, kind="helper_removed", subject=_l("You no longer manage an account"),
                 params={"name": member.display_name})
        if helper is not None:
            tell(member=helper, kind="helper_of", subject=_l("You are a trusted helper"),
                 params={"name": member.display_name})
            tell(member=member, kind="helper_named", subject=_l("Your trusted helper"),
                 params={"name": helper.display_name})
        return member

    return atomic(work)


def acted_for(*, member: Member, agent: Member, role: str, target: str, step: str, title: str,
              link: str) -> None:
    """Tell the member what was done for them; a coordinator's act also goes to the audit log."""
    tell(member=member, kind="exchange_acted_for", params={"name": agent.display_name, "title": title, "step": step},
         subject=_l("Done for you: %(title)s", title=title), link=link)
    if role == COORDINATOR:
        audit(actor=agent, action="acted_for_member", member=member, target=target, step=step)
