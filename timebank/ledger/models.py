from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.extensions import db, text_enum
from timebank.members.models import Member
from timebank.timeutil import utcnow



class AccountKind(str, enum.Enum):
    MEMBER = "member"
    COMMUNITY = "community"  # the "pot commun" members donate to
    SYSTEM = "system"  # issues welcome hours and opening balances
    PARTNER = "partner"  # a partner organisation's own hours (its owner is named by a registered function)


class TransferKind(str, enum.Enum):
    EXCHANGE = "exchange"  # pays for an agreed exchange
    DIRECT = "direct"  # "X helped me": given for a service already received
    DONATION = "donation"  # to the community account
    GRANT = "grant"  # from the community account to a member
    WELCOME = "welcome"  # welcome hours from the system account
    OPENING = "opening"  # opening balance imported from elsewhere
    ADJUSTMENT = "adjustment"  # corrects part of an earlier transfer
    REVERSAL = "reversal"  # undoes an earlier transfer entirely
    REWARD = "reward"  # a resident spends hours on a partner's reward
    PROJECT = "project"  # a project's sponsor pays a resident for the hours she gave to it


class TransferState(str, enum.Enum):
    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"


class Account(db.Model):
    """Where hours are kept. Balances live on the row, changed only with a transfer.

    ``posted`` is the balance; ``pending_debits`` are hours reserved to be paid,
    ``pending_credits`` hours reserved to be received. The database refuses a
    row whose available balance is below the floor or whose balance plus
    incoming reservations is above the ceiling.
    """

    __tablename__ = "account"
    __table_args__ = (
        sa.CheckConstraint("(kind = 'member') = (member_id IS NOT NULL)", name="member_owner"),
        sa.CheckConstraint("floor IS NULL OR posted - pending_debits >= floor", name="floor"),
        sa.CheckConstraint("ceiling IS NULL OR posted + pending_credits <= ceiling", name="ceiling"),
        sa.CheckConstraint("pending_debits >= 0 AND pending_credits >= 0", name="pending_positive"),
        sa.CheckConstraint("floor IS NULL OR ceiling IS NULL OR floor <= ceiling", name="limits_order"),
        # One community account and one system account, created by the migration (members and partners: many).
        sa.Index("uq_account_singleton_kind", "kind", unique=True,
                 sqlite_where=sa.text("kind IN ('community', 'system')"),
                 postgresql_where=sa.text("kind IN ('community', 'system')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(text_enum(AccountKind))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"), unique=True)
    floor: Mapped[int | None] = mapped_column(sa.Integer)  # minutes; None means no floor
    ceiling: Mapped[int | None] = mapped_column(sa.Integer)  # minutes; None means no ceiling
    # True when a coordinator set this account's limits; defaults then leave it alone.
    limits_overridden: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    posted: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    pending_debits: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    pending_credits: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    member: Mapped[Member | None] = relationship()

    @property
    def available(self) -> int:
        """What can still be spent or reserved: the balance minus hours already reserved."""
        return self.posted - self.pending_debits

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.kind.value} posted={self.posted}>"


class Transfer(db.Model):
    """One movement of hours from a debit account to a credit account. Never updated, never deleted.

    A *reservation* (``reservation`` true) holds hours while an exchange is
    agreed; it is resolved once, by a posting transfer that points at it with
    ``pending_id`` (for at most the reserved minutes) or by voiding it. Only
    its ``state`` and ``resolved_at`` ever change, once; the database itself
    refuses anything else.
    """

    __tablename__ = "transfer"
    __table_args__ = (
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
        sa.CheckConstraint("debit_account_id <> credit_account_id", name="distinct_accounts"),
        sa.CheckConstraint("reservation OR state = 'posted'", name="only_reservations_wait"),
        sa.CheckConstraint("NOT (reservation AND pending_id IS NOT NULL)", name="posting_is_not_reservation"),
        sa.Index("ix_transfer_debit_account_id_id", "debit_account_id", "id"),
        sa.Index("ix_transfer_credit_account_id_id", "credit_account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)  # idempotency key, chosen by the caller
    debit_account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"))
    credit_account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"))
    minutes: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[TransferKind] = mapped_column(text_enum(TransferKind))
    state: Mapped[TransferState] = mapped_column(text_enum(TransferState))
    reservation: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    pending_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transfer.id"), unique=True)
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transfer.id"), index=True)
    exchange_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)  # what it pays for
    memo: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)  # reports by period
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Posted balances right after this transfer, for statements with a running balance.
    debit_balance_after: Mapped[int | None] = mapped_column(sa.Integer)
    credit_balance_after: Mapped[int | None] = mapped_column(sa.Integer)

    debit_account: Mapped[Account] = relationship(foreign_keys=[debit_account_id])
    credit_account: Mapped[Account] = relationship(foreign_keys=[credit_account_id])
    recorded_by: Mapped[Member | None] = relationship()
    pending: Mapped[Transfer | None] = relationship(remote_side=[id], foreign_keys=[pending_id])
    corrects: Mapped[Transfer | None] = relationship(remote_side=[id], foreign_keys=[corrects_id])

    @property
    def is_movement(self) -> bool:
        """Does this row move posted hours (rather than reserve them)?"""
        return not self.reservation

    def __repr__(self) -> str:
        return (f"<Transfer {self.id} {self.kind.value} {self.state.value} {self.minutes}min "
                f"{self.debit_account_id}->{self.credit_account_id}>")


class AccountLimitChange(db.Model):
    """A coordinator changed an account's floor or ceiling: who, when, from what, to what, and why."""

    __tablename__ = "account_limit_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"), index=True)
    old_floor: Mapped[int | None] = mapped_column(sa.Integer)
    old_ceiling: Mapped[int | None] = mapped_column(sa.Integer)
    floor: Mapped[int | None] = mapped_column(sa.Integer)
    ceiling: Mapped[int | None] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.String(500))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
