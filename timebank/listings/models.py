from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db, text_enum
from timebank.members.models import Member
from timebank.messages.models import DirectMessage  # a report may be about a message
from timebank.partners.models import Partner
from timebank.timeutil import utcnow



class Category(db.Model):
    """A kind of service, named in every language of the instance."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    icon: Mapped[str] = mapped_column(sa.String(40), default="sparkles")  # a file in static/icons/
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    requires_verified: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {"fr": "Garde d'enfants", "en": …, "ar": …}
    # Other words that find its listings, in any language ("garde", "baby-sitting", "حضانة"); admins edit them.
    synonyms: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")
    archived_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("fr") or self.names.get("en") or self.slug


class ListingType(str, enum.Enum):
    OFFER = "offer"  # "I can help"
    REQUEST = "request"  # "I need help"


class ListingStatus(str, enum.Enum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class Listing(db.Model):
    __tablename__ = "listing"
    __table_args__ = (
        sa.Index("ix_listing_status_id", "status", "id"),
        sa.Index("ix_listing_status_ends_on", "status", "ends_on"),  # "ending this week" for the coordinators
        sa.CheckConstraint("duration_minutes IS NULL OR duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    type: Mapped[ListingType] = mapped_column(text_enum(ListingType))
    title: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), index=True)
    tags: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    area: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    duration_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    availability: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[ListingStatus] = mapped_column(text_enum(ListingStatus), default=ListingStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # hidden by a coordinator
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # end-date reminder sent
    # A task of a neighbourhood project (a request of the project: timebank.projects), or None.
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id"), index=True)
    # Published by ``member`` for a partner she represents: the partner asks or offers, and pays or is paid.
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner.id"), index=True)

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    partner: Mapped[Partner | None] = relationship()
    category: Mapped[Category] = relationship()
    languages: Mapped[list[ListingLanguage]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="ListingLanguage.code"
    )

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages]

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    def is_expired(self, today: date) -> bool:
        return self.ends_on is not None and self.ends_on < today

    def shown_status(self, today: date) -> str:
        """open, paused, closed, or expired when the end date has passed."""
        if self.status is ListingStatus.OPEN and self.is_expired(today):
            return "expired"
        return self.status.value


class ListingLanguage(db.Model):
    __tablename__ = "listing_language"

    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listing.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True, index=True)

    listing: Mapped[Listing] = relationship(back_populates="languages")


class Report(db.Model):
    """A member tells the coordinators that a listing or a profile is not right."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    listing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("listing.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"), index=True)  # a reported profile
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("direct_message.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    outcome: Mapped[str | None] = mapped_column(sa.String(20))  # dismissed, hidden

    reporter: Mapped[Member] = relationship(foreign_keys=[reporter_id])
    listing: Mapped[Listing | None] = relationship()
    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])
    message: Mapped[DirectMessage | None] = relationship()
