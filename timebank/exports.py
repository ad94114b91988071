"""Members, listings, exchanges and transfers as CSV for the association's spreadsheets (admins only).

UTF-8 with a byte-order mark, so spreadsheet software opens accents right; hours
both in decimal (1.50) and as h:mm (1:30); text that members wrote is kept from
being read as a formula. Rows are streamed in batches: a large instance does not
load everything in memory.
"""
from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from timebank.extensions import db

BOM = "\ufeff"
BATCH = 2000


def safe_cell(text: str | None) -> str:
    """Keep text that someone wrote from being read as a formula by a spreadsheet."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def hours_hmm(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{'-' if minutes < 0 else ''}{hours}:{rest:02d}"


def hours_decimal(minutes: int | None) -> str:
    return "" if minutes is None else f"{minutes / 60:.2f}"


def _when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    return value.isoformat(sep=" ", timespec="minutes") if isinstance(value, datetime) else value.isoformat()


def _members() -> Iterator[list]:
    from timebank.ledger.models import Account
    from timebank.members.models import Member

    yield ["number", "name", "email", "phone", "area", "languages", "locale", "status", "role", "joined",
           "decided", "verified_until", "brokered", "balance_minutes", "balance_hours", "balance_hmm", "last_seen"]
    query = (sa.select(Member, Account.posted).outerjoin(Account, Account.member_id == Member.id)
             .order_by(Member.id).options(selectinload(Member.languages)).execution_options(yield_per=BATCH))
    for member, posted in db.session.execute(query):
        verified = (member.verified_until.isoformat() if member.verified_until else "yes") if member.is_verified else ""
        yield [member.number, safe_cell(member.display_name), member.email or "", safe_cell(member.phone), member.area or "",
               " ".join(member.language_codes), member.locale, member.status.value, member.role.value,
               _when(member.created_at), _when(member.decided_at), verified, "yes" if member.brokered else "",
               posted if posted is not None else "", hours_decimal(posted), hours_hmm(posted), _when(member.last_seen_at)]


def _listings() -> Iterator[list]:
    from timebank.listings.models import Listing

    locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    yield ["id", "type", "title", "category", "member_number", "member_name", "area", "languages", "status",
           "hidden", "created", "ends_on", "duration_hours", "duration_hmm", "availability", "description"]
    query = (sa.select(Listing).order_by(Listing.id).execution_options(yield_per=BATCH)
             .options(selectinload(Listing.member), selectinload(Listing.category), selectinload(Listing.languages)))
    for listing in db.session.scalars(query):
        yield [listing.id, listing.type.value, safe_cell(listing.title), listing.category.name(locale),
               listing.member.number, safe_cell(listing.member.display_name), listing.area or "",
               " ".join(listing.language_codes), listing.status.value, "yes" if listing.hidden_at else "",
               _when(listing.created_at), _when(listing.ends_on), hours_decimal(listing.duration_minutes),
               hours_hmm(listing.duration_minutes), safe_cell(listing.availability), safe_cell(listing.description)]


def _exchanges() -> Iterator[list]:
    from timebank.exchanges.models import Exchange, ExchangeEvent
    from timebank.members.models import Member

    locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    provider, recipient = aliased(Member), aliased(Member)
    brokered = sa.exists().where(ExchangeEvent.exchange_id == Exchange.id, ExchangeEvent.kind == "brokered")
    yield ["id", "title", "category", "provider_number", "provider_name", "recipient_number", "recipient_name",
           "state", "date", "agreed_minutes", "done_minutes", "done_hours", "done_hmm", "created", "finished",
           "recorded_by_coordinator"]
    query = (sa.select(Exchange, provider.number, provider.display_name, recipient.number, recipient.display_name,
                       brokered.label("brokered"))
             .join(provider, Exchange.provider_id == provider.id).join(recipient, Exchange.recipient_id == recipient.id)
             .order_by(Exchange.id).options(selectinload(Exchange.category)).execution_options(yield_per=BATCH))
    for exchange, p_number, p_name, r_number, r_name, was_brokered in db.session.execute(query):
        yield [exchange.id, safe_cell(exchange.title), exchange.category.name(locale) if exchange.category else "",
               p_number, safe_cell(p_name), r_number, safe_cell(r_name), exchange.state.value,
               exchange.on_date.isoformat(), exchange.minutes, exchange.done_minutes or "",
               hours_decimal(exchange.done_minutes), hours_hmm(exchange.done_minutes), _when(exchange.created_at),
               _when(exchange.finished_at), "yes" if was_brokered else ""]


def _transfers() -> Iterator[list]:
    from timebank.ledger.models import Account, Transfer
    from timebank.members.models import Member

    debit, credit = aliased(Account), aliased(Account)
    payer, payee, recorder = aliased(Member), aliased(Member), aliased(Member)
    yield ["id", "created", "kind", "state", "reservation", "from", "to", "minutes", "hours", "hmm",
           "exchange_id", "corrects_id", "pending_id", "recorded_by_number", "memo", "key"]
    query = (sa.select(Transfer, debit.kind, payer.number, credit.kind, payee.number, recorder.number)
             .join(debit, Transfer.debit_account_id == debit.id).outerjoin(payer, debit.member_id == payer.id)
             .join(credit, Transfer.credit_account_id == credit.id).outerjoin(payee, credit.member_id == payee.id)
             .outerjoin(recorder, Transfer.recorded_by_id == recorder.id)
             .order_by(Transfer.id).execution_options(yield_per=BATCH))
    for t, debit_kind, debit_number, credit_kind, credit_number, recorded_by in db.session.execute(query):
        yield [t.id, _when(t.created_at), t.kind.value, t.state.value, "yes" if t.reservation else "",
               debit_number or debit_kind.value, credit_number or credit_kind.value, t.minutes,
               hours_decimal(t.minutes), hours_hmm(t.minutes), t.exchange_id or "", t.corrects_id or "",
               t.pending_id or "", recorded_by or "", safe_cell(t.memo), t.key]


EXPORTS: dict[str, Callable[[], Iterator[list]]] = {
    "members": _members, "listings": _listings, "exchanges": _exchanges, "transfers": _transfers,
}


def export_csv(name: str) -> Iterator[str]:
    """One table as CSV text, in chunks (the first begins with the byte-order mark)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    for n, row in enumerate(EXPORTS[name]()):
        writer.writerow(row)
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_zip() -> tempfile.SpooledTemporaryFile:
    """Every table in one ZIP file (kept in memory up to 16 MB, then on disk)."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in EXPORTS:
            with archive.open(f"{name}.csv", "w", force_zip64=True) as member:
                for chunk in export_csv(name):
                    member.write(chunk.encode("utf-8"))
    spool.seek(0)
    return spool
