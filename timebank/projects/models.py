from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db, text_enum
from timebank.ledger.models import Transfer
from timebank.listings.models import Listing
from timebank.members.models import Member
from timebank.partners.models import Partner
from timebank.timeutil import utcnow


class ProjectStatus(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class Project(db.Model):
    """A collective project of the neighbourhood; the hours residents give to it are paid by its sponsor.

    The sponsor is a partner (``partner_id``) or, when there is none, the community account.
    """

    __tablename__ = "project"
    __table_args__ = (sa.CheckConstraint("goal_minutes > 0", name="goal_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    goal_minutes: Mapped[int] = mapped_column(sa.Integer)
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner.id"), index=True)
    status: Mapped[ProjectStatus] = mapped_column(text_enum(ProjectStatus), default=ProjectStatus.OPEN)
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    partner: Mapped[Partner | None] = relationship()
    opened_by: Mapped[Member] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status is ProjectStatus.OPEN

    @property
    def hidden(self) -> bool:
        """A suspended partner's projects are hidden from residents."""
        return self.partner is not None and not self.partner.is_active


class Participation(db.Model):
    """A resident joined a task of a project; ``shown``: she agreed that her name appears on the project's page."""

    __tablename__ = "project_participation"
    __table_args__ = (sa.UniqueConstraint("task_id", "member_id", name="uq_project_participation_task_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("listing.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    shown: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    task: Mapped[Listing] = relationship()
    member: Mapped[Member] = relationship()


class HoursState(str, enum.Enum):
    STATED = "stated"  # the resident said she gave these hours: waiting for a coordinator or the sponsor
    CONFIRMED = "confirmed"  # posted from the sponsor's account to hers
    DECLINED = "declined"  # not paid, with a reason


class ProjectHours(db.Model):
    """Hours a resident says she gave to a task of a project, and what became of them."""

    __tablename__ = "project_hours"
    __table_args__ = (sa.CheckConstraint("minutes > 0", name="minutes_positive"),
                      sa.Index("ix_project_hours_participation_id_state", "participation_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("project_participation.id"))
    minutes: Mapped[int] = mapped_column(sa.Integer)
    note: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    state: Mapped[HoursState] = mapped_column(text_enum(HoursState), default=HoursState.STATED)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")  # why it was declined
    transfer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transfer.id"), unique=True)

    participation: Mapped[Participation] = relationship()
    decided_by: Mapped[Member | None] = relationship()
    transfer: Mapped[Transfer | None] = relationship()
