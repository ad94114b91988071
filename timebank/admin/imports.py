"""Importing members from a spreadsheet (an association leaving its Excel file).

First a preview names every row's problem; nothing is written until the file
has none, and then everything is written in one transaction or nothing is.
Opening balances arrive as "opening" transfers from the timebank's system
account, so the ledger stays balanced and ``timebank ledger verify`` clean.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from fractions import Fraction

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from timebank.admin.models import MemberImport
from timebank.audit import audit
from timebank.database import atomic
from timebank.errors import Conflict, DomainError, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.timeutil import utcnow

MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024

# Column names as a French or English spreadsheet may write them.
HEADERS = {
    "name": {"name", "nom", "nom complet", "display name", "prénom nom"},
    "email": {"email", "e-mail", "courriel", "mail", "adresse e-mail"},
    "phone": {"phone", "téléphone", "telephone", "tel", "tél", "portable"},
    "area": {"area", "quartier", "secteur"},
    "languages": {"languages", "langues", "langues parlées"},
    "locale": {"locale", "langue", "langue du site"},
    "balance": {"balance", "opening balance", "solde", "solde d'ouverture", "heures"},
}


@dataclass
class ImportRow:
    line: int
    name: str
    email: str | None
    phone: str | None
    area: str | None
    languages: list[str]
    locale: str
    balance: int  # minutes
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[ImportRow]
    problems: list[str]  # about the whole file

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows and not any(row.problems for row in self.rows)

    @property
    def with_problems(self) -> int:
        return sum(1 for row in self.rows if row.problems)


def _minutes(text: str) -> int | None:
    """ "2", "1.5", "1,5", "1:30", "-3" hours → minutes; None if unreadable (also "inf", "1e400", "nan")."""
    text = text.strip().replace(" ", "")
    if not text:
        return 0
    match = re.fullmatch(r"([+-]?)(\d{1,4}):([0-5]\d)", text)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        return -minutes if match.group(1) == "-" else minutes
    match = re.fullmatch(r"([+-]?)(\d{1,4})(?:[.,](\d{1,6}))?", text)
    if match is None:
        return None
    hours = Fraction(int(match.group(2))) + (Fraction(int(match.group(3)), 10 ** len(match.group(3)))
                                             if match.group(3) else 0)
    minutes = round(hours * 60)
    return -minutes if match.group(1) == "-" else minutes


def _shown(text: str) -> str:
    """A value echoed in a message: visible characters only, and short."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return text if len(text) <= 40 else text[:39] + "…"


def _row(number: int, cells: list[str], columns: dict, *, areas, spoken, locales, floor, ceiling, seen) -> ImportRow:
    """One line of the file, checked by the validators of the web forms and the rules of the ledger."""
    from timebank.admin.forms import ImportRowForm

    config = current_app.config
    get = lambda key: cells[columns[key]].strip() if key in columns and columns[key] < len(cells) else ""  # noqa: E731
    name, email, phone = " ".join(get("name").split()), get("email").lower(), get("phone")
    row = ImportRow(line=number, name=name, email=email or None, phone=phone or None, area=None, languages=[],
                    locale=get("locale").lower() or config["BABEL_DEFAULT_LOCALE"], balance=0)
    found = ImportRowForm.problems(name=name, email=email, phone=phone)
    row.problems += found["name"] if row.name else [str(_l("The name is missing."))]
    row.problems += found["email"] + found["phone"]
    if row.email and found["email"]:
        row.email = _shown(row.email)  # refused: shown, never looked up
    elif row.email:
        if row.email in seen:
            row.problems.append(str(_l("This e-mail address is already on line %(line)s.", line=seen[row.email])))
        seen.setdefault(row.email, number)
    if get("area"):
        row.area = areas.get(get("area").casefold())
        if row.area is None:
            row.problems.append(str(_l("Unknown area: %(area)s.", area=_shown(get("area")))))
    for code in re.split(r"[\s,;/]+", get("languages").lower()):
        if code and code not in spoken:
            row.problems.append(str(_l("Unknown language: %(code)s.", code=_shown(code))))
        elif code and code not in row.languages:
            row.languages.append(code)
    if row.locale not in locales:
        row.problems.append(str(_l("Unknown website language: %(code)s.", code=_shown(row.locale))))
        row.locale = config["BABEL_DEFAULT_LOCALE"]
    balance = _minutes(get("balance"))
    if balance is None:
        row.problems.append(str(_l("The balance is not a number of hours.")))
    elif not floor <= balance <= ceiling:
        row.problems.append(str(_l("The balance must be between the limits of an account.")))
    elif balance % config["TIMEBANK_LEDGER_STEP"]:
        row.problems.append(str(_l("The balance must be a whole number of steps of %(step)s minutes.",
                                   step=config["TIMEBANK_LEDGER_STEP"])))
    else:
        row.balance = balance
    if len(row.name) > 80:
        row.name = row.name[:79] + "…"  # what the preview shows; the line is refused anyway
    return row


