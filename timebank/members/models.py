from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db, text_enum
from timebank.timeutil import utcnow

MEMBER_NUMBER_OFFSET = 1000


class Role(str, enum.Enum):
    MEMBER = "member"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Status(str, enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    DECLINED = "declined"
    SUSPENDED = "suspended"
    ERASED = "erased"  # left and erased: the account and its transfers stay, under "Former member no. …"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class ContactVisibility(str, enum.Enum):
    """Who may see a member's phone number and e-mail address."""

    COUNTERPARTS = "counterparts"  # exchange counterparts and coordinators (default)
    COORDINATORS = "coordinators"  # coordinators only
    MEMBERS = "members"  # every active member


class Member(UserMixin, db.Model):
    __tablename__ = "member"
    __table_args__ = (
        sa.Index("ix_member_status_name", "status", "display_name", "id"),  # the directory's page, in name order
        # Few members have a trusted helper: the index holds only them, so a database's statistics see that a
        # helper's "whom I help" is a handful of rows, not half the members.
        sa.Index("ix_member_helper_id", "helper_id", sqlite_where=sa.text("helper_id IS NOT NULL"),
                 postgresql_where=sa.text("helper_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The number printed on a welcome sheet; members without e-mail sign in with it.
    number: Mapped[int | None] = mapped_column(sa.Integer, unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(80))
    bio: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    area: Mapped[str | None] = mapped_column(sa.String(80))
    locale: Mapped[str] = mapped_column(sa.String(8), default="fr", server_default="fr")
    contact_visibility: Mapped[ContactVisibility] = mapped_column(
        text_enum(ContactVisibility, validate=False),
        default=ContactVisibility.COUNTERPARTS,
        server_default=ContactVisibility.COUNTERPARTS.value,
    )
    role: Mapped[Role] = mapped_column(
        text_enum(Role, validate=False),
        default=Role.MEMBER,
        server_default=Role.MEMBER.value,
    )
    status: Mapped[Status] = mapped_column(
        text_enum(Status, validate=False),
        default=Status.PENDING,
        server_default=Status.PENDING.value,
        index=True,
    )
    charter_accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    last_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Vouched for by a coordinator (needed to offer childcare and other sensitive services).
    verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    # Tell me when someone near me needs what I offer (or offers what I need).
    notify_matches: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # She asked for no more text messages (STOP to the gateway, or the switch in her profile); none: texts ok.
    sms_stopped_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # An applicant who asked to be called (at ``phone``) rather than e-mailed about her application.
    call_me: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Has asked the coordinators to record exchanges for them (no phone, no internet).
    brokered: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # A member they named (a neighbour, a relative) who may manage their account from their own sign-in.
    helper_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    # The welcome meeting with a coordinator, when there was one.
    orientation_on: Mapped[date | None] = mapped_column(sa.Date)
    # The verification lapses after this day (none: it does not lapse).
    verified_until: Mapped[date | None] = mapped_column(sa.Date)
    # What a session and a "stay signed in" cookie carry instead of the id: replaced when the member signs
    # out, changes or resets her password, or is signed out everywhere, so every copied cookie stops working.
    session_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True,
                                                      default=new_session_token)

    languages: Mapped[list[MemberLanguage]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="MemberLanguage.code"
    )
    decided_by: Mapped[Member | None] = relationship(remote_side=[id], foreign_keys=[decided_by_id])
    verified_by: Mapped[Member | None] = relationship(remote_side=[id], foreign_keys=[verified_by_id])
    helper: Mapped[Member | None] = relationship(remote_side=[id], foreign_keys=[helper_id])

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.display_name!r} {self.status.value}>"

    def get_id(self) -> str:
        # Flask-Login keeps this in the session and the remember cookie; the user loader reads it back.
        return self.session_token

    def sessions_end(self) -> None:
        """Make every session and "stay signed in" cookie issued so far worthless (not committed)."""
        self.session_token = new_session_token()

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages]

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.display_name.strip() else self.display_name

    @property
    def is_active_member(self) -> bool:
        return self.status is Status.ACTIVE

    @property
    def welcome_meeting_ahead(self) -> date | None:
        """The day a coordinator expects this applicant for her welcome meeting, if it is still to come."""
        if self.status is Status.PENDING and self.orientation_on and self.orientation_on >= utcnow().date():
            return self.orientation_on
        return None

    @property
    def is_verified(self) -> bool:
        if self.verified_at is None:
            return False
        return self.verified_until is None or self.verified_until >= utcnow().date()

    @property
    def is_pending(self) -> bool:
        return self.status is Status.PENDING

    @property
    def is_coordinator(self) -> bool:
        """Coordinators and admins: an admin can do what a coordinator can."""
        return self.role in (Role.COORDINATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_active(self) -> bool:
        # Flask-Login's notion: may this account hold a session at all?
        # Pending, declined and suspended members may still sign in; each page
        # decides what they can see.
        return True


class MemberLanguage(db.Model):
    """A language a member speaks (ISO 639 code)."""

    __tablename__ = "member_language"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True, index=True)

    member: Mapped[Member] = relationship(back_populates="languages")
