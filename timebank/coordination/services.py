"""Coordinator operations on members: private notes, suspension and reactivation, the dashboard's queues."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from timebank.audit import audit
from timebank.coordination.models import MemberNote, MemberWarning
from timebank.coordination.permissions import check_coordinator, check_may_manage
from timebank.database import atomic, lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.members.services import member_suspending
from timebank.notifications.services import mail_queue, notify
from timebank.timeutil import utcnow

NOTE_MAX = 4000


def note_add(*, member: Member, author: Member, body: str) -> MemberNote:
    """A dated private note about a member, for coordinators and admins only."""
    def work():
        check_coordinator(author)
        if not body.strip():
            raise DomainError(_l("Please write the note."), field="body")
        note = MemberNote(member_id=member.id, author_id=author.id, body=body.strip()[:NOTE_MAX], created_at=utcnow())
        db.session.add(note)
        audit(actor=author, action="note_added", member=member)
        return note

    return atomic(work)


def notes_of(*, member: Member) -> list[MemberNote]:
    return list(db.session.scalars(sa.select(MemberNote).where(MemberNote.member_id == member.id)
                                   .order_by(MemberNote.id.desc()).options(joinedload(MemberNote.author))))


def member_suspend(*, member: Member, actor: Member, reason: str) -> Member:
    """Suspend a member: their listings disappear, their open exchanges are cancelled and reserved hours released.

    They can still sign in to read their statement and their messages.
    """
    from timebank.exchanges.closing import CLOSING_STATES, exchanges_close_in_transaction
    from timebank.exchanges.groups import groups_cancel_of_suspended_in_transaction
    from timebank.exchanges.models import Exchange, GroupParticipant, taking_part

    def work():
        check_coordinator(actor)
        if member.id == actor.id:
            raise NotAllowed(_l("You cannot suspend yourself."))
        check_may_manage(actor=actor, member=member)
        lock_fresh(member)  # two clicks at once: the second sees the member already suspended
        if member.status is not Status.ACTIVE:
            raise InvalidTransition(_l("Only an active member can be suspended."))
        if not reason.strip():
            raise DomainError(_l("Please write the reason."), field="reason")
        # Her own exchanges; those she took part in for a partner go on with its other representatives.
        open_exchanges = db.session.scalars(sa.select(Exchange).where(
            taking_part(member.id, for_partners=False), Exchange.state.in_(CLOSING_STATES))).all()
        cancelled, settled = exchanges_close_in_transaction(open_exchanges, actor=actor,
                                                            reason=str(_l("The membership is suspended.")))
        for participant in db.session.scalars(sa.select(GroupParticipant).where(
                GroupParticipant.member_id == member.id, GroupParticipant.left_at.is_(None))).all():
            if participant.session.state.value == "open":
                group_leave_in_transaction(participant=participant, actor=actor)
        # Sessions she organises can no longer take place: their participants' hours must not stay locked.
        cancelled_groups = groups_cancel_of_suspended_in_transaction(organiser=member, actor=actor)
        member_suspending.send(member, actor=actor)  # e.g. her reward bookings are released
        member.status = Status.SUSPENDED
        audit(actor=actor, action="member_suspended", member=member, reason=reason,
              cancelled_exchanges=cancelled, settled_exchanges=settled, cancelled_groups=cancelled_groups)
        notify(member=member, kind="suspended", params={}, link="/")
        mail_queue(member=member, subject=_l("Your membership is suspended"), template="member_suspended",
                   reason=reason.strip())
        return member

    return atomic(work)


def group_leave_in_transaction(*, participant, actor: Member) -> None:
    from timebank.ledger import services as ledger
    from timebank.ledger.models import Transfer

    ledger.transfer_void_in_transaction(pending=db.session.get(Transfer, participant.reservation_id), actor=actor)
    participant.left_at = utcnow()


def member_set_limits(*, member: Member, actor: Member, floor: int, ceiling: int, reason: str):
    """Give one member's account its own floor and ceiling; never one's own, nor a coordinator's unless an admin."""
    from timebank.errors import NotFound
    from timebank.ledger import services as ledger

    check_may_manage(actor=actor, member=member)
    account = ledger.account_of(member)
    if account is None:
        raise NotFound(_l("This member has no account yet."))
    return ledger.account_set_limits(account=account, floor=floor, ceiling=ceiling, actor=actor, reason=reason)


def member_reactivate(*, member: Member, actor: Member, reason: str) -> Member:
    def work():
        check_may_manage(actor=actor, member=member)
        if member.status is not Status.SUSPENDED:
            raise InvalidTransition(_l("Only a suspended member can be reactivated."))
        from timebank.ledger.services import account_open

        member.status = Status.ACTIVE
        account_open(member=member)  # a member suspended before the ledger existed has none yet
        audit(actor=actor, action="member_reactivated", member=member, reason=reason)
        notify(member=member, kind="reactivated", params={}, link="/")
        return member

    return atomic(work)


@dataclass(frozen=True)
class Queues:
    pending: int
    disputes: int
    reports: int
    slow_confirmations: int
    near_limits: int
    ending_listings: int


