"""Forms sent twice do one thing: each form carries a key, and a step remembers the key it was done with.

A form that moves hours or changes an exchange is rendered with a fresh key
(``timebank.ledger.forms.new_key``). The service that handles it calls
``form_claim`` inside its transaction, before its checks: the first time, the
key is written in the same transaction as the step; when the same form comes
again (a second click, a slow connection resending it, two requests at once),
the earlier use is found and the service answers with the first result instead
of doing the step again.

The stored key is scoped by who sent it, what they did and to what, so one key
may serve every form of a page, and no one can use up a key someone else needs.
Two requests at once with one key: on SQLite the write lock queues them; on
PostgreSQL the unique key makes the second one fail, and ``atomic`` runs it
again, which then finds the first one's row.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from timebank.database import begin_write
from timebank.extensions import db
from timebank.timeutil import utcnow


class FormUse(db.Model):
    """One form, once: the scoped key it was sent with and what it made (``target_id``)."""

    __tablename__ = "form_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


def form_claim(*, member_id: int, key: str | None, action: str, target: object = "") -> tuple[FormUse | None, bool]:
    """Take the form's key for this step; return (use, replayed).

    ``replayed`` is true when the same form was already handled: the caller then
    answers with the first result (``use.target_id``) and changes nothing.
    Without a key (a client that sends none) nothing is remembered: (None, False).
    """
    if not key:
        return None, False
    scoped = f"{member_id}:{action}:{target}:{key}"[:160]
    begin_write()
    existing = db.session.scalar(sa.select(FormUse).where(FormUse.key == scoped))
    if existing is not None:
        return existing, True
    use = FormUse(key=scoped, member_id=member_id, action=action[:40], created_at=utcnow())
    db.session.add(use)
    db.session.flush()  # now: a second request with this key waits here, then is refused and replays
    return use, False
