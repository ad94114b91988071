"""The audit log: every coordinator and admin act, written in the same transaction as the act.

Every layer may write it, so it sits with the plumbing: it names members by their id (the table is
"member", resolved by SQLAlchemy by name) and imports nothing above it.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
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
    # When an erased member's name, e-mail or phone was taken out of ``reason`` and ``detail``: the only change
    # the database lets through (who acted, what, on whom and when never change).
    redacted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    actor: Mapped[Member | None] = relationship("Member", foreign_keys=[actor_id])
    member: Mapped[Member | None] = relationship("Member", foreign_keys=[member_id])


ACTIONS = ("member_approved", "member_declined", "member_verified", "verification_withdrawn", "dispute_resolved",
           "report_dismissed", "listing_hidden", "limits_changed", "member_suspended", "member_reactivated",
           "note_added", "welcome_hours", "community_grant", "transfer_corrected", "member_created",
           "password_reset", "brokering_enabled", "brokering_disabled", "exchange_brokered", "orientation_recorded",
           "verification_lapsed", "member_warned", "message_hidden", "helper_named", "helper_removed",
           "acted_for_member", "settings_changed", "role_changed", "category_created", "category_changed",
            "category_archived", "invitation_created", "invitation_revoked", "members_imported", "export_downloaded",
            "backup_downloaded", "sessions_ended", "community_cover",
            "member_data_exported", "member_erased", "erasure_requested", "erasure_cancelled",
            "partner_created", "partner_changed", "partner_suspended", "partner_reactivated", "representative_named",
            "representative_removed", "project_opened", "project_changed", "project_closed",
            "partner_listing_changed", "reward_changed", "reward_withdrawn")


def audit(*, actor: Member | None, action: str, member: Member | None = None, target: str = "", reason: str = "",
          **detail) -> AuditEntry:
    """Record an act (no commit: it belongs to the caller's transaction)."""
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action, member_id=member.id if member else None,
                       target=target, reason=(reason or "").strip()[:2000], detail=detail, created_at=utcnow())
    db.session.add(entry)
    return entry


def audit_changes(old: dict, new: dict) -> dict:
    """What an edit changed, for an entry's detail: the names changed, with their values before and after (dates as
    text); empty when nothing changed."""
    def plain(value):
        return value.isoformat() if hasattr(value, "isoformat") else value

    changed = sorted(name for name in old if old[name] != new.get(name))
    if not changed:
        return {}
    return {"changed": changed, "old": {n: plain(old[n]) for n in changed}, "new": {n: plain(new[n]) for n in changed}}


def approval_of(*, member: Member) -> AuditEntry | None:
    """The approval of a member's application, with the coordinator's words to her (the e-mail's message)."""
    return db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.member_id == member.id, AuditEntry.action == "member_approved")
        .order_by(AuditEntry.id.desc()).limit(1).options(joinedload(AuditEntry.actor))).first()


def audit_entries(*, action: str | None = None, member: Member | None = None, actor: Member | None = None,
                  people: list[int] | None = None, limit: int = 200) -> list[AuditEntry]:
    """The newest entries; ``people``: only acts done by or concerning one of these members (ids)."""
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if people is not None:
        query = query.where(sa.or_(AuditEntry.actor_id.in_(people), AuditEntry.member_id.in_(people)))
    if member is not None:
        query = query.where(AuditEntry.member_id == member.id)
    if actor is not None:
        query = query.where(AuditEntry.actor_id == actor.id)
    return list(db.session.scalars(query.options(joinedload(AuditEntry.actor), joinedload(AuditEntry.member))))


