"""Disagreements heard from both sides: a coordinator asks the other party for their version, who gives it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.coordination.permissions import check_coordinator
from timebank.database import atomic, lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.exchanges.models import Dispute
from timebank.exchanges.sides import named, side_members
from timebank.members.models import Member
from timebank.notifications.services import tell
from timebank.timeutil import utcnow

VERSION_MAX = 2000


def dispute_version_ask(*, dispute: Dispute, actor: Member) -> Dispute:
    """Ask the party who did not raise the disagreement for their version; they are told in the app and by mail."""
    def work():
        check_coordinator(actor)
        fresh = lock_fresh(dispute)
        if fresh.resolved_at is not None:
            raise InvalidTransition(_l("This disagreement has already been settled."))
        if fresh.exchange.involves(actor):
            raise NotAllowed(_l("Another coordinator must settle a disagreement you are part of."))
        if fresh.version_asked_at is not None:
            return fresh  # asked already (or the same form sent twice): one notice is enough
        fresh.version_asked_at, fresh.version_asked_by_id = utcnow(), actor.id
        audit(actor=actor, action="dispute_version_asked", member=fresh.other_party,
              target=f"exchange {fresh.exchange_id}")
        # On a partner's side, each of its representatives may answer: each is told.
        for member in side_members(fresh.exchange, fresh.other_side):
            tell(member=member, kind="dispute_version_asked", link=f"/exchanges/{fresh.exchange_id}/version",
                 params={**named(fresh.exchange, fresh.opened_by), "title": fresh.exchange.title},
                 subject=_l("A coordinator asks for your version of a disagreement"))
        return fresh

    return atomic(work)


def dispute_version_give(*, dispute: Dispute, actor: Member, text: str) -> Dispute:
    """The other party writes what happened in their own words, until the coordinator decides."""
    def work():
        fresh = lock_fresh(dispute)
        if not fresh.gives_version(actor):
            raise NotAllowed(_l("Only the other person of the exchange gives this version."))
        if fresh.resolved_at is not None:
            raise InvalidTransition(_l("This disagreement has already been settled."))
        if not text.strip():
            raise DomainError(_l("Please write what happened, in your own words."), field="version")
        fresh.version, fresh.version_at = text.strip()[:VERSION_MAX], utcnow()
        return fresh

    return atomic(work)
