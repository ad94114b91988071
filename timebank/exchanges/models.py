from __future__ import annotations

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db, text_enum
from timebank.listings.models import Category, Listing
from timebank.members.models import Member
from timebank.partners.access import represents
from timebank.partners.models import Partner
from timebank.timeutil import utcnow


class ExchangeState(str, enum.Enum):
    PROPOSED = "proposed"  # waiting for the answer of `turn`
    AGREED = "agreed"  # hours reserved from the recipient
    DONE = "done"  # the provider says it happened; the recipient confirms
    COMPLETED = "completed"  # hours posted
    DECLINED = "declined"
    CANCELLED = "cancelled"  # reservation voided
    DISPUTED = "disputed"  # frozen until a coordinator resolves it


OPEN_STATES = (ExchangeState.PROPOSED, ExchangeState.AGREED, ExchangeState.DONE, ExchangeState.DISPUTED)

# The two sides of an exchange. On a partner's side, the partner takes part: any of its representatives acts.
PROVIDER, RECIPIENT = "provider", "recipient"


class Exchange(db.Model):
    __tablename__ = "exchange"
    __table_args__ = (
        sa.CheckConstraint("provider_id <> recipient_id", name="two_people"),
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
        sa.Index("ix_exchange_state_done_at", "state", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("listing.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id"), index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    proposer_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    turn_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))  # who must answer a proposal
    title: Mapped[str] = mapped_column(sa.String(100))
    minutes: Mapped[int] = mapped_column(sa.Integer)  # agreed (or proposed) duration
    on_date: Mapped[date] = mapped_column(sa.Date)
    at_time: Mapped[time | None] = mapped_column(sa.Time)
    state: Mapped[ExchangeState] = mapped_column(
        text_enum(ExchangeState), default=ExchangeState.PROPOSED)
    done_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    done_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # auto-confirm reminder sent
    date_reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # "it is tomorrow" sent
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reservation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transfer.id"))
    client_key: Mapped[str | None] = mapped_column(sa.String(100), unique=True)  # the proposal form's key
    # A partner's exchange: the partner is the provider or the recipient (``partner_side``); the member stored on
    # that side is the representative who published the listing or answered, and acts only while she represents it.
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner.id"), index=True)
    partner_side: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    listing: Mapped[Listing | None] = relationship()
    category: Mapped[Category | None] = relationship()
    provider: Mapped[Member] = relationship(foreign_keys=[provider_id])
    recipient: Mapped[Member] = relationship(foreign_keys=[recipient_id])
    proposer: Mapped[Member] = relationship(foreign_keys=[proposer_id])
    partner: Mapped[Partner | None] = relationship()
    events: Mapped[list[ExchangeEvent]] = relationship(back_populates="exchange", order_by="ExchangeEvent.id")
    messages: Mapped[list[ExchangeMessage]] = relationship(back_populates="exchange", order_by="ExchangeMessage.id")

    def side_of(self, member: Member | None) -> str | None:
        """The side ``member`` takes part on now: her own, or her partner's while she represents it (asked now)."""
        if member is None or getattr(member, "id", None) is None:
            return None
        for side in (PROVIDER, RECIPIENT):
            if side == self.partner_side:
                if self.partner is not None and represents(member, self.partner):
                    return side
            elif getattr(self, f"{side}_id") == member.id:
                return side
        return None

    def party(self, side: str) -> Member:
        return self.provider if side == PROVIDER else self.recipient

    def party_name(self, side: str) -> str:
        """The provider's or the recipient's name: the partner's on its side."""
        if side == self.partner_side and self.partner is not None:
            return self.partner.name
        return self.party(side).display_name

    def side_name(self, side: str, person: Member | None = None, *, short: bool = False) -> str:
        """Who is on a side, as the other side or a coordinator reads it: the member, or the partner with the
        representative who speaks for it while she represents it ("Les Tilleuls Habitat (Sandrine Morel)");
        ``person``: that representative (else the one stored on the side); ``short``: a first name, or the
        partner's name alone."""
        if side != self.partner_side or self.partner is None:
            member = self.party(side)
            return member.first_name if short else member.display_name
        person = person or self.party(side)
        if short or not represents(person, self.partner):
            return self.partner.name
        return _("%(partner)s (%(person)s)", partner=self.partner.name, person=person.display_name)

    def voice_name(self, member: Member) -> str:
        """The name of someone who writes in the exchange's thread: a representative is named with her partner."""
        if self.partner_side is not None and self.partner is not None and self.side_of(member) == self.partner_side:
            return self.side_name(self.partner_side, member)
        return member.display_name

    @property
    def provider_name(self) -> str:
        return self.party_name(PROVIDER)

    @property
    def recipient_name(self) -> str:
        return self.party_name(RECIPIENT)

    @property
    def turn_side(self) -> str | None:
        return PROVIDER if self.turn_id == self.provider_id else RECIPIENT if self.turn_id == self.recipient_id \
            else None

    def counterpart(self, member: Member) -> Member:
        return self.recipient if self.side_of(member) == PROVIDER else self.provider

    def involves(self, member: Member) -> bool:
        return self.side_of(member) is not None


