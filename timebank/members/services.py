"""Member operations: register, create, find and describe members.

Applications are decided in ``members.approval``; signing in, sessions and passwords in ``members.signin``."""
from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from blinker import Namespace

from timebank.errors import Conflict, DomainError, NotAllowed
from timebank.database import begin_write
from timebank.extensions import db
from timebank.members.models import (
    MEMBER_NUMBER_OFFSET,
    ContactVisibility,
    Member,
    MemberLanguage,
    Role,
    Status,
)
from timebank.members.invitations import (  # noqa: F401  (the register page's questions)
    INVITATION_DAYS,
    invitation_create,
    invitation_problem,
    invitation_use_in_transaction,
)
from timebank.members.passwords import password_hash
from timebank.notifications.services import mail_queue
from timebank.phones import phone_checked
from timebank.timeutil import utcnow

# A member becomes active (registered where registration is open, approved, or created active). The ledger sits
# above the members, so it is told by this signal, in the same transaction: the app factory connects
# giving.services.member_welcome, which opens her account and, with ``welcome_hours``, gives the welcome hours.
member_joined = Namespace().signal("member-joined")
# A member is being suspended (sent by the coordination, in its transaction, with ``actor``): features above that
# hold her hours (a partner's reward bookings) release them. The app factory connects the handlers.
member_suspending = Namespace().signal("member-suspending")


class EmailTaken(Conflict):
    def __init__(self):
        super().__init__(_l("An account already uses this e-mail address."), field="email")


def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip()
    return email.lower() or None


def member_by_email(email: str | None) -> Member | None:
    email = normalise_email(email)
    if email is None:
        return None
    return db.session.scalar(sa.select(Member).where(Member.email == email))


def charter_pending(member: Member) -> bool:
    """Has the charter changed since this member accepted it?"""
    changed = current_app.config["TIMEBANK_CHARTER_CHANGED_AT"]
    if not changed:
        return False
    from datetime import datetime

    return member.charter_accepted_at is None or member.charter_accepted_at < datetime.fromisoformat(changed)


def charter_accept(*, member: Member) -> None:
    begin_write()
    member.charter_accepted_at = utcnow()
    db.session.commit()


def member_by_number(number: int) -> Member | None:
    return db.session.scalar(sa.select(Member).where(Member.number == number))


