"""The impact report's monthly rollups: derived from the ledger, never the source of any figure of its own.

``timebank cron`` (the ``reports-rollup`` job, ``rollups.py``) keeps them up to a watermark: every month
holds what the transfers with ids up to ``RollupState.transfer_id`` (and the exchanges' timeline events up
to ``event_id``) say. The report reads a month from them only when nothing after the watermark touches it,
and computes every other day from the transfers, so its figures never depend on when the job last ran.
A month is written as ``'2026-03'``; a category of 0 is "none".
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from timebank.extensions import db


class RollupState(db.Model):
    """One row (id 1): how far the rollups have read the ledger."""

    __tablename__ = "report_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    event_id: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


class MonthExchanges(db.Model):
    """Exchanges, their minutes and how many a coordinator brokered, per month and category."""

    __tablename__ = "report_month_exchanges"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    exchanges: Mapped[int] = mapped_column(sa.Integer)
    minutes: Mapped[int] = mapped_column(sa.Integer)
    brokered: Mapped[int] = mapped_column(sa.Integer)


class MonthMembers(db.Model):
    """An account that paid (``paid`` 1) or gave (``gave`` 1) a service of a category in a month; counted only."""

    __tablename__ = "report_month_members"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    paid: Mapped[int] = mapped_column(sa.Integer)
    gave: Mapped[int] = mapped_column(sa.Integer)


class MonthCommunity(db.Model):
    """Minutes given to the community account and granted from it, per month of the movement corrected or made."""

    __tablename__ = "report_month_community"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    given: Mapped[int] = mapped_column(sa.Integer)
    granted: Mapped[int] = mapped_column(sa.Integer)


class MonthBalances(db.Model):
    """How many member accounts were in each balance band at the end of a finished month."""

    __tablename__ = "report_month_balances"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    band: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    members: Mapped[int] = mapped_column(sa.Integer)
