"""Finding a member by what a person types: her number, her name, and for coordinators her phone or e-mail."""
from __future__ import annotations

import re
from typing import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from timebank.database import fold, folded
from timebank.errors import DomainError, NotFound
from timebank.extensions import db
from timebank.members.models import Member, Status
from timebank.members.services import member_number

SEARCH_MAX = 80
_PHONE_TYPED = re.compile(r"[0-9 .+()/-]+")
_PHONE_MIN_DIGITS = 6  # fewer digits find too many phones, and a member number is typed that way


def _digits_only(column):
    """The phone column without the spaces, dots, dashes and brackets people type between the digits."""
    for character in " .-()/+":
        column = sa.func.replace(column, character, "")
    return column


def member_match(text: str, *, private: bool):
    """The condition that finds members by what a person types, or None when nothing usable was typed.

    Everyone finds a member by her member number (1042, M-1042: what she reads out from her welcome
    sheet) or by a part of her name, accents and capitals ignored ("helene" finds "Hélène"). With
    ``private`` (coordinators and admins only) her phone number and e-mail address find her too: a
    member must not learn who is behind a phone number by searching.
    """
    text = "".join(c for c in (text or "") if c.isprintable()).strip()[:SEARCH_MAX]
    if not text:
        return None
    conditions = [folded(Member.display_name).contains(fold(text), autoescape=True)]
    number = member_number(text)
    if number is not None and number < 2**31:
        conditions.append(Member.number == number)
    if private:
        conditions.append(Member.email.contains(text.lower(), autoescape=True))
        digits = re.sub(r"[^0-9]", "", text)
        if _PHONE_TYPED.fullmatch(text) and len(digits) >= _PHONE_MIN_DIGITS:
            # The last nine digits: "06 11 22 33 44" also finds "+33 6 11 22 33 44".
            conditions.append(_digits_only(Member.phone).contains(digits[-9:], autoescape=True))
    return sa.or_(*conditions)


def members_find(*, text: str, private: bool, statuses: Iterable[Status] | None = None,
                 limit: int = 20) -> list[Member]:
    """Members matching what was typed (see ``member_match``), exact member number first, then by name."""
    condition = member_match(text, private=private)
    if condition is None:
        return []
    query = sa.select(Member).where(condition)
    if statuses is not None:
        query = query.where(Member.status.in_(list(statuses)))
    number = member_number(text)
    exact = sa.case((Member.number == number, 0), else_=1) if number is not None and number < 2**31 else sa.literal(1)
    return list(db.session.scalars(query.order_by(exact, Member.display_name, Member.id).limit(limit)))


def member_find_one(*, text: str, private: bool) -> Member:
    """The one active member that what was typed designates; a readable refusal when none or several match."""
    found = members_find(text=text, private=private, statuses=[Status.ACTIVE], limit=6)
    number = member_number(text or "")
    if found and number is not None and found[0].number == number:
        return found[0]
    if not found:
        raise NotFound(_l("No member found: check the member number, the name, the phone or the e-mail."),
                       field="number")
    if len(found) > 1:
        raise DomainError(_l("Several members match (%(names)s): give the member number.",
                             names=", ".join(f"{m.display_name} {m.number}" for m in found[:5])), field="number")
    return found[0]
