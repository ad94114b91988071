"""Members, listings, exchanges and transfers as CSV for the association's spreadsheets (admins only).

UTF-8 with a byte-order mark, so spreadsheet software opens accents right; hours
both in decimal (1.50) and as h:mm (1:30); text that members wrote is kept from
being read as a formula. Rows are streamed in batches: a large instance does not
load everything in memory.
"""
from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from timebank.csvfile import BOM, NUMBER, TEXT, csv_chunks, safe_cell
from timebank.extensions import db

__all__ = ["BOM", "EXPORTS", "export_csv", "export_zip", "hours_decimal", "hours_hmm", "safe_cell"]

BATCH = 2000
N, T = NUMBER, TEXT


def _language() -> str:
    """The language of the admin who downloads (category names), or the instance's default."""
    locale = get_locale() if has_request_context() else None
    return str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


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

    yield [("number", N), ("name", T), ("email", T), ("phone", T), ("area", T), ("languages", T), ("locale", T),
           ("status", T), ("role", T), ("joined", T), ("decided", T), ("verified_until", T), ("brokered", T),
           ("balance_minutes", N), ("balance_hours", N), ("balance_hmm", N), ("last_seen", T)]
    query = (sa.select(Member, Account.posted).outerjoin(Account, Account.member_id == Member.id)
             .order_by(Member.id).options(selectinload(Member.languages)).execution_options(yield_per=BATCH))
    for member, posted in db.session.execute(query):
        verified = (member.verified_until.isoformat() if member.verified_until else "yes") if member.is_verified else ""
        yield [member.number, member.display_name, member.email, member.phone, member.area,
               " ".join(member.language_codes), member.locale, member.status.value, member.role.value,
               _when(member.created_at), _when(member.decided_at), verified, "yes" if member.brokered else "",
               posted, hours_decimal(posted), hours_hmm(posted), _when(member.last_seen_at)]


def _listings() -> Iterator[list]:
    from timebank.listings.models import Listing

    locale = _language()
    yield [("id", N), ("type", T), ("title", T), ("category", T), ("member_number", N), ("member_name", T),
           ("area", T), ("languages", T), ("status", T), ("hidden", T), ("created", T), ("ends_on", T),
           ("duration_hours", N), ("duration_hmm", N), ("availability", T), ("description", T)]
    query = (sa.select(Listing).order_by(Listing.id).execution_options(yield_per=BATCH)
             .options(selectinload(Listing.member), selectinload(Listing.category), selectinload(Listing.languages)))
    for listing in db.session.scalars(query):
        yield [listing.id, listing.type.value, listing.title, listing.category.name(locale),
               listing.member.number, listing.member.display_name, listing.area,
               " ".join(listing.language_codes), listing.status.value, "yes" if listing.hidden_at else "",
               _when(listing.created_at), _when(listing.ends_on), hours_decimal(listing.duration_minutes),
               hours_hmm(listing.duration_minutes), listing.availability, listing.description]


def _exchanges() -> Iterator[list]:
    from timebank.exchanges.models import Exchange, ExchangeEvent
    from timebank.members.models import Member

    locale = _language()
    provider, recipient = aliased(Member), aliased(Member)
    brokered = sa.exists().where(ExchangeEvent.exchange_id == Exchange.id, ExchangeEvent.kind == "brokered")
    yield [("id", N), ("title", T), ("category", T), ("provider_number", N), ("provider_name", T),
           ("recipient_number", N), ("recipient_name", T), ("state", T), ("date", T), ("agreed_minutes", N),
           ("done_minutes", N), ("done_hours", N), ("done_hmm", N), ("created", T), ("finished", T),
           ("recorded_by_coordinator", T)]
    query = (sa.select(Exchange, provider.number, provider.display_name, recipient.number, recipient.display_name,
                       brokered.label("brokered"))
             .join(provider, Exchange.provider_id == provider.id).join(recipient, Exchange.recipient_id == recipient.id)
             .order_by(Exchange.id).options(selectinload(Exchange.category)).execution_options(yield_per=BATCH))
    for exchange, p_number, p_name, r_number, r_name, was_brokered in db.session.execute(query):
        yield [exchange.id, exchange.title, exchange.category.name(locale) if exchange.category else "",
               p_number, p_name, r_number, r_name, exchange.state.value,
               exchange.on_date.isoformat(), exchange.minutes, exchange.done_minutes,
               hours_decimal(exchange.done_minutes), hours_hmm(exchange.done_minutes), _when(exchange.created_at),
               _when(exchange.finished_at), "yes" if was_brokered else ""]


def transfer_state(*, reservation: bool, state: str, settled_by: int | None) -> str:
    """A transfer's state as the export names it: each row is exactly one of these.

    ``posted``: hours moved (this row's ``moved_minutes``). ``reserved``: hours held
    for an agreed exchange, not moved yet. ``released``: a reservation given up,
    nothing moved. ``settled-by #N``: a reservation paid by transfer N — the hours
    moved are counted on row N, not here.
    """
    if not reservation:
        return "posted"
    if state == "pending":
        return "reserved"
    if state == "voided":
        return "released"
    return f"settled-by #{settled_by}"


