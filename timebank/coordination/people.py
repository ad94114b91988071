"""Lists of members that scale: found by name (accents ignored), member number, phone or e-mail; filtered by
status and role; sorted by name, balance, last activity or date joined; 50 a page, in two queries whatever the
page."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from timebank.database import folded
from timebank.extensions import db
from timebank.ledger.models import Account
from timebank.members.models import Member, Role, Status

PER_PAGE = 50
# Sort keys people choose from, each in the order a coordinator expects first; the id settles ties, so a page
# never repeats or skips anyone.
SORTS = ("joined", "name", "balance", "activity")


@dataclass(frozen=True)
class PersonRow:
    member: Member
    balance: int | None


@dataclass(frozen=True)
class PeoplePage:
    rows: list[PersonRow]
    total: int
    page: int
    sort: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def _order(sort: str):
    return {
        "name": [folded(Member.display_name), Member.id],
        "balance": [sa.func.coalesce(Account.posted, 0).desc(), Member.id.desc()],
        "activity": [sa.case((Member.last_seen_at.is_(None), 1), else_=0), Member.last_seen_at.desc(),
                     Member.id.desc()],
    }.get(sort, [Member.created_at.desc(), Member.id.desc()])


def people_list(*, q: str = "", status: Status | None = None, role: Role | None = None, sort: str = "joined",
                page: int = 1) -> PeoplePage:
    """One page of members matching what was typed and the filters, in the order chosen."""
    from timebank.members.search import member_match

    sort = sort if sort in SORTS else "joined"
    query = sa.select(Member.id)
    found = member_match(q, private=True)
    if found is not None:
        query = query.where(found)
    if status is not None:
        query = query.where(Member.status == status)
    if role is not None:
        query = query.where(Member.role == role)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = max(1, page)
    if page > max(1, -(-total // PER_PAGE)):
        return PeoplePage([], total, page, sort)  # past the end (even 99999999999999999999): nothing to read
    rows = db.session.execute(
        sa.select(Member, Account.posted).outerjoin(Account, Account.member_id == Member.id)
        .where(Member.id.in_(query)).order_by(*_order(sort)).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return PeoplePage([PersonRow(member, balance) for member, balance in rows], total, page, sort)
