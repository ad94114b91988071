"""The coordinators' queues, read one page at a time: applications, reports, disagreements, hours held too long.

Each page is one COUNT and one LIMIT/OFFSET query (and the eager loads of what its rows show), so a busy week costs
the same page as a quiet one. The order of each queue is the order the coordinators always had.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from timebank.database import Page, page_of
from timebank.extensions import db
from timebank.ledger.models import Transfer
from timebank.members.approval import member_pending_page
from timebank.timeutil import months_after, utcnow

PER_PAGE = 50


def applications_page(*, page: int) -> Page:
    return member_pending_page(page=page, per_page=PER_PAGE)


def reports_page(*, page: int) -> Page:
    """Reports not handled yet, the first made first."""
    from timebank.listings.models import Listing, Report
    from timebank.messages.models import DirectMessage

    statement = (sa.select(Report).where(Report.handled_at.is_(None)).order_by(Report.id)
                 .options(joinedload(Report.reporter), joinedload(Report.listing).joinedload(Listing.member),
                          joinedload(Report.member), joinedload(Report.message).joinedload(DirectMessage.sender)))
    return page_of(statement, page=page, per_page=PER_PAGE, rows=lambda chosen: db.session.scalars(chosen).unique())


def disputes_page(*, page: int) -> Page:
    """Disagreements not settled yet, the oldest first."""
    from timebank.exchanges.models import Dispute

    statement = (sa.select(Dispute).where(Dispute.resolved_at.is_(None)).order_by(Dispute.opened_at, Dispute.id)
                 .options(joinedload(Dispute.exchange), joinedload(Dispute.opened_by)))
    return page_of(statement, page=page, per_page=PER_PAGE, rows=lambda chosen: db.session.scalars(chosen).unique())


def held_page(*, page: int) -> Page:
    """Reserved hours held too long (``exchanges.reading.HeldReservation``), the oldest reservation first.

    "Too long" uses the setting of how far ahead an exchange may be planned (N months): hours reserved N months ago
    or more and still neither paid nor released, or reserved for an exchange dated more than N months from today.
    Exchanges and group sessions are one list: a UNION of both, paged in the database.
    """
    from timebank.exchanges.models import OPEN_STATES, Exchange, GroupParticipant, GroupSession, GroupState
    from timebank.exchanges.steps import plan_horizon

    months = current_app.config["TIMEBANK_PLAN_AHEAD_MONTHS"]
    now = utcnow()
    reserved_before = datetime.combine(months_after(now.date(), -months), now.time())
    horizon = plan_horizon()
    pending = sa.and_(Transfer.reservation.is_(True), Transfer.state == "pending")
    exchanges = (sa.select(Transfer.id.label("transfer_id"), Transfer.created_at.label("reserved_at"),
                           Exchange.id.label("exchange_id"), sa.cast(sa.null(), sa.Integer).label("participant_id"))
                 .join(Exchange, Transfer.id == Exchange.reservation_id)
                 .where(pending, Exchange.state.in_(OPEN_STATES),
                        sa.or_(Transfer.created_at <= reserved_before, Exchange.on_date > horizon)))
    sessions = (sa.select(Transfer.id, Transfer.created_at, sa.cast(sa.null(), sa.Integer), GroupParticipant.id)
                .join(GroupParticipant, Transfer.id == GroupParticipant.reservation_id)
                .join(GroupSession, GroupSession.id == GroupParticipant.session_id)
                .where(pending, GroupSession.state == GroupState.OPEN, GroupParticipant.left_at.is_(None),
                       sa.or_(Transfer.created_at <= reserved_before, GroupSession.on_date > horizon)))
    held = sa.union_all(exchanges, sessions).subquery()
    statement = sa.select(held).order_by(held.c.reserved_at, held.c.transfer_id)
    return page_of(statement, page=page, per_page=PER_PAGE, rows=_held_rows)


def _held_rows(chosen: sa.Select) -> list:
    """The page's reservations, each with the exchange or the session it holds hours for (two queries at most)."""
    from timebank.exchanges.models import Exchange, GroupParticipant, GroupSession
    from timebank.exchanges.reading import HeldReservation

    rows = db.session.execute(chosen).all()
    transfers = {t.id: t for t in db.session.scalars(
        sa.select(Transfer).where(Transfer.id.in_([row.transfer_id for row in rows])))}
    exchange_ids = [row.exchange_id for row in rows if row.exchange_id is not None]
    participant_ids = [row.participant_id for row in rows if row.participant_id is not None]
    exchanges = {e.id: e for e in db.session.scalars(
        sa.select(Exchange).where(Exchange.id.in_(exchange_ids))
        .options(joinedload(Exchange.provider), joinedload(Exchange.recipient)))} if exchange_ids else {}
    participants = {p.id: p for p in db.session.scalars(
        sa.select(GroupParticipant).where(GroupParticipant.id.in_(participant_ids))
        .options(joinedload(GroupParticipant.member),
                 joinedload(GroupParticipant.session).joinedload(GroupSession.provider)))} if participant_ids else {}
    held = []
    for row in rows:
        transfer = transfers[row.transfer_id]
        if row.exchange_id is not None:
            e = exchanges[row.exchange_id]
            held.append(HeldReservation(e.title, e.recipient, e.provider, transfer.minutes, e.on_date,
                                        transfer.created_at, f"/exchanges/{e.id}"))
        else:
            p = participants[row.participant_id]
            s = p.session
            held.append(HeldReservation(s.title, p.member, s.provider, transfer.minutes, s.on_date,
                                        transfer.created_at, f"/groups/{s.id}"))
    return held