def member_by_identifier(identifier: str) -> Member | None:
    """Find a member by e-mail address or member number (as printed: 1042 or M-1042)."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return member_by_email(identifier)
    number = member_number(identifier)
    if number is None:
        return None
    return db.session.scalar(sa.select(Member).where(Member.number == number))


def member_number(identifier: str) -> int | None:
    """Read a member number as people type it: 1042, M-1042, m 1042 (ASCII digits only)."""
    digits = identifier.strip().upper().removeprefix("M").lstrip("- ").strip()
    if re.fullmatch(r"[0-9]{1,9}", digits):
        return int(digits)
    return None


def _assign_number(member: Member) -> None:
    db.session.flush()
    member.number = MEMBER_NUMBER_OFFSET + member.id


def _set_languages(member: Member, codes: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(code for code in codes if code))
    member.languages = [
        next((kept for kept in member.languages if kept.code == code), None) or MemberLanguage(code=code)
        for code in wanted
    ]


def member_register(
    *,
    display_name: str,
    email: str,
    password: str,
    locale: str,
    area: str | None,
    languages: Iterable[str],
    charter_accepted: bool,
    invitation: str | None = None,
    phone: str | None = None,
    call_me: bool = False,
) -> Member | None:
    """Create an application to join; pending until a coordinator approves it.

    In the "open" mode the member is active at once; in the "invitation" mode,
    nobody joins without a link. A link's use is counted in this transaction;
    who joins by it is active at once only if the admin made it so.

    An address that already has an account creates nothing and returns None; its owner gets an e-mail
    instead. The caller answers both alike, so the form never tells who is a member (and the password is
    hashed either way, so the time taken tells nothing either).

    ``phone`` is kept in E.164; with ``call_me`` a coordinator calls the applicant there rather than writing.
    """
    if not charter_accepted:
        raise NotAllowed(_l("Please read and accept the charter to join."), field="charter")
    phone = phone_checked(phone)
    if call_me and phone is None:
        raise DomainError(_l("Please give your phone number, so that a coordinator can call you."), field="phone")
    if current_app.config["TIMEBANK_REGISTRATION_MODE"] == "invitation" and invitation is None:
        raise NotAllowed(_l("This timebank welcomes new members by invitation: ask the association for a link."))
    email = normalise_email(email)
    hashed = password_hash(password)
    begin_write()
    owner = member_by_email(email)
    if owner is not None:
        _tell_owner_someone_tried_to_join(owner)
        db.session.commit()
        return None
    try:
        used = invitation_use_in_transaction(invitation) if invitation is not None else None
    except DomainError:
        db.session.rollback()
        raise
    open_registration = current_app.config["TIMEBANK_REGISTRATION_MODE"] == "open" or (
        used is not None and used.approve_at_once)
    member = Member(
        display_name=display_name.strip(),
        email=email,
        password_hash=hashed,
        locale=locale,
        area=area or None,
        phone=phone,
        call_me=call_me,
        status=Status.ACTIVE if open_registration else Status.PENDING,
        charter_accepted_at=utcnow(),
    )
    if open_registration:
        member.decided_at = utcnow()
    _set_languages(member, languages)
    db.session.add(member)
    _assign_number(member)
    if open_registration:
        member_welcome_send(member)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # Another request registered the same address a moment ago: that one joined, this one did not.
        db.session.rollback()
        return None
    return member


def _tell_owner_someone_tried_to_join(owner: Member) -> None:
    base = current_app.config["TIMEBANK_BASE_URL"].rstrip("/")
    mail_queue(member=owner, subject=_l("Someone tried to join the timebank with your e-mail address"),
               template="register_attempt", link=f"{base}/password/forgot")


def member_create(
    *,
    display_name: str,
    email: str | None,
    password: str,
    role: Role = Role.MEMBER,
    status: Status = Status.ACTIVE,
    locale: str = "fr",
    area: str | None = None,
    languages: Iterable[str] = (),
    phone: str | None = None,
    bio: str = "",
    decided_by: Member | None = None,
) -> Member:
    """Create a member directly (CLI, demo data, coordinators); not committed."""
    email = normalise_email(email)
    if email and member_by_email(email) is not None:
        raise EmailTaken()
    member = Member(
        display_name=display_name.strip(),
        email=email,
        password_hash=password_hash(password),
        role=role,
        status=status,
        locale=locale,
        area=area,
        phone=phone_checked(phone),
        bio=bio,
        charter_accepted_at=utcnow(),
        decided_at=utcnow() if status is not Status.PENDING else None,
        decided_by=decided_by,
    )
    _set_languages(member, languages)
    db.session.add(member)
    _assign_number(member)
    if status is Status.ACTIVE:
        member_joined.send(member, actor=None, welcome_hours=False)
    return member



def members_active() -> list[Member]:
    """Active members by name, for choosing a person in a form."""
    return list(db.session.scalars(
        sa.select(Member).where(Member.status == Status.ACTIVE).order_by(Member.display_name, Member.id)
    ))



def profile_update(
    *,
    member: Member,
    display_name: str,
    bio: str,
    area: str | None,
    languages: Iterable[str],
    phone: str | None,
    contact_visibility: ContactVisibility,
    locale: str,
    notify_matches: bool = False,
) -> Member:
    if member.status in (Status.SUSPENDED, Status.DECLINED):
        raise NotAllowed(_l("Your account is not active: your profile cannot be changed."))
    phone = phone_checked(phone)
    begin_write()
    member.display_name = display_name.strip()
    member.bio = bio.strip()
    member.area = area or None
    member.phone = phone
    member.contact_visibility = contact_visibility
    member.locale = locale
    member.notify_matches = notify_matches
    _set_languages(member, languages)
    db.session.commit()
    return member


def member_welcome_send(member: Member, *, actor: Member | None = None) -> None:
    """The member joins: the layers above open her account, with welcome hours if the association gives them."""
    member_joined.send(member, actor=actor, welcome_hours=True)