def _transfers() -> Iterator[list]:
    from timebank.ledger import services as ledger
    from timebank.ledger.models import Account, AccountKind, Transfer
    from timebank.members.models import Member

    debit, credit = aliased(Account), aliased(Account)
    payer, payee, recorder = aliased(Member), aliased(Member), aliased(Member)
    settlement = aliased(Transfer)
    yield [("id", N), ("created", T), ("kind", T), ("state", T), ("from", T), ("to", T), ("minutes", N),
           ("moved_minutes", N), ("moved_hours", N), ("moved_hmm", N), ("exchange_id", N), ("corrects_id", N),
           ("settles_id", N), ("recorded_by_number", N), ("memo", T), ("key", T)]
    query = (sa.select(Transfer, debit.kind, payer.number, credit.kind, payee.number, recorder.number,
                       settlement.id)
             .join(debit, Transfer.debit_account_id == debit.id).outerjoin(payer, debit.member_id == payer.id)
             .join(credit, Transfer.credit_account_id == credit.id).outerjoin(payee, credit.member_id == payee.id)
             .outerjoin(recorder, Transfer.recorded_by_id == recorder.id)
             .outerjoin(settlement, settlement.pending_id == Transfer.id)
             .order_by(Transfer.id).execution_options(yield_per=BATCH))
    # A partner's account is named by the partner's name (a few rows, read once), others by member number or kind.
    names = {account.id: ledger.account_label(account) for account in db.session.scalars(
        sa.select(Account).where(Account.kind == AccountKind.PARTNER))}
    for t, debit_kind, debit_number, credit_kind, credit_number, recorded_by, settled_by in db.session.execute(query):
        moved = 0 if t.reservation else t.minutes
        yield [t.id, _when(t.created_at), t.kind.value,
               transfer_state(reservation=t.reservation, state=t.state.value, settled_by=settled_by),
               debit_number or names.get(t.debit_account_id) or debit_kind.value,
               credit_number or names.get(t.credit_account_id) or credit_kind.value, t.minutes,
               moved, hours_decimal(moved), hours_hmm(moved), t.exchange_id, t.corrects_id,
               t.pending_id, recorded_by, t.memo, t.key]


EXPORTS: dict[str, Callable[[], Iterator[list]]] = {
    "members": _members, "listings": _listings, "exchanges": _exchanges, "transfers": _transfers,
}


def export_csv(name: str) -> Iterator[str]:
    """One table as CSV text, in chunks (the first begins with the byte-order mark)."""
    rows = EXPORTS[name]()
    columns = next(rows)
    yield from csv_chunks([title for title, _kind in columns], [kind for _title, kind in columns], rows)


def export_readme() -> str:
    """What each file and column of the exports means (README.txt in the ZIP, and on the exports page)."""
    return "\n\n".join(str(part) for part in readme_parts()) + "\n"


def readme_parts() -> list[str]:
    return [
        _("Timebank exports. Each file is CSV in UTF-8 with one line of column names. Hours are given three "
          "ways: minutes (whole numbers), decimal hours (1.50) and hours:minutes (1:30). Text that starts with "
          "= + - or @ begins with an apostrophe so that a spreadsheet shows it instead of computing it."),
        _("members.csv: one line per member. number: the member number. status: active, pending (waiting for "
          "approval), suspended or declined. role: member, coordinator or admin. joined: when the account was "
          "made; decided: when the application was approved or declined. verified_until: “yes” or the last day "
          "of a coordinator's verification. brokered: “yes” when coordinators record exchanges for the member. "
          "balance_minutes, balance_hours and balance_hmm: the balance (hours received minus hours given), as "
          "the member's “My hours” page shows it. last_seen: the member's last visit, to the hour."),
        _("listings.csv: one line per offer or request; categories are named in the language of the admin who "
          "downloaded the file."),
        _("exchanges.csv: one line per exchange between two members: who gave the service (provider), who "
          "received it (recipient), its state, the minutes agreed and the minutes done; "
          "recorded_by_coordinator is “yes” when a coordinator recorded it for the members."),
        _("transfers.csv: one line per movement or reservation of hours, from an account (“from”) to another "
          "(“to”): a member number, a partner's name, or “community” (the community account) or “system” "
          "(welcome hours and opening balances)."),
        _("state: “posted” — the hours moved; “reserved” — hours held for an agreed exchange, nothing moved "
          "yet; “released” — a reservation given up, nothing moved; “settled-by #N” — a reservation paid by "
          "transfer N, whose own line counts the hours."),
        _("minutes: the amount written on the line (reserved or moved). moved_minutes, moved_hours and "
          "moved_hmm: the hours that really moved — the same as minutes for “posted” lines, 0 for every "
          "reservation. Add up moved_minutes: the total of the file is all the time that moved. For one "
          "account, the moved_minutes of the lines where it is “to”, minus those where it is “from”, is its "
          "balance."),
        _("corrects_id: the transfer a correction or cancellation corrects. settles_id: the reservation a "
          "posted transfer pays. key: a unique reference of the transfer, used to avoid recording it twice."),
    ]


def export_zip() -> tempfile.SpooledTemporaryFile:
    """Every table in one ZIP file with a README.txt (kept in memory up to 16 MB, then on disk)."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", (BOM + export_readme()).encode("utf-8"))
        for name in EXPORTS:
            with archive.open(f"{name}.csv", "w", force_zip64=True) as member:
                for chunk in export_csv(name):
                    member.write(chunk.encode("utf-8"))
    spool.seek(0)
    return spool