def taking_part(member_id, *, for_partners: bool = True):
    """SQL: the exchanges a member takes part in on her own side, and (``for_partners``) those of the partners she
    represents now; not those where she is stored on a partner's side but no longer represents it.

    Written as the ids found through each side's index (a union), not as one condition with OR: PostgreSQL
    read every exchange for the OR with a subquery in it (100 000 exchanges: 10 ms for the menu's count).
    ``member_id`` may be a parameter: the statements pages read on every view are built once that way."""
    from timebank.partners.models import Representative

    other = sa.orm.aliased(Exchange)
    found = [
        sa.select(other.id).where(other.provider_id == member_id,
                                  sa.func.coalesce(other.partner_side, "") != PROVIDER),
        sa.select(other.id).where(other.recipient_id == member_id,
                                  sa.func.coalesce(other.partner_side, "") != RECIPIENT),
    ]
    if for_partners:
        represented = sa.select(Representative.partner_id).where(Representative.member_id == member_id)
        found.append(sa.select(other.id).where(other.partner_id.in_(represented)))
    return Exchange.id.in_(sa.union_all(*found))


class ExchangeEvent(db.Model):
    """One step of an exchange's timeline: who did what, when, and what changed."""

    __tablename__ = "exchange_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))  # None: the timebank itself
    kind: Mapped[str] = mapped_column(sa.String(20))
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    exchange: Mapped[Exchange] = relationship(back_populates="events")
    actor: Mapped[Member | None] = relationship()


class ExchangeMessage(db.Model):
    __tablename__ = "exchange_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    exchange: Mapped[Exchange] = relationship(back_populates="messages")
    author: Mapped[Member] = relationship()


class ExchangeRead(db.Model):
    """Until when a member has read an exchange's thread (for unread counts)."""

    __tablename__ = "exchange_read"

    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), primary_key=True)
    last_message_id: Mapped[int] = mapped_column(sa.Integer, default=0)


class DisputeResolution(str, enum.Enum):
    UPHELD = "upheld"  # as agreed (or as marked done)
    CHANGED = "changed"  # a different number of minutes
    CANCELLED = "cancelled"  # no hours at all


class Dispute(db.Model):
    """A party says something went wrong; a coordinator decides, with a written reason."""

    __tablename__ = "exchange_dispute"

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    state_before: Mapped[str] = mapped_column(sa.String(20))
    opened_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    resolution: Mapped[str | None] = mapped_column(sa.String(20))
    resolution_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    resolution_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The coordinator asked the other party for their version; what they wrote, and when.
    version_asked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    version_asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    version: Mapped[str | None] = mapped_column(sa.Text)
    version_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    exchange: Mapped[Exchange] = relationship()
    opened_by: Mapped[Member] = relationship(foreign_keys=[opened_by_id])
    resolved_by: Mapped[Member | None] = relationship(foreign_keys=[resolved_by_id])
    version_asked_by: Mapped[Member | None] = relationship(foreign_keys=[version_asked_by_id])

    @property
    def other_party(self) -> Member:
        """The member stored on the side that did not raise the disagreement (on a partner's side, the
        representative who published or answered: name that side with ``other_name``)."""
        return self.exchange.party(self.other_side)

    @property
    def opener_side(self) -> str:
        side = self.exchange.side_of(self.opened_by)
        if side is None:  # she no longer represents the partner she raised it for: its side
            side = self.exchange.partner_side or (PROVIDER if self.opened_by_id == self.exchange.provider_id
                                                  else RECIPIENT)
        return side

    @property
    def other_side(self) -> str:
        return RECIPIENT if self.opener_side == PROVIDER else PROVIDER

    @property
    def opener_name(self) -> str:
        return self.exchange.side_name(self.opener_side, self.opened_by)

    @property
    def other_name(self) -> str:
        return self.exchange.side_name(self.other_side)

    @property
    def other_short_name(self) -> str:
        return self.exchange.side_name(self.other_side, short=True)

    def gives_version(self, member: Member | None) -> bool:
        """May ``member`` write the other side's version: its member, or a current representative of its partner."""
        return member is not None and self.exchange.side_of(member) == self.other_side

    @property
    def version_due(self) -> datetime | None:
        """Until when a coordinator waits for the other party's version she asked for (None: not waiting)."""
        from datetime import timedelta

        from flask import current_app

        if self.version_asked_at is None or self.version_at is not None:
            return None
        due = self.version_asked_at + timedelta(days=current_app.config["TIMEBANK_DISPUTE_VERSION_DAYS"])
        return due if utcnow() < due else None


class GroupState(str, enum.Enum):
    OPEN = "open"  # members join; each share is reserved
    COMPLETED = "completed"  # every share posted, all at once
    CANCELLED = "cancelled"  # every share released


class GroupSession(db.Model):
    """A workshop or outing: one provider, several recipients who each pay their share."""

    __tablename__ = "group_session"
    __table_args__ = (sa.CheckConstraint("share_minutes > 0 AND max_participants > 0", name="positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id"))
    title: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    on_date: Mapped[date] = mapped_column(sa.Date)
    at_time: Mapped[time | None] = mapped_column(sa.Time)
    share_minutes: Mapped[int] = mapped_column(sa.Integer)
    max_participants: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[GroupState] = mapped_column(
        text_enum(GroupState), default=GroupState.OPEN)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    provider: Mapped[Member] = relationship()
    category: Mapped[Category | None] = relationship()
    participants: Mapped[list[GroupParticipant]] = relationship(back_populates="session",
                                                                order_by="GroupParticipant.id")

    @property
    def joined(self) -> list[GroupParticipant]:
        return [p for p in self.participants if p.left_at is None]


class GroupParticipant(db.Model):
    __tablename__ = "group_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("group_session.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    reservation_id: Mapped[int] = mapped_column(sa.ForeignKey("transfer.id"))
    joined_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    session: Mapped[GroupSession] = relationship(back_populates="participants")
    member: Mapped[Member] = relationship()
