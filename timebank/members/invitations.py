"""Invitation links: made by an admin for a number of people and a time, listed, revocable.

The link carries a random token; only its SHA-256 is stored, so the table
cannot be read back into working links. Each registration through a link uses
one of its uses in the same transaction as the new member, under a row lock:
two people cannot both take its last use. Who joins by a link follows the
instance's approval rule (pending until a coordinator approves) unless the
admin ticked "approved at once" when making it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.database import atomic, begin_write
from timebank.errors import DomainError, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member
from timebank.timeutil import utcnow

INVITATION_DAYS = 14
MAX_USES = 50
MAX_DAYS = 90


class Invitation(db.Model):
    __tablename__ = "invitation"
    __table_args__ = (
        sa.CheckConstraint("uses >= 0 AND uses <= uses_allowed", name="uses_within_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    note: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    uses_allowed: Mapped[int] = mapped_column(sa.Integer, default=1)
    uses: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    approve_at_once: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))

    created_by: Mapped[Member] = relationship(foreign_keys=[created_by_id])

    @property
    def uses_left(self) -> int:
        return max(0, self.uses_allowed - self.uses)

    @property
    def expired(self) -> bool:
        return self.expires_at <= utcnow()

    def problem(self):
        """Why this link no longer works (a message for the person who opened it), or None."""
        if self.revoked_at is not None:
            return _l("This invitation link was withdrawn by the association.")
        if self.expired:
            return _l("This invitation link has expired.")
        if self.uses_left == 0:
            return _l("This invitation link has already been used by as many people as it was made for.")
        return None


class InvitationUnusable(DomainError):
    status_code = 410


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, actor: Member, note: str, uses: int = 1, days: int = INVITATION_DAYS,
                      approve_at_once: bool = False) -> str:
    """Make an invitation link for ``uses`` people, valid ``days`` days; returns its token."""
    from timebank.audit import audit

    if not (actor.is_admin and actor.is_active_member):
        raise NotAllowed(_l("Only admins can invite."))
    if not note.strip():
        raise DomainError(_l("Please say for whom or for what the invitation is."), field="note")
    if not 1 <= uses <= MAX_USES:
        raise DomainError(_l("An invitation link is for 1 to %(most)s people.", most=MAX_USES), field="uses")
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(_l("An invitation link works for 1 to %(most)s days.", most=MAX_DAYS), field="days")
    token = secrets.token_urlsafe(24)

    def work():
        invitation = Invitation(token_sha256=_digest(token), note=note.strip()[:200], created_by_id=actor.id,
                                created_at=utcnow(), expires_at=utcnow() + timedelta(days=days), uses_allowed=uses,
                                uses=0, approve_at_once=approve_at_once)
        db.session.add(invitation)
        db.session.flush()
        audit(actor=actor, action="invitation_created", target=f"invitation {invitation.id}", reason=note,
              uses=uses, days=days, approve_at_once=approve_at_once)
        return token

    return atomic(work)


def invitation_by_token(token: str | None) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(Invitation).where(Invitation.token_sha256 == _digest(token)))


def invitation_problem(token: str):
    """Why this link cannot be used to join now (a message), or None when it can."""
    invitation = invitation_by_token(token)
    if invitation is None:
        return _l("This invitation link is not valid: check that it was copied whole.")
    return invitation.problem()


def invitation_use_in_transaction(token: str) -> Invitation:
    """Use one use of the link for the member being registered, under a lock; raise if none is left."""
    begin_write()
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_sha256 == _digest(token or ""))
        .with_for_update().execution_options(populate_existing=True))
    if invitation is None:
        raise InvitationUnusable(_l("This invitation link is not valid: check that it was copied whole."))
    problem = invitation.problem()
    if problem is not None:
        raise InvitationUnusable(problem)
    invitation.uses += 1
    return invitation


def invitation_revoke(*, actor: Member, invitation: Invitation) -> Invitation:
    """Withdraw a link: nobody can join with it any more (who joined already stays)."""
    from timebank.audit import audit

    def work():
        if not (actor.is_admin and actor.is_active_member):
            raise NotAllowed(_l("Only admins can withdraw an invitation."))
        current = db.session.scalar(sa.select(Invitation).where(Invitation.id == invitation.id)
                                    .with_for_update().execution_options(populate_existing=True))
        if current.revoked_at is None:
            current.revoked_at, current.revoked_by_id = utcnow(), actor.id
            audit(actor=actor, action="invitation_revoked", target=f"invitation {current.id}", reason=current.note)
        return current

    return atomic(work)


def invitations_recent(*, limit: int = 50) -> list[Invitation]:
    return list(db.session.scalars(sa.select(Invitation).order_by(Invitation.id.desc()).limit(limit)))
