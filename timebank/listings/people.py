"""Members as the listings show them: whose contact details a member may see, and the members' directory (found
by name, by what they offer, their languages and their area)."""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache

import sqlalchemy as sa

from timebank.extensions import db
from timebank.listings.models import Listing, ListingType
from timebank.listings.search import matching, visible
from timebank.listings.search_words import search_tokens
from timebank.members.cards import MemberCard, member_cards
from timebank.members.models import Member, Status
from timebank.timeutil import utcnow


# Contact details -----------------------------------------------------------


def have_agreed_exchange(a: Member, b: Member) -> bool:
    """Have these two members agreed an exchange together (both accepted it, and it was not called off)?

    A gift does not count, nor does a proposal: either one is made without the other person's consent,
    and must not hand over her phone number.
    """
    return db.session.scalar(_agreed_between(), {"a": a.id, "b": b.id}) is not None


@cache
def _agreed_between() -> sa.Select:
    """Built once (a member's and a listing's pages ask it on every view)."""
    from timebank.exchanges.models import Exchange, ExchangeState

    a, b = sa.bindparam("a", type_=sa.Integer), sa.bindparam("b", type_=sa.Integer)
    agreed = (ExchangeState.AGREED, ExchangeState.DONE, ExchangeState.COMPLETED, ExchangeState.DISPUTED)
    return sa.select(Exchange.id).where(
        sa.or_(sa.and_(Exchange.provider_id == a, Exchange.recipient_id == b),
               sa.and_(Exchange.provider_id == b, Exchange.recipient_id == a)),
        Exchange.state.in_(agreed),
        Exchange.reservation_id.is_not(None),  # only an accepted proposal reserves hours; a gift never does
    ).limit(1)


def can_see_contact(*, member: Member, viewer: Member | None) -> bool:
    from timebank.members.models import ContactVisibility

    if viewer is None or not viewer.is_authenticated or not viewer.is_active_member:
        return False
    if viewer.id == member.id or viewer.is_coordinator:
        return True
    if member.contact_visibility is ContactVisibility.MEMBERS:
        return True
    if member.contact_visibility is ContactVisibility.COUNTERPARTS:
        return have_agreed_exchange(member, viewer)
    return False


# Beyond a thousand members (34 pages), "more than 1 000: type a name or a skill" is what a reader needs.
DIRECTORY_COUNT_CAP = 1000
DIRECTORY_PER_PAGE = 30


def members_directory(*, q: str = "", language: str | None = None, area: str | None = None,
                      skill: str = "", page: int = 1, per_page: int = DIRECTORY_PER_PAGE,
                      private: bool = False) -> tuple[list[MemberCard], int]:
    """Active members by name or member number (and, ``private``, phone or e-mail: for coordinators), or by what
    they offer, the languages they speak and their area; with their number, counted up to
    ``DIRECTORY_COUNT_CAP + 1``."""
    from timebank.members.search import member_match

    found = member_match(q, private=private)
    offered = search_tokens(skill)
    params = {"language": language, "area": area, "cap": DIRECTORY_COUNT_CAP + 1, "limit": per_page}
    if found is None and not offered:  # the directory as most open it: its statements are built once
        count, page_ids = _browsing(private, language is not None, area is not None)
    else:
        conditions = _conditions(private, language is not None, area is not None)
        if found is not None:
            conditions.append(found)
        if offered:
            offers = matching(visible(sa.select(Listing.member_id), on=utcnow().date()), skill).where(
                Listing.type == ListingType.OFFER)
            conditions.append(Member.id.in_(offers))
        count, page_ids = _statements(conditions)
    # Counted up to DIRECTORY_COUNT_CAP + 1 (an index walk that stops), not every member of a city on each view.
    total = db.session.scalar(count, params)
    page = max(1, page)
    if (page - 1) * per_page >= max(total, 1):
        return [], total
    ids = db.session.scalars(page_ids, {**params, "offset": (page - 1) * per_page}).all()
    return member_cards(ids), total


def _conditions(private: bool, by_language: bool, by_area: bool) -> list:
    """Who the directory shows, with the language and the area as parameters (``language``, ``area``)."""
    from timebank.members.models import MemberLanguage

    conditions = [Member.status == Status.ACTIVE]
    if not private:  # coordinators find everyone; members, those who agree to be shown
        from timebank.privacy.models import withdrawn

        conditions.append(Member.id.not_in(withdrawn("directory")))
    if by_language:
        conditions.append(Member.id.in_(sa.select(MemberLanguage.member_id).where(
            MemberLanguage.code == sa.bindparam("language", type_=sa.String))))
    if by_area:
        conditions.append(Member.area == sa.bindparam("area", type_=sa.String))
    return conditions


def _statements(conditions: list) -> tuple[sa.Select, sa.Select]:
    """The capped count, and a page of ids in name order (read from the index on (status, name, id))."""
    def integer(name):
        return sa.bindparam(name, type_=sa.Integer)

    count = sa.select(sa.func.count()).select_from(
        sa.select(Member.id).where(*conditions).limit(integer("cap")).subquery())
    page_ids = (sa.select(Member.id).where(*conditions).order_by(Member.display_name, Member.id)
                .limit(integer("limit")).offset(integer("offset")))
    return count, page_ids


@lru_cache(maxsize=8)
def _browsing(private: bool, by_language: bool, by_area: bool) -> tuple[sa.Select, sa.Select]:
    """Built once for each way of browsing without a name or a skill typed (every view of the directory)."""
    return _statements(_conditions(private, by_language, by_area))


def languages_in(members: Iterable[Member]) -> set[str]:
    return {code for member in members for code in member.language_codes}
