"""Leaving the timebank and being erased: the person goes, her account and every transfer stay.

A member asks to leave: her unfinished exchanges are closed at once (cancelled with the other person told, or
settled when the service was already done), reserved hours are released, and her listings are paused. During the grace period she can come back (signing in offers it). Then ``erase_due`` erases her:
"Former member no. 1234", no e-mail, phone, area, words about her, languages, password or sessions; the messages
she wrote say "message erased"; her listings and the coordinators' notes about her are blanked or deleted; her
name, e-mail and phone are taken out of every other table (``scrub``). The ledger is never edited: balances,
other people's statements and ``timebank ledger verify`` are unchanged. Her remaining balance stays, or goes to
the community account with a correction, as the association chose.
"""
from __future__ import annotations

from timebank.members.services import member_suspending

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.database import atomic, lock_fresh
from timebank.errors import DomainError, InvalidTransition
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.privacy.models import ErasureRequest
from timebank.timeutil import utcnow

WORDS = ("reason", "message")  # what a member wrote in a step of an exchange's timeline
ERASED_PASSWORD = "!erased"  # no password hash ever looks like this: nobody signs in to an erased account


@dataclass(frozen=True)
class Erased:
    number: int
    balance_moved: int  # minutes moved to the community account (negative: the community covered her debt)
    rows_scrubbed: int


def erasure_open(member: Member) -> ErasureRequest | None:
    return db.session.scalar(sa.select(ErasureRequest).where(
        ErasureRequest.member_id == member.id, ErasureRequest.cancelled_at.is_(None),
        ErasureRequest.done_at.is_(None)).order_by(ErasureRequest.id.desc()).limit(1))


