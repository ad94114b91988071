"""The member file's summary: what waits for the coordinators about one member, in a few queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from timebank.coordination.models import MemberWarning
from timebank.coordination.vetting import REMIND_DAYS
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.timeutil import utcnow


@dataclass(frozen=True)
class Waiting:
    """One thing waiting about her: ``kind`` says which (the page words it), ``item`` is the record, if any."""

    kind: str  # application, dispute, report, verification_ends, warning_unread
    item: object = None


def member_waiting(member: Member) -> list[Waiting]:
    from timebank.exchanges.models import Dispute, Exchange
    from timebank.listings.models import Listing, Report
    from timebank.messages.models import DirectMessage

    waiting: list[Waiting] = []
    if member.status is Status.PENDING:
        waiting.append(Waiting("application"))
    disputes = db.session.scalars(
        sa.select(Dispute).join(Exchange, Exchange.id == Dispute.exchange_id)
        .where(Dispute.resolved_at.is_(None),
               sa.or_(Exchange.provider_id == member.id, Exchange.recipient_id == member.id))
        .order_by(Dispute.opened_at).options(joinedload(Dispute.exchange), joinedload(Dispute.opened_by)))
    waiting += [Waiting("dispute", dispute) for dispute in disputes]
    about_her = sa.or_(Report.member_id == member.id,
                       Report.listing_id.in_(sa.select(Listing.id).where(Listing.member_id == member.id)),
                       Report.message_id.in_(sa.select(DirectMessage.id).where(DirectMessage.sender_id == member.id)))
    reports = db.session.scalars(sa.select(Report).where(Report.handled_at.is_(None), about_her)
                                 .order_by(Report.created_at))
    waiting += [Waiting("report", report) for report in reports]
    today = utcnow().date()
    if member.verified_until and today <= member.verified_until <= today + timedelta(days=REMIND_DAYS):
        waiting.append(Waiting("verification_ends", member.verified_until))
    unread = db.session.scalar(sa.select(sa.func.count()).where(MemberWarning.member_id == member.id,
                                                              MemberWarning.read_at.is_(None)))
    if unread:
        waiting.append(Waiting("warning_unread", unread))
    return waiting