def import_parse(data: bytes) -> ImportPlan:
    """Read the file and name every problem, row by row; writes nothing."""
    if len(data) > MAX_BYTES:
        return ImportPlan([], [str(_l("The file is too large: at most %(n)s rows.", n=MAX_ROWS))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportPlan([], [str(_l("The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8”."))])
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader, None)
    except csv.Error:
        return ImportPlan([], [str(_l("Line %(line)s cannot be read: a cell is too long or a quote is not closed.",
                                      line=1))])
    if not header:
        return ImportPlan([], [str(_l("The file is empty."))])
    columns = {}
    for index, title in enumerate(header):
        for key, names in HEADERS.items():
            if title.strip().lower() in names:
                columns.setdefault(key, index)
    if "name" not in columns:
        return ImportPlan([], [str(_l("The first line must name the columns, with at least a “name” column."))])

    config = current_app.config
    areas = {area.casefold(): area for area in config["TIMEBANK_AREAS"]}
    spoken, locales = set(config["TIMEBANK_SPOKEN_LANGUAGES"]), set(config["LANGUAGES"])
    floor, ceiling = config["TIMEBANK_LEDGER_FLOOR"], config["TIMEBANK_LEDGER_CEILING"]
    rows, seen = [], {}
    number = 1
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                return ImportPlan([], [str(_l("The file is too large: at most %(n)s rows.", n=MAX_ROWS))])
            rows.append(_row(number, cells, columns, areas=areas, spoken=spoken, locales=locales, floor=floor,
                             ceiling=ceiling, seen=seen))
    except csv.Error:
        return ImportPlan([], [str(_l("Line %(line)s cannot be read: a cell is too long or a quote is not closed.",
                                      line=number + 1))])
    if not rows:
        return ImportPlan([], [str(_l("The file has no member."))])
    emails = [row.email for row in rows if row.email and row.email in seen]
    taken = set(db.session.scalars(sa.select(Member.email).where(Member.email.in_(emails)))) if emails else set()
    for row in rows:
        if row.email in taken:
            row.problems.append(str(_l("A member already has this e-mail address.")))
    return ImportPlan(rows, [])


@dataclass(frozen=True)
class Imported:
    member: Member
    password: str | None  # for members without e-mail: printed on their welcome sheet, never stored


class AlreadyImported(Conflict):
    def __init__(self):
        super().__init__(_l("This import was already done: nothing was imported a second time."))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_prepare(*, actor: Member, data: bytes) -> str:
    """Record a checked file as ready to import once; return the one-time number its confirmation carries."""
    if not (actor.is_admin and actor.is_active_member):
        raise NotAllowed(_l("Only admins can import members."))
    nonce = secrets.token_urlsafe(24)

    def work():
        db.session.add(MemberImport(nonce=nonce, data_sha256=_digest(data), created_by_id=actor.id,
                                    created_at=utcnow()))
        return nonce

    return atomic(work)


def members_import(*, actor: Member, data: bytes, nonce: str) -> list[Imported]:
    """Create every member of the file, or none; tell each one (e-mail, or a printed sheet).

    The confirmation is used up in the same transaction as the import: a second
    confirmation of the same file, even at the same moment, writes nothing.
    """
    from timebank.coordination.services import temporary_password
    from timebank.ledger import services as ledger
    from timebank.ledger.models import TransferKind
    from timebank.members.services import member_create
    from timebank.notifications.services import mail_queue

    if not (actor.is_admin and actor.is_active_member):
        raise NotAllowed(_l("Only admins can import members."))
    if db.session.scalar(sa.select(MemberImport.done_at).where(MemberImport.nonce == nonce)) is not None:
        raise AlreadyImported()
    plan = import_parse(data)
    if not plan.ok:
        raise DomainError(_l("The file still has problems: nothing was imported."))

    def work():
        # One UPDATE that only the first confirmation can win: the second waits for the first's
        # row lock (PostgreSQL) or the write lock (SQLite), then finds the import done.
        used = db.session.execute(
            sa.update(MemberImport)
            .where(MemberImport.nonce == nonce, MemberImport.data_sha256 == _digest(data),
                   MemberImport.done_at.is_(None))
            .values(done_at=utcnow(), done_by_id=actor.id)
            .execution_options(synchronize_session=False))
        if used.rowcount != 1:
            known = db.session.scalar(sa.select(MemberImport.id).where(MemberImport.nonce == nonce))
            if known is None:
                raise DomainError(_l("This import cannot be confirmed: please check the file again."))
            raise AlreadyImported()
        done = []
        system = ledger.system_account()
        for row in plan.rows:
            password = temporary_password()
            member = member_create(display_name=row.name, email=row.email, password=password, status=Status.ACTIVE,
                                   locale=row.locale, area=row.area, languages=row.languages, phone=row.phone,
                                   decided_by=actor)
            if row.email:
                mail_queue(member=member, subject=_l("Your account at the timebank is ready"),
                           template="member_imported")
            done.append(Imported(member, None if row.email else password))
        # Credits first: the system account, which issues them, may then take back the debts in any order.
        for row, item in sorted(zip(plan.rows, done), key=lambda pair: -pair[0].balance):
            if row.balance:
                account = ledger.account_of(item.member)
                debit, credit = (system, account) if row.balance > 0 else (account, system)
                ledger.transfer_post_in_transaction(
                    debit=debit, credit=credit, minutes=abs(row.balance), kind=TransferKind.OPENING,
                    key=f"auto:opening:{item.member.id}", actor=actor, memo=str(_l("Opening balance")))
        db.session.execute(sa.update(MemberImport).where(MemberImport.nonce == nonce)
                           .values(members=len(done)).execution_options(synchronize_session=False))
        audit(actor=actor, action="members_imported", target=f"{len(done)} members",
              members=[item.member.number for item in done])
        return done

    return atomic(work)