# Each act as a sentence: %(actor)s did it, %(member)s is the member concerned, %(target)s what it was done to
# (a listing's title, "Exchange #22", a category's name), each isolated and linked where it has a page.
SENTENCES = {
    "member_approved": _l("%(actor)s approved the application of %(member)s"),
    "member_declined": _l("%(actor)s declined the application of %(member)s"),
    "member_verified": _l("%(actor)s verified %(member)s"),
    "verification_withdrawn": _l("%(actor)s withdrew the verification of %(member)s"),
    "verification_lapsed": _l("%(actor)s: the verification of %(member)s ended"),
    "dispute_resolved": _l("%(actor)s resolved the disagreement about %(target)s"),
    "community_cover": _l("%(actor)s covered hours from the community account for %(member)s (%(target)s)"),
    "report_dismissed": _l("%(actor)s dismissed a report about %(target)s"),
    "listing_hidden": _l("%(actor)s hid the listing %(target)s"),
    "message_hidden": _l("%(actor)s hid a message from %(member)s"),
    "limits_changed": _l("%(actor)s changed the limits of %(member)s"),
    "member_suspended": _l("%(actor)s suspended %(member)s"),
    "member_reactivated": _l("%(actor)s reactivated %(member)s"),
    "note_added": _l("%(actor)s wrote a private note about %(member)s"),
    "welcome_hours": _l("%(actor)s gave welcome hours to %(member)s"),
    "community_grant": _l("%(actor)s gave %(member)s hours from the community account"),
    "transfer_corrected": _l("%(actor)s corrected %(target)s"),
    "member_created": _l("%(actor)s opened an account for %(member)s"),
    "password_reset": _l("%(actor)s gave %(member)s a new password"),
    "brokering_enabled": _l("%(actor)s now records the exchanges of %(member)s"),
    "brokering_disabled": _l("%(actor)s no longer records the exchanges of %(member)s"),
    "exchange_brokered": _l("%(actor)s recorded %(target)s for %(member)s"),
    "orientation_recorded": _l("%(actor)s recorded the welcome meeting of %(member)s"),
    "member_warned": _l("%(actor)s sent a warning to %(member)s"),
    "helper_named": _l("%(actor)s named a trusted helper for %(member)s"),
    "helper_removed": _l("%(actor)s removed the trusted helper of %(member)s"),
    "acted_for_member": _l("%(actor)s acted for %(member)s"),
    "settings_changed": _l("%(actor)s changed the settings"),
    "role_changed": _l("%(actor)s changed the role of %(member)s"),
    "category_created": _l("%(actor)s created the category %(target)s"),
    "category_changed": _l("%(actor)s changed the category %(target)s"),
    "category_archived": _l("%(actor)s archived the category %(target)s"),
    "invitation_created": _l("%(actor)s created an invitation link"),
    "invitation_revoked": _l("%(actor)s revoked an invitation link"),
    "members_imported": _l("%(actor)s imported members from a spreadsheet"),
    "export_downloaded": _l("%(actor)s downloaded an export"),
    "backup_downloaded": _l("%(actor)s downloaded a backup"),
    "sessions_ended": _l("%(actor)s signed %(member)s out on every device"),
    "member_data_exported": _l("%(actor)s downloaded the data of %(member)s"),
    "member_erased": _l("%(actor)s erased the personal data of %(member)s"),
    "erasure_requested": _l("%(member)s asked to leave and be erased"),
    "erasure_cancelled": _l("%(member)s cancelled the request to be erased"),
    "partner_created": _l("%(actor)s added the partner %(target)s"),
    "partner_changed": _l("%(actor)s changed the partner %(target)s"),
    "partner_suspended": _l("%(actor)s suspended the partner %(target)s"),
    "partner_reactivated": _l("%(actor)s reactivated the partner %(target)s"),
    "representative_named": _l("%(actor)s named %(member)s to act for %(target)s"),
    "representative_removed": _l("%(actor)s removed %(member)s from acting for %(target)s"),
    "project_opened": _l("%(actor)s opened the project %(target)s"),
    "project_changed": _l("%(actor)s changed the project %(target)s"),
    "project_closed": _l("%(actor)s closed the project %(target)s"),
    "dispute_version_asked": _l("%(actor)s asked for the other side's version about %(target)s"),
    # A representative's acts for her partner (``partner_id`` in the detail, %(partner)s in the sentence).
    "partner_listing_changed": _l("%(actor)s changed the listing %(target)s for %(partner)s"),
    "reward_changed": _l("%(actor)s changed the reward %(target)s for %(partner)s"),
    "reward_withdrawn": _l("%(actor)s withdrew the reward %(target)s for %(partner)s"),
}
ELLIPSIS = "…"


def audit_target(entry: AuditEntry) -> tuple[str, int] | None:
    """What the act was done to, as a kind and an id: ("exchange", 22) from "exchange 22"; None for anything else."""
    kind, _, number = (entry.target or "").partition(" ")
    return (kind, int(number)) if number.isascii() and number.isdigit() and kind.isalpha() else None


def _isolated(text: str, link: str | None) -> Markup:
    if link:
        return Markup('<a href="{}"><bdi>{}</bdi></a>').format(link, text)
    return Markup("<bdi>{}</bdi>").format(text)


def audit_sentence(entry: AuditEntry, *, target: tuple[str, str | None] | None = None,
                   member_link=lambda member: None, partner: tuple[str, str | None] | None = None) -> Markup:
    """The act as a sentence in the reader's language, names and titles isolated and linked.

    ``target`` is the label and address of what the act was done to (resolved by the caller, who knows listings
    and exchanges); ``member_link`` gives the address of a member's page, or None; ``partner`` the name and address
    of the partner a representative acted for (its ``partner_id`` in the entry's detail)."""
    from flask_babel import gettext

    def person(member):
        if member is None:
            return Markup("<bdi>{}</bdi>").format(gettext("The timebank"))
        return _isolated(member.display_name, member_link(member))

    if target is None and entry.target:
        target = (entry.target, None)
    label, link = target or (gettext("something"), None)
    params = {"actor": person(entry.actor), "member": person(entry.member), "target": _isolated(label, link),
              "partner": _isolated(*(partner or (gettext("a partner"), None)))}
    sentence = SENTENCES.get(entry.action)
    if sentence is None:  # an act written by newer code: its code name rather than nothing
        return Markup("{} · {}").format(params["actor"], entry.action)
    return escape(str(sentence)) % params  # the sentence escaped, then the names (already isolated) put in


def audit_kind_label(action: str) -> str:
    """The kind of act, for a filter: its sentence without the people ("hid the listing …")."""
    sentence = SENTENCES.get(action)
    if sentence is None:
        return action
    text = str(sentence) % {"actor": ELLIPSIS, "member": ELLIPSIS, "target": ELLIPSIS, "partner": ELLIPSIS}
    return text.removeprefix(ELLIPSIS).strip(" :,\u060c")