def former_member_name(number: int | None) -> str:
    """The name an erased member keeps, in the instance's language (everyone reads the same row)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(_l("Former member no. %(number)s", number=number))


def _in_default_language(text) -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(text)


def _close_everything(member: Member) -> dict:
    """Close her unfinished exchanges and sessions (the other people are told) and pause her listings."""
    from timebank.coordination.services import group_leave_in_transaction
    from timebank.exchanges.closing import CLOSING_STATES, exchanges_close_in_transaction
    from timebank.exchanges.groups import groups_cancel_of_suspended_in_transaction
    from timebank.exchanges.models import Exchange, GroupParticipant, GroupState, taking_part
    from timebank.listings.models import Listing, ListingStatus

    # Her own exchanges (those she took part in for a partner go on with its other representatives): cancelled, or
    # settled when the service took place (the other person is paid, or pays, what both agreed).
    open_exchanges = db.session.scalars(sa.select(Exchange).where(
        taking_part(member.id, for_partners=False), Exchange.state.in_(CLOSING_STATES)).order_by(Exchange.id)).all()
    cancelled, settled = exchanges_close_in_transaction(
        open_exchanges, actor=member, reason=_in_default_language(_l("This member is leaving the timebank.")))
    for participant in db.session.scalars(sa.select(GroupParticipant).where(
            GroupParticipant.member_id == member.id, GroupParticipant.left_at.is_(None))).all():
        if participant.session.state is GroupState.OPEN:
            group_leave_in_transaction(participant=participant, actor=member)
    groups = groups_cancel_of_suspended_in_transaction(organiser=member, actor=member)
    # Whatever else holds hours for her (a partner's reward she booked…) lets them go, as when she is suspended.
    member_suspending.send(member, actor=member)
    for listing in db.session.scalars(sa.select(Listing).where(  # a partner's listings stay the partner's
            Listing.member_id == member.id, Listing.partner_id.is_(None), Listing.status == ListingStatus.OPEN)):
        listing.status = ListingStatus.PAUSED
    return {"cancelled_exchanges": cancelled, "settled_exchanges": settled, "cancelled_groups": groups}


def erasure_request(*, member: Member) -> ErasureRequest:
    """The member asks to leave and be erased after the grace period."""
    from timebank.notifications.services import mail_queue

    def work():
        current = lock_fresh(member)
        if current.status is Status.ERASED:
            raise InvalidTransition(_l("This account is already erased."))
        if erasure_open(current) is not None:
            raise InvalidTransition(_l("You have already asked to leave."))
        closed = _close_everything(current)
        now = utcnow()
        request = ErasureRequest(member_id=current.id, reason="member", created_at=now,
                                 due_at=now + timedelta(days=int(current_app.config["TIMEBANK_ERASURE_GRACE_DAYS"])))
        db.session.add(request)
        mail_queue(member=current, subject=_l("You asked to leave the timebank"), template="privacy_leaving",
                   due=request.due_at.date(), closed=closed)
        return request

    return atomic(work)


def erasure_cancel(*, member: Member) -> bool:
    """She comes back during the grace period: nothing will be erased. Returns whether there was a request."""
    def work():
        request = erasure_open(lock_fresh(member))
        if request is None:
            return False
        request.cancelled_at = utcnow()
        return True

    return atomic(work)


def _move_balance(member: Member) -> int:
    """Send what is left on her account to the community account (or cover a debt from it), as a correction."""
    from timebank.ledger import services as ledger
    from timebank.ledger.models import TransferKind

    account = ledger.account_of(member)
    if (current_app.config["TIMEBANK_ERASURE_BALANCE"] != "community" or account is None or account.posted == 0
            or account.pending_debits or account.pending_credits or member.status is not Status.ACTIVE):
        return 0
    community = ledger.community_account()
    memo = _in_default_language(_l("Erasure of a former member: the hours left on the account go to the community "
                                   "account"))
    debit, credit = (account, community) if account.posted > 0 else (community, account)
    moved = account.posted  # read before the posting brings it to zero
    try:
        ledger.transfer_post_in_transaction(debit=debit, credit=credit, minutes=abs(account.posted),
                                            kind=TransferKind.ADJUSTMENT, key=f"erasure:{member.id}", actor=None,
                                            memo=memo)
    except DomainError:  # the community account's own limits: the balance stays where it is
        return 0
    return moved


def _erase_rows(member: Member) -> None:
    """Rewrite or delete what belongs to her alone (the name, e-mail and phone elsewhere go through ``scrub``)."""
    from timebank.coordination.models import MemberNote, MemberWarning, Verification
    from timebank.exchanges.models import Dispute, ExchangeEvent, ExchangeMessage, GroupSession
    from timebank.idempotency import FormUse
    from timebank.listings.models import Listing, ListingLanguage, ListingStatus, Report
    from timebank.members.models import MemberLanguage
    from timebank.messages.models import Block, DirectMessage
    from timebank.members.texts import SignInCode
    from timebank.partners.models import Representative
    from timebank.notifications.models import EmailPreference, Notification, OutboxMessage, OutboxSkip, PushSubscription
    from timebank.privacy.models import SignIn

    me = member.id
    erased_message = _in_default_language(_l("message erased"))
    erased_listing = _in_default_language(_l("listing erased"))
    run = db.session.execute
    run(sa.update(DirectMessage).where(DirectMessage.sender_id == me).values(body=erased_message))
    run(sa.update(ExchangeMessage).where(ExchangeMessage.author_id == me).values(body=erased_message))
    run(sa.update(Dispute).where(Dispute.opened_by_id == me).values(reason=erased_message))
    for event in db.session.scalars(sa.select(ExchangeEvent).where(ExchangeEvent.actor_id == me)):
        if any(key in (event.detail or {}) for key in WORDS):  # the reason she gave when she cancelled…
            event.detail = {key: erased_message if key in WORDS else value for key, value in event.detail.items()}
    listings = sa.select(Listing.id).where(Listing.member_id == me)
    run(sa.delete(ListingLanguage).where(ListingLanguage.listing_id.in_(listings)))
    run(sa.update(Listing).where(Listing.member_id == me).values(
        title=erased_listing, description="", tags="", availability="", area=None, status=ListingStatus.CLOSED))
    run(sa.update(GroupSession).where(GroupSession.provider_id == me).values(description=""))
    run(sa.update(Report).where(sa.or_(Report.reporter_id == me, Report.member_id == me)).values(reason=""))
    run(sa.delete(MemberNote).where(MemberNote.member_id == me))
    run(sa.delete(MemberWarning).where(MemberWarning.member_id == me))
    run(sa.update(Verification).where(Verification.member_id == me).values(checked="", end_reason=None))
    run(sa.delete(Notification).where(Notification.member_id == me))
    run(sa.delete(OutboxMessage).where(OutboxMessage.member_id == me, OutboxMessage.sent_at.is_(None)))
    run(sa.update(OutboxMessage).where(OutboxMessage.member_id == me).values(to_address="", subject="", body=""))
    run(sa.delete(EmailPreference).where(EmailPreference.member_id == me))
    run(sa.delete(Block).where(sa.or_(Block.blocker_id == me, Block.blocked_id == me)))
    run(sa.delete(SignIn).where(SignIn.member_id == me))
    run(sa.delete(SignInCode).where(SignInCode.member_id == me))
    run(sa.delete(PushSubscription).where(PushSubscription.member_id == me))
    run(sa.delete(Representative).where(Representative.member_id == me))
    from timebank.projects.models import Participation, ProjectHours

    # Her hours for a project stay counted (they were paid by the ledger), but her name is no longer shown.
    run(sa.update(Participation).where(Participation.member_id == me).values(shown=False))
    run(sa.update(ProjectHours).where(ProjectHours.participation_id.in_(
        sa.select(Participation.id).where(Participation.member_id == me))).values(note=""))
    run(sa.delete(OutboxSkip).where(OutboxSkip.member_id == me))
    run(sa.delete(FormUse).where(FormUse.member_id == me))
    run(sa.delete(MemberLanguage).where(MemberLanguage.member_id == me))
    run(sa.update(Member).where(Member.helper_id == me).values(helper_id=None))


def _her_words(member: Member) -> list[str]:
    """The longer messages she wrote, which notices and e-mails to others may quote."""
    from timebank.exchanges.models import ExchangeMessage
    from timebank.messages.models import DirectMessage
    from timebank.privacy.scrub import MIN_QUOTED

    bodies = list(db.session.scalars(sa.select(DirectMessage.body).where(DirectMessage.sender_id == member.id)))
    bodies += db.session.scalars(sa.select(ExchangeMessage.body).where(ExchangeMessage.author_id == member.id))
    return sorted({body for body in bodies if len(body) >= MIN_QUOTED}, key=len, reverse=True)


def _erase(member: Member, *, actor: Member | None, reason: str, why: str) -> Erased:
    """Erase one member now (inside the caller's transaction)."""
    from timebank.privacy.scrub import scrub_everywhere

    current = lock_fresh(member)
    if current.status is Status.ERASED:
        raise InvalidTransition(_l("This account is already erased."))
    _close_everything(current)
    moved = _move_balance(current)
    name = former_member_name(current.number)
    needles = [(current.display_name, name), (current.email or "", ""), (current.phone or "", "")]
    needles += [(quoted, _in_default_language(_l("message erased"))) for quoted in _her_words(current)]
    _erase_rows(current)
    db.session.expire(current, ["languages"])
    current.display_name, current.email, current.phone, current.area, current.bio = name, None, None, None, ""
    current.password_hash, current.helper_id = ERASED_PASSWORD, None
    current.notify_matches = current.brokered = False
    current.status = Status.ERASED
    current.sessions_end()
    now = utcnow()
    for request in db.session.scalars(sa.select(ErasureRequest).where(ErasureRequest.member_id == current.id,
                                                                      ErasureRequest.done_at.is_(None))):
        request.done_at = now if request.cancelled_at is None else request.done_at
    if erasure_open(current) is None and why != "member":
        db.session.add(ErasureRequest(member_id=current.id, reason=why, requested_by_id=actor.id if actor else None,
                                      created_at=now, due_at=now, done_at=now))
    audit(actor=actor, action="member_erased", member=current, target=f"member {current.number}", reason=reason,
          balance_moved=moved)
    db.session.flush()
    scrubbed = scrub_everywhere(needles)
    return Erased(current.number, moved, sum(scrubbed.values()))


def _after(erased: list[Erased]) -> None:
    from timebank.privacy.journal import journal_append
    from timebank.privacy.scrub import compact_database

    if erased:
        journal_append([item.number for item in erased])
        compact_database()


def member_erase_now(*, member: Member, actor: Member, reason: str) -> Erased:
    """A coordinator erases a member at once, on her request; the reason goes to the audit log, her data does not."""
    from timebank.coordination.permissions import check_may_manage

    def work():
        check_may_manage(actor=actor, member=member)
        if not reason.strip():
            raise DomainError(_l("Please write the reason."), field="reason")
        return _erase(member, actor=actor, reason=reason, why="coordinator")

    erased = atomic(work)
    _after([erased])
    return erased


def erase_due(*, now=None) -> list[Erased]:
    """Erase every member whose grace period is over (the daily job; safe twice: an erased member is skipped)."""
    now = now or utcnow()
    due = db.session.scalars(sa.select(ErasureRequest.member_id).where(
        ErasureRequest.due_at <= now, ErasureRequest.cancelled_at.is_(None), ErasureRequest.done_at.is_(None))
        .order_by(ErasureRequest.id)).all()
    db.session.rollback()
    erased = []
    for member_id in dict.fromkeys(due):
        member = db.session.get(Member, member_id)
        if member is None or member.status is Status.ERASED:
            continue
        erased.append(atomic(lambda m=member: _erase(m, actor=None, reason="", why="member")))
    _after(erased)
    return erased


def erase_again(*, number: int) -> Erased | None:
    """Erase a member again after an older backup was restored (the journal's numbers); None if nothing to do."""
    member = db.session.scalar(sa.select(Member).where(Member.number == number))
    if member is None or member.status is Status.ERASED:
        return None
    return atomic(lambda: _erase(member, actor=None, reason="", why="restored"))


def erasures_reapply(*, since) -> list[int]:
    """Erase again every member of the journal erased since ``since`` (a restored backup's time); return the
    numbers erased now."""
    from timebank.privacy.journal import journal_since
    from timebank.privacy.scrub import compact_database

    done = [erased for number in journal_since(since) if (erased := erase_again(number=number)) is not None]
    if done:
        compact_database()
    return [erased.number for erased in done]