def dashboard_queues() -> Queues:
    """How many items wait in each coordinator queue: one statement of six counts, whatever the size."""
    from timebank.exchanges.models import Dispute, Exchange, ExchangeState
    from timebank.ledger.models import Account
    from timebank.listings.models import Listing, ListingStatus, Report

    def count(*conditions):
        return sa.select(sa.func.count()).where(*conditions).scalar_subquery()

    now = utcnow()
    days = current_app.config["TIMEBANK_AUTO_CONFIRM_DAYS"]
    counts = db.session.execute(sa.select(
        count(Member.status == Status.PENDING),
        count(Dispute.resolved_at.is_(None)),
        count(Report.handled_at.is_(None)),
        count(Exchange.state == ExchangeState.DONE, Exchange.done_at <= now - timedelta(days=days // 2)),
        count(Account.member_id.is_not(None), sa.or_(Account.posted - Account.pending_debits <= Account.floor + 60,
                                                     Account.posted + Account.pending_credits >= Account.ceiling - 60)),
        count(Listing.status == ListingStatus.OPEN, Listing.ends_on.is_not(None), Listing.ends_on >= now.date(),
              Listing.ends_on <= (now + timedelta(days=7)).date()),
    )).one()
    return Queues(*counts)


_SYLLABLES = ("ba", "be", "bi", "bo", "da", "de", "di", "do", "fa", "fe", "fi", "fo", "ka", "ke", "ki", "ko", "la",
              "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "pa", "pe", "pi", "po", "ra", "re",
              "ri", "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "vo")


def temporary_password() -> str:
    """Easy to read aloud and to type on an old phone: "kabo-4821-tipa" (about 37 bits)."""
    import secrets

    word = lambda: "".join(secrets.choice(_SYLLABLES) for _ in range(2))  # noqa: E731
    return f"{word()}-{secrets.randbelow(10000):04d}-{word()}"


def member_create_offline(*, actor: Member, display_name: str, phone: str | None, locale: str, area: str | None,
                          languages: list[str]) -> tuple[Member, str]:
    """Create the account of a resident met in person who has no e-mail; returns the member and a temporary password."""
    from timebank.members.services import member_create

    def work():
        check_coordinator(actor)
        if not display_name.strip():
            raise DomainError(_l("Please give the name."), field="display_name")
        password = temporary_password()
        member = member_create(display_name=display_name, email=None, password=password, status=Status.ACTIVE,
                               locale=locale, area=area, languages=languages, phone=phone, decided_by=actor)
        audit(actor=actor, action="member_created", member=member)
        return member, password

    return atomic(work)


def member_new_password(*, member: Member, actor: Member) -> str:
    """Give a member a new temporary password (for the welcome sheet); the old one stops working."""
    from timebank.members.passwords import password_hash

    def work():
        check_may_manage(actor=actor, member=member)
        if member.email:
            # She would not know: whoever holds the sheet could sign in as her. She uses the link instead.
            raise NotAllowed(_l("%(name)s has an e-mail address: she chooses a new password herself with the "
                                "link “I forgot my password” on the sign-in page.", name=member.display_name))
        password = temporary_password()
        member.password_hash = password_hash(password)
        member.sessions_end()
        audit(actor=actor, action="password_reset", member=member)
        return password

    return atomic(work)


def member_set_brokered(*, member: Member, actor: Member, brokered: bool, reason: str) -> Member:
    """Record that a member asked the coordinators to act for them (or no longer wants it)."""
    def work():
        check_may_manage(actor=actor, member=member)
        if not reason.strip():
            raise DomainError(_l("Please write the reason."), field="reason")
        member.brokered = brokered
        audit(actor=actor, action="brokering_enabled" if brokered else "brokering_disabled", member=member,
              reason=reason)
        return member

    return atomic(work)


# Warnings --------------------------------------------------------------------------------

WARNING_MAX = 2000


def member_warn(*, member: Member, actor: Member, body: str) -> MemberWarning:
    """Send a member a warning they must read before going on with the app."""
    def work():
        check_coordinator(actor)
        if member.id == actor.id:
            raise NotAllowed(_l("You cannot warn yourself."))
        check_may_manage(actor=actor, member=member)
        if not body.strip():
            raise DomainError(_l("Please write the warning."), field="body")
        warning = MemberWarning(member_id=member.id, author_id=actor.id, body=body.strip()[:WARNING_MAX],
                                created_at=utcnow())
        db.session.add(warning)
        db.session.flush()
        audit(actor=actor, action="member_warned", member=member, reason=warning.body, target=f"warning {warning.id}")
        notify(member=member, kind="warning", params={}, link=f"/me/warnings/{warning.id}")
        mail_queue(member=member, subject=_l("A message from the coordinators"), template="member_warning",
                   warning=warning)
        return warning

    return atomic(work)


def unread_warning_column():
    """SQL, beside a member's row: the id of her oldest unread warning (or NULL)."""
    return (sa.select(MemberWarning.id).where(MemberWarning.member_id == Member.id, MemberWarning.read_at.is_(None))
            .order_by(MemberWarning.id).limit(1).scalar_subquery())


def warning_unread(member: Member) -> MemberWarning | None:
    """The oldest warning the member has not read yet."""
    return db.session.scalar(sa.select(MemberWarning).where(MemberWarning.member_id == member.id,
                                                            MemberWarning.read_at.is_(None))
                             .order_by(MemberWarning.id).limit(1))


def warning_read(*, warning: MemberWarning, member: Member) -> MemberWarning:
    def work():
        if warning.member_id != member.id:
            raise NotAllowed(_l("This warning is not yours."))
        if warning.read_at is None:
            warning.read_at = utcnow()
        return warning

    return atomic(work)


def warnings_of(member: Member) -> list[MemberWarning]:
    return list(db.session.scalars(sa.select(MemberWarning).where(MemberWarning.member_id == member.id)
                                   .order_by(MemberWarning.id.desc()).options(joinedload(MemberWarning.author))))
