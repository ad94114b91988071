"""The audit log read by people: each act as a sentence in the reader's language, with links to what it concerns.

The audit layer writes the sentences (``timebank.audit.audit_sentence``); this module, which knows listings,
exchanges and categories, finds the title and the page of what each act was done to, a few queries for a page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from timebank.audit import AuditEntry, audit_sentence, audit_target
from timebank.extensions import db


@dataclass(frozen=True)
class AuditLine:
    """One act as the log page and the member file show it."""

    entry: AuditEntry
    sentence: Markup
    created_at: datetime
    reason: str
    action: str


def _listings(ids):
    from timebank.listings.models import Listing

    rows = db.session.execute(sa.select(Listing.id, Listing.title).where(Listing.id.in_(ids))).all()
    return {id_: (_("“%(title)s”", title=title), url_for("listings.show", listing_id=id_)) for id_, title in rows}


def _exchanges(ids):
    return {id_: (_("Exchange #%(num)s", num=id_), url_for("exchanges.show", exchange_id=id_)) for id_ in ids}


def _categories(ids, *, admin: bool):
    from timebank.listings.models import Category

    locale = str(get_locale())
    return {category.id: (_("“%(title)s”", title=category.name(locale)),
                          url_for("admin.category", category_id=category.id) if admin else None)
            for category in db.session.scalars(sa.select(Category).where(Category.id.in_(ids)))}


def _members(ids):
    from timebank.members.models import Member

    rows = db.session.execute(sa.select(Member.id, Member.display_name).where(Member.id.in_(ids))).all()
    return {id_: (name, url_for("coordination.member", member_id=id_)) for id_, name in rows}


def _partners(ids):
    from timebank.partners.models import Partner

    rows = db.session.execute(sa.select(Partner.id, Partner.name).where(Partner.id.in_(ids))).all()
    return {id_: (name, url_for("partners.show", partner_id=id_)) for id_, name in rows}


def _rewards(ids):
    from timebank.partners.models import Reward

    rows = db.session.execute(sa.select(Reward.id, Reward.title).where(Reward.id.in_(ids))).all()
    return {id_: (_("“%(title)s”", title=title), url_for("partners.reward", reward_id=id_)) for id_, title in rows}


def _projects(ids):
    from timebank.projects.models import Project

    rows = db.session.execute(sa.select(Project.id, Project.title).where(Project.id.in_(ids))).all()
    return {id_: (_("“%(title)s”", title=title), url_for("projects.show", project_id=id_)) for id_, title in rows}


def _numbered(label):
    return lambda ids: {id_: (label % {"num": id_}, None) for id_ in ids}


def audit_lines(entries: list[AuditEntry], *, admin: bool = False) -> list[AuditLine]:
    """The entries as sentences, what each one concerns resolved in one query per kind."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        target = audit_target(entry)
        if target:
            wanted.setdefault(target[0], set()).add(target[1])
        if isinstance((entry.detail or {}).get("partner_id"), int):  # a representative acted for it
            wanted.setdefault("partner", set()).add(entry.detail["partner_id"])
    resolvers = {
        "listing": _listings, "exchange": _exchanges, "member": _members, "partner": _partners, "project": _projects,
        "reward": _rewards,
        "category": lambda ids: _categories(ids, admin=admin),
        "transfer": _numbered(_("Transfer #%(num)s")), "warning": _numbered(_("Warning #%(num)s")),
        "invitation": _numbered(_("Invitation #%(num)s")),
    }
    found = {kind: resolvers[kind](sorted(ids)) for kind, ids in wanted.items() if kind in resolvers}

    def member_link(member):
        return url_for("coordination.member", member_id=member.id)

    lines = []
    for entry in entries:
        target = audit_target(entry)
        resolved = found.get(target[0], {}).get(target[1]) if target else None
        if target and resolved is None:
            resolved = (f"#{target[1]}", None)
        partner_id = (entry.detail or {}).get("partner_id")
        partner = found.get("partner", {}).get(partner_id) if isinstance(partner_id, int) else None
        lines.append(AuditLine(entry=entry, sentence=audit_sentence(entry, target=resolved, member_link=member_link,
                                                                    partner=partner),
                               created_at=entry.created_at, reason=entry.reason, action=entry.action))
    return lines
