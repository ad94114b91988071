"""The audit log: every coordinator and admin act, written in the same transaction as the act.

Every layer may write it, so it sits with the plumbing: it names members by their id (the table is
"member", resolved by SQLAlchemy by name) and imports nothing above it.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from timebank.extensions import db
from timebank.timeutil import utcnow

if TYPE_CHECKING:
    from timebank.members.models import Member


class AuditEntry(db.Model):
    """One act of a coordinator or an admin: who, when, what, on whom, and why. Append-only."""

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_member_id_id", "member_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))  # the member concerned
    target: Mapped[str] = mapped_column(sa.String(80), default="")  # e.g. "exchange 12", "listing 7"
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    actor: Mapped[Member | None] = relationship("Member", foreign_keys=[actor_id])
    member: Mapped[Member | None] = relationship("Member", foreign_keys=[member_id])


ACTIONS = ("member_approved", "member_declined", "member_verified", "verification_withdrawn", "dispute_resolved",
           "report_dismissed", "listing_hidden", "limits_changed", "member_suspended", "member_reactivated",
           "note_added", "welcome_hours", "community_grant", "transfer_corrected", "member_created",
           "password_reset", "brokering_enabled", "brokering_disabled", "exchange_brokered", "orientation_recorded",
           "verification_lapsed", "member_warned", "message_hidden", "helper_named", "helper_removed",
           "acted_for_member", "settings_changed", "role_changed", "category_created", "category_changed",
            "category_archived", "invitation_created", "invitation_revoked", "members_imported", "export_downloaded",
            "backup_downloaded", "sessions_ended", "community_cover", "partner_created", "partner_changed",
            "partner_suspended", "partner_reactivated", "representative_named", "representative_removed")


def audit(*, actor: Member | None, action: str, member: Member | None = None, target: str = "", reason: str = "",
          **detail) -> AuditEntry:
    """Record an act (no commit: it belongs to the caller's transaction)."""
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action, member_id=member.id if member else None,
                       target=target, reason=(reason or "").strip()[:2000], detail=detail, created_at=utcnow())
    db.session.add(entry)
    return entry


def approval_of(*, member: Member) -> AuditEntry | None:
    """The approval of a member's application, with the coordinator's words to her (the e-mail's message)."""
    return db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.member_id == member.id, AuditEntry.action == "member_approved")
        .order_by(AuditEntry.id.desc()).limit(1).options(joinedload(AuditEntry.actor))).first()


def audit_entries(*, action: str | None = None, member: Member | None = None, actor: Member | None = None,
                  limit: int = 200) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if member is not None:
        query = query.where(AuditEntry.member_id == member.id)
    if actor is not None:
        query = query.where(AuditEntry.actor_id == actor.id)
    return list(db.session.scalars(query.options(joinedload(AuditEntry.actor), joinedload(AuditEntry.member))))
