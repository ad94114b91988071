"""Importing members from a spreadsheet (an association leaving its Excel file).

First a preview names every row's problem; nothing is written until the file
has none, and then everything is written in one transaction or nothing is.
Opening balances arrive as "opening" transfers from the timebank's system
account, so the ledger stays balanced and ``timebank ledger verify`` clean.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from timebank.coordination.audit import audit
from timebank.database import atomic
from timebank.errors import DomainError, NotAllowed
from timebank.extensions import db
from timebank.members.models import Member, Status

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
    """ "2", "1.5", "1,5", "1:30", "-3" hours → minutes; None if unreadable."""
    text = text.strip().replace(" ", "")
    if not text:
        return 0
    match = re.fullmatch(r"([+-]?)(\d{1,4}):([0-5]\d)", text)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        return -minutes if match.group(1) == "-" else minutes
    try:
        return round(float(text.replace(",", ".")) * 60)
    except ValueError:
        return None


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
    header = next(reader, None)
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
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            return ImportPlan([], [str(_l("The file is too large: at most %(n)s rows.", n=MAX_ROWS))])
        get = lambda key: cells[columns[key]].strip() if key in columns and columns[key] < len(cells) else ""  # noqa: E731
        row = ImportRow(line=number, name=" ".join(get("name").split())[:80], email=get("email").lower() or None,
                        phone=get("phone")[:32] or None, area=None, languages=[],
                        locale=get("locale").lower() or config["BABEL_DEFAULT_LOCALE"], balance=0)
        if not row.name:
            row.problems.append(str(_l("The name is missing.")))
        if row.email:
            try:
                row.email = validate_email(row.email, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                row.problems.append(str(_l("This e-mail address is not valid.")))
            else:
                if row.email in seen:
                    row.problems.append(str(_l("This e-mail address is already on line %(line)s.", line=seen[row.email])))
                seen.setdefault(row.email, number)
        if get("area"):
            row.area = areas.get(get("area").casefold())
            if row.area is None:
                row.problems.append(str(_l("Unknown area: %(area)s.", area=get("area"))))
        for code in re.split(r"[\s,;/]+", get("languages").lower()):
            if code and code not in spoken:
                row.problems.append(str(_l("Unknown language: %(code)s.", code=code)))
            elif code and code not in row.languages:
                row.languages.append(code)
        if row.locale not in locales:
            row.problems.append(str(_l("Unknown website language: %(code)s.", code=row.locale)))
        balance = _minutes(get("balance"))
        if balance is None:
            row.problems.append(str(_l("The balance is not a number of hours.")))
        elif not floor <= balance <= ceiling:
            row.problems.append(str(_l("The balance must be between the limits of an account.")))
        else:
            row.balance = balance
        rows.append(row)
    if not rows:
        return ImportPlan([], [str(_l("The file has no member."))])
    emails = [row.email for row in rows if row.email]
    taken = set(db.session.scalars(sa.select(Member.email).where(Member.email.in_(emails)))) if emails else set()
    for row in rows:
        if row.email in taken:
            row.problems.append(str(_l("A member already has this e-mail address.")))
    return ImportPlan(rows, [])


@dataclass(frozen=True)
class Imported:
    member: Member
    password: str | None  # for members without e-mail: printed on their welcome sheet, never stored


def members_import(*, actor: Member, data: bytes) -> list[Imported]:
    """Create every member of the file, or none; tell each one (e-mail, or a printed sheet)."""
    from timebank.coordination.services import temporary_password
    from timebank.ledger import services as ledger
    from timebank.ledger.models import TransferKind
    from timebank.members.services import member_create
    from timebank.notifications.services import mail_queue

    if not (actor.is_admin and actor.is_active_member):
        raise NotAllowed(_l("Only admins can import members."))
    plan = import_parse(data)
    if not plan.ok:
        raise DomainError(_l("The file still has problems: nothing was imported."))

    def work():
        done = []
        system = ledger.system_account()
        for row in plan.rows:
            password = temporary_password()
            member = member_create(display_name=row.name, email=row.email, password=password, status=Status.ACTIVE,
                                   locale=row.locale, area=row.area, languages=row.languages, phone=row.phone,
                                   decided_by=actor)
            account = ledger.account_of(member)
            if row.balance:
                debit, credit = (system, account) if row.balance > 0 else (account, system)
                ledger.transfer_post_in_transaction(
                    debit=debit, credit=credit, minutes=abs(row.balance), kind=TransferKind.OPENING,
                    key=f"auto:opening:{member.id}", actor=actor, memo=str(_l("Opening balance")))
            if row.email:
                mail_queue(member=member, subject=_l("Your account at the timebank is ready"),
                           template="member_imported")
            done.append(Imported(member, None if row.email else password))
        audit(actor=actor, action="members_imported", target=f"{len(done)} members",
              members=[item.member.number for item in done])
        return done

    return atomic(work)
