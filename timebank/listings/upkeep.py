"""Keeping the listings right: what residents report and what coordinators decide, and the reminder an author
gets before her listing ends."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from timebank.audit import audit
from timebank.database import atomic, begin_write
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.listings.models import Listing, ListingStatus, Report
from timebank.members.models import Member, Status
from timebank.messages.models import DirectMessage
from timebank.notifications.services import mail_queue, notify
from timebank.listings.services import today
from timebank.timeutil import utcnow


# Reports -------------------------------------------------------------------


def report_create(*, reporter: Member, reason: str, listing: Listing | None = None,
                  member: Member | None = None, message: DirectMessage | None = None) -> Report:
    """Tell the coordinators about a listing, a profile or a message received."""
    def work():
        if not reporter.is_active_member:
            raise NotAllowed(_l("Your membership must be approved before you can report something."))
        if sum(item is not None for item in (listing, member, message)) != 1:
            raise DomainError(_l("Please say what you are reporting."))
        if (listing is not None and listing.member_id == reporter.id) or (member is not None and member.id == reporter.id):
            raise NotAllowed(_l("You cannot report your own listing or profile."))
        if message is not None and message.recipient_id != reporter.id:
            raise NotAllowed(_l("You can report only a message you received."))
        if not reason.strip():
            raise DomainError(_l("Please say what is wrong."), field="reason")
        report = Report(reporter=reporter, listing=listing, member=member, message=message, reason=reason.strip(),
                        created_at=utcnow())
        db.session.add(report)
        return report

    return atomic(work)


def report_handle(*, report: Report, actor: Member, hide: bool, reason: str = "") -> Report:
    """Dismiss a report, or hide the reported listing or message; the reporter is told it was handled, not how.

    The author of what is hidden is told, with the coordinator's reason (required to hide).
    """
    def work():
        if not (actor.is_coordinator and actor.is_active_member):
            raise NotAllowed(_l("Only coordinators can handle reports."))
        if report.handled_at is not None:
            raise InvalidTransition(_l("This report has already been handled."))
        item = report.listing or report.message
        if hide:
            if item is None:
                raise InvalidTransition(_l("Only a listing or a message can be hidden from here."))
            if not reason.strip():
                raise DomainError(_l("Please write the reason: the author reads it."), field="reason")
            item.hidden_at, item.hidden_by_id = utcnow(), actor.id
            if report.listing is not None:
                notify(member=report.listing.member, kind="listing_hidden", link=f"/listings/{report.listing_id}",
                       params={"title": report.listing.title, "reason": reason.strip()[:500]})
            else:
                notify(member=report.message.sender, kind="message_hidden", link=None,
                       params={"reason": reason.strip()[:500]})
        report.handled_at, report.handled_by_id = utcnow(), actor.id
        report.outcome = "hidden" if hide else "dismissed"
        if report.listing is not None:
            concerned, target = report.listing.member, f"listing {report.listing_id}"
        elif report.message is not None:
            concerned, target = report.message.sender, f"message {report.message_id}"
        else:
            concerned, target = report.member, f"member {report.member_id}"
        action = "report_dismissed" if not hide else "listing_hidden" if report.listing else "message_hidden"
        audit(actor=actor, action=action, member=concerned, target=target, reason=report.reason,
              **({"decision": reason.strip()[:500]} if hide else {}))
        notify(member=report.reporter, kind="report_handled", params={}, link=None)
        return report

    return atomic(work)


# Reminders -----------------------------------------------------------------


def listings_remind_due(*, days: int = 3) -> int:
    """E-mail the authors of open listings that end within ``days`` (once per end date)."""
    begin_write()
    limit = today() + timedelta(days=days)
    due = db.session.scalars(
        sa.select(Listing).where(
            Listing.status == ListingStatus.OPEN, Listing.hidden_at.is_(None), Listing.reminded_at.is_(None),
            Listing.ends_on.is_not(None), Listing.ends_on >= today(), Listing.ends_on <= limit,
            Listing.member_id.in_(sa.select(Member.id).where(Member.status == Status.ACTIVE)),
        ).options(joinedload(Listing.member))
    ).all()
    for listing in due:
        mail_queue(member=listing.member, subject=_l("Your listing ends soon"), template="listing_ends_soon",
                   topic="matches", link=f"/listings/{listing.id}", listing=listing)
        listing.reminded_at = utcnow()
    db.session.commit()
    return len(due)
