from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db, text_enum
from timebank.ledger.models import Account, Transfer
from timebank.members.models import Member
from timebank.timeutil import utcnow


class PartnerKind(str, enum.Enum):
    ASSOCIATION = "association"
    SOCIAL_LANDLORD = "social_landlord"
    SCHOOL = "school"
    PUBLIC_SERVICE = "public_service"
    BUSINESS = "business"
    OTHER = "other"

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    PartnerKind.ASSOCIATION: _l("Association"),
    PartnerKind.SOCIAL_LANDLORD: _l("Social landlord"),
    PartnerKind.SCHOOL: _l("School"),
    PartnerKind.PUBLIC_SERVICE: _l("Public service"),
    PartnerKind.BUSINESS: _l("Business"),
    PartnerKind.OTHER: _l("Other"),
}


class Partner(db.Model):
    """An organisation of the neighbourhood that takes part, with its own hour account."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[PartnerKind] = mapped_column(text_enum(PartnerKind))
    descriptions: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {"fr": …, "en": …, "ar": …}
    logo: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")  # a file main.logo serves
    address: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    contact: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"), unique=True)
    suspended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    account: Mapped[Account] = relationship()

    @property
    def is_active(self) -> bool:
        return self.suspended_at is None

    def description(self, locale: str) -> str:
        """In the reader's language, else French, English, or any language it was written in."""
        texts = self.descriptions or {}
        return (texts.get(locale) or texts.get("fr") or texts.get("en")
                or next((text for text in texts.values() if text), ""))


class Representative(db.Model):
    """A member who acts for a partner. Removing her deletes the row (the audit log keeps who, when and why)."""

    __tablename__ = "partner_representative"
    __table_args__ = (sa.UniqueConstraint("partner_id", "member_id", name="uq_partner_representative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    partner: Mapped[Partner] = relationship()
    member: Mapped[Member] = relationship()


class Reward(db.Model):
    """Something residents can have at a partner for hours: a swimming-pool entry for 1 h."""

    __tablename__ = "reward"
    __table_args__ = (
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
        sa.CheckConstraint("places >= 0", name="places_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    minutes: Mapped[int] = mapped_column(sa.Integer)
    places: Mapped[int] = mapped_column(sa.Integer)  # how many can be booked in all
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # a representative withdrew it

    partner: Mapped[Partner] = relationship()
    created_by: Mapped[Member] = relationship()


class BookingState(str, enum.Enum):
    RESERVED = "reserved"  # the hours are reserved: the resident may come
    USED = "used"  # the representative marked it used: the hours went to the partner
    CANCELLED = "cancelled"  # the resident cancelled: hours released
    REFUSED = "refused"  # the representative refused it: hours released
    EXPIRED = "expired"  # the reward ended before it was used: hours released
    RELEASED = "released"  # the partner was suspended, or withdrew the reward: hours released


class Booking(db.Model):
    """A resident booked a reward: one place, with its hours reserved from her account to the partner's."""

    __tablename__ = "reward_booking"
    __table_args__ = (sa.Index("ix_reward_booking_reward_id_state", "reward_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(sa.ForeignKey("reward.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    state: Mapped[BookingState] = mapped_column(text_enum(BookingState))
    reservation_id: Mapped[int] = mapped_column(sa.ForeignKey("transfer.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))

    reward: Mapped[Reward] = relationship()
    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    resolved_by: Mapped[Member | None] = relationship(foreign_keys=[resolved_by_id])
    reservation: Mapped[Transfer] = relationship()

    @property
    def holds_a_place(self) -> bool:
        return self.state in (BookingState.RESERVED, BookingState.USED)
