from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from timebank.extensions import db
from timebank.timeutil import utcnow


class Setting(db.Model):
    """One setting an admin changed in the web page; it wins over the configuration file."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[object] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))


class MemberImport(db.Model):
    """A checked spreadsheet of members, ready to import once: its confirmation carries ``nonce``.

    ``done_at`` is set in the same transaction as the import, so confirming the
    same file twice (two clicks, two tabs, a replayed form) imports it once.
    """

    __tablename__ = "member_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    data_sha256: Mapped[str] = mapped_column(sa.String(64))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    members: Mapped[int | None] = mapped_column(sa.Integer)
