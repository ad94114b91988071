"""Which listings everyone may see, and finding them: words in any language, filters, an order for the reader.

One search, two databases: SQLite's FTS5 table ``listing_fts`` and PostgreSQL's GIN index on the stored column
``listing.search_document`` (migrations 0026 and 0034). Both index a listing's words with Arabic letters folded
(``timebank.searchtext``) and one token for its category; a word of the query finds a listing through its own
words, or through its category's names in every language and the category's synonyms, matched here in Python
against the category table (a few dozen rows) so that a renamed category is found at once.

On a large instance the work stays small: the matches are walked newest first and the walk stops after
``COUNT_CAP + 1`` of them (all the pager ever offers), and the reader's order (her languages, then her area,
then newest) is applied to those few rows only. On SQLite the filters (type, area, languages, category) are
words of the index too, so FTS5 hands only the listings that pass them; on PostgreSQL the newest listings are
walked first, each checked against its stored document, before the GIN index is asked for older ones. Either
way the filters are also checked on each row: the index only narrows.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from timebank.database import capped_pages, committed_in_this_context
from timebank.extensions import db
from timebank.listings.cards import PROJECTS, ListingCard, listing_cards
from timebank.listings.models import Category, Listing, ListingLanguage, ListingStatus, ListingType
from timebank.listings.search_words import (categories_for, facet_words, fts5_facets, fts5_match, postgresql_query,
                                            search_tokens)
from timebank.members.models import Member, MemberLanguage, Status
from timebank.partners.models import Partner
from timebank.timeutil import utcnow

# Built once: SQLAlchemy's own Python is a large share of a page, and these never change.
_AUTHOR = sa.orm.aliased(Member, name="author")
_SENSITIVE = sa.select(Category.id).where(Category.requires_verified.is_(True)).scalar_subquery()
_SUSPENDED_PARTNERS = sa.select(Partner.id).where(Partner.suspended_at.is_not(None)).scalar_subquery()
# The tasks of a project a suspended partner sponsors are hidden with it (``cards.PROJECTS``: the projects feature
# sits beside the listings and reads them, not the other way round).
_SUSPENDED_PROJECTS = (sa.select(PROJECTS.c.id).where(PROJECTS.c.partner_id.in_(
    sa.select(Partner.id).where(Partner.suspended_at.is_not(None)))).scalar_subquery())
_FTS = sa.table("listing_fts", sa.column("rowid", sa.Integer), sa.column("listing_fts"))

CARD_OPTIONS = (joinedload(Listing.member), joinedload(Listing.category), selectinload(Listing.languages),
                joinedload(Listing.partner))

# Five pages: beyond them, "more than 100 listings: add a word or a choice" is all anyone needs to know. A search
# walks its matches newest first until COUNT_CAP + 1 pass the filters, checks each one's visibility and orders them
# for the reader: on a large instance the cap is what a common word or a filtered search costs (with 200, a
# filtered search cost twice as much at 100 000 listings as at the demo's size).
COUNT_CAP = 100
PREVIEW_WINDOW = 100  # an uncounted preview (the home page) orders the newest 100 matches for its reader


@lru_cache(maxsize=4)
def _visible_conditions(on: date) -> tuple:
    author = _AUTHOR
    return (
        Listing.status == ListingStatus.OPEN,
        Listing.hidden_at.is_(None),
        sa.or_(Listing.ends_on.is_(None), Listing.ends_on >= on),
        author.status == Status.ACTIVE,
        sa.or_(Listing.type != ListingType.OFFER, Listing.category_id.not_in(_SENSITIVE),
               sa.and_(author.verified_at.is_not(None),
                       sa.or_(author.verified_until.is_(None), author.verified_until >= on))),
        sa.or_(Listing.partner_id.is_(None), Listing.partner_id.not_in(_SUSPENDED_PARTNERS)),
        sa.or_(Listing.project_id.is_(None), Listing.project_id.not_in(_SUSPENDED_PROJECTS)),
    )


def visible(query, *, on: date):
    """Open listings that everyone may see: not hidden, not expired, by active (and, for sensitive offers, verified)
    members, not of a suspended partner."""
    return query.join(_AUTHOR, Listing.member_id == _AUTHOR.id).where(*_visible_conditions(on))


def _document():
    # PostgreSQL: the stored column of migration 0034 (not mapped: only the search reads it).
    return sa.literal_column("listing.search_document")


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def matching(query, q: str):
    """``query`` (which selects from ``listing``) narrowed to the listings that the words of ``q`` find."""
    tokens = search_tokens(q)
    if not tokens:
        return query
    categories = categories_for(tokens)
    if _is_postgresql():
        return query.where(_document().op("@@")(postgresql_query(tokens, categories)))
    ids = sa.select(_FTS.c.rowid).where(_FTS.c.listing_fts.op("MATCH")(fts5_match(tokens, categories)))
    return query.where(Listing.id.in_(ids))


# Searching -----------------------------------------------------------------

RECENT_LISTINGS = 5000  # PostgreSQL walks this many of the newest listings before it asks its GIN index


def _postgresql_matches(wanted, conditions: list, window: int) -> list[int]:
    """The ids of the newest ``window`` listings that ``wanted`` finds and ``conditions`` keep, newest first.

    A GIN index cannot hand its matches in any order: for a common word it collects tens of thousands of them,
    then they are sorted. So the newest ``RECENT_LISTINGS`` listings are walked first, newest first, each checked
    against its stored document, and the walk stops at ``window`` matches: for any word or filter found in one
    listing in 25 or more, nothing else is read. Only when the walk ends short is the index asked for the older
    ones, which are then few (a rare word) or worth the wait (a common word with narrow filters).
    """
    # A few hundred rows are read: parallel workers cost more to start than they save, and the planner would
    # start them for a walk on a large instance (this transaction only).
    db.session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))
    search = (sa.select(Listing.id).join(_AUTHOR, Listing.member_id == _AUTHOR.id).where(*conditions)
              .order_by(Listing.id.desc()).limit(window))
    floor = (db.session.scalar(sa.select(sa.func.max(Listing.id))) or 0) - RECENT_LISTINGS
    if floor <= 0:
        return list(db.session.scalars(search.where(_document().op("@@")(wanted))))
    # ts_match_vq is @@ written as a function, which no index answers: the planner can only walk.
    recent = list(db.session.scalars(search.where(Listing.id > floor, sa.func.ts_match_vq(_document(), wanted))))
    if len(recent) == window:
        return recent
    older = search.where(Listing.id <= floor, _document().op("@@")(wanted)).limit(window - len(recent))
    return recent + list(db.session.scalars(older))


@dataclass(frozen=True)
class SearchPage:
    listings: list[ListingCard]
    total: int  # counted up to COUNT_CAP + 1
    page: int
    per_page: int

    @property
    def cap(self) -> int:
        return COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def pages(self) -> int:
        return capped_pages(self.total, COUNT_CAP, self.per_page)


@cache
def _codes_of() -> sa.Select:
    """A member's languages as codes, built once (the listings' pages read their reader's on every view)."""
    return (sa.select(MemberLanguage.code).where(MemberLanguage.member_id == sa.bindparam("member", type_=sa.Integer))
            .order_by(MemberLanguage.code))


@dataclass(frozen=True)
class Reader:
    """Whom the results are ordered for: her languages (the ones beyond the timebank's own first) and her area."""

    languages: tuple[str, ...] = ()
    rare_languages: tuple[str, ...] = ()  # hers, except the timebank's default language: what the cards name
    area: str | None = None

    @classmethod
    def of(cls, member: Member | None) -> Reader:
        if member is None or not getattr(member, "is_authenticated", False):
            return cls()
        codes = getattr(member, "spoken_codes", None)  # read with the signed-in member (navigation.member_and_menu)
        if codes is None or committed_in_this_context():
            codes = tuple(db.session.scalars(_codes_of(), {"member": member.id}))
        default = current_app.config["BABEL_DEFAULT_LOCALE"]
        return cls(languages=codes, rare_languages=tuple(code for code in codes if code != default),
                   area=member.area or None)

    def speaks(self, listing: Listing) -> list[str]:
        """Her less common languages that the listing is offered in, for the card to say so ("speaks Arabic")."""
        if not self.rare_languages:
            return []
        codes = listing.language_codes
        return [code for code in self.rare_languages if code in codes]

    def order_by(self) -> list:
        """Shares one of her less common languages, then any of hers, then her area (then newest, by the caller)."""
        order = []
        if self.languages:
            # One look at the listing's languages: 0 for one of her less common ones (all of them are hers), 1 for
            # another of hers, 2 for none.
            rare = ListingLanguage.code.in_(self.rare_languages) if self.rare_languages else sa.false()
            order.append(sa.func.coalesce(
                sa.select(sa.func.min(sa.case((rare, 0), else_=1)))
                .where(ListingLanguage.listing_id == Listing.id, ListingLanguage.code.in_(self.languages))
                .scalar_subquery(), 2))
        if self.area:
            order.append(sa.case((Listing.area == self.area, 0), else_=1))
        return order


def _conditions(on: date, type, category_id, area, language, exclude_id) -> list:
    conditions = list(_visible_conditions(on))
    if type is not None:
        conditions.append(Listing.type == type)
    if category_id is not None:
        conditions.append(Listing.category_id == category_id)
    if area:
        conditions.append(Listing.area == area)
    if language:
        conditions.append(sa.exists().where(ListingLanguage.listing_id == Listing.id,
                                            ListingLanguage.code == language))
    if exclude_id is not None:
        conditions.append(Listing.member_id != exclude_id)
    return conditions


@lru_cache(maxsize=256)
def _statements(on: date, type, category_id, area, language, exclude_id, match: str | None, window: int,
                reader: Reader, counted: bool, per_page: int, page: int) -> tuple[sa.Select, sa.Select]:
    """A search's page and its count, built once for what was asked (kept a process, the most recent 256): the
    same search asked again (every visit to /listings, a member's home page) pays neither for building them nor
    for working out their cache keys, which cost as much as running them."""
    conditions = _conditions(on, type, category_id, area, language, exclude_id)
    if match is not None:
        # Started from the full-text index, newest first: FTS5 hands rowids in order, with the typed words and the
        # filters intersected, and the walk stops early. The filters are checked on the rows as well: the index
        # only narrows.
        listing_is_kept = (sa.select(sa.literal(1)).select_from(Listing)
                           .join(_AUTHOR, Listing.member_id == _AUTHOR.id)
                           .where(Listing.id == _FTS.c.rowid, *conditions).exists())
        found = (sa.select(_FTS.c.rowid.label("id")).where(_FTS.c.listing_fts.op("MATCH")(match), listing_is_kept)
                 .order_by(_FTS.c.rowid.desc()).limit(window))
    else:
        found = (sa.select(Listing.id.label("id")).join(_AUTHOR, Listing.member_id == _AUTHOR.id)
                 .where(*conditions).order_by(Listing.id.desc()).limit(window))
    return _paged(found, reader, counted, per_page, page)


def _paged(found: sa.Select, reader: Reader, counted: bool, per_page: int, page: int) -> tuple[sa.Select, sa.Select]:
    """The page of ``found`` in the reader's order (with the number found, ``counted``), and a count of it."""
    found = found.subquery("found")
    order = reader.order_by()
    columns = [found.c.id] + ([sa.func.count().over().label("total")] if counted else [])
    chosen = sa.select(*columns).select_from(found)
    if order:
        chosen = chosen.join(Listing, Listing.id == found.c.id)
    chosen = chosen.order_by(*order, found.c.id.desc()).limit(per_page).offset((page - 1) * per_page)
    return chosen, sa.select(sa.func.count()).select_from(found)


def listings_search(*, q: str = "", type: ListingType | None = None, category_id: int | None = None,
                    language: str | None = None, area: str | None = None, page: int = 1,
                    per_page: int = 20, exclude_member: Member | None = None, reader: Reader | None = None,
                    counted: bool = True, on: date | None = None) -> SearchPage:
    """Open listings found by words and filters, ordered for ``reader`` (newest first for nobody in particular).

    The newest ``COUNT_CAP + 1`` matches are found in one indexed statement that stops there; the page is taken
    from them in the reader's order, with their number. ``counted=False`` (a preview) looks at fewer and counts
    nothing.
    """
    reader = reader or Reader()
    on = on or utcnow().date()
    page = max(1, page)
    window = COUNT_CAP + 1 if counted else (PREVIEW_WINDOW if reader.languages or reader.area else per_page)
    tokens = search_tokens(q)
    categories = categories_for(tokens)
    facets = facet_words(type=type, area=area, language=language)
    exclude_id = exclude_member.id if exclude_member is not None else None
    if tokens and _is_postgresql():
        conditions = _conditions(on, type, category_id, area, language, exclude_id)
        ids = _postgresql_matches(postgresql_query(tokens, categories), conditions, window)
        # One array parameter rather than one parameter an id: the statement is planned faster.
        found = sa.select(Listing.id.label("id")).where(
            Listing.id == sa.any_(sa.cast(sa.literal(ids, sa.ARRAY(sa.Integer)), sa.ARRAY(sa.Integer))))
        chosen, count = _paged(found, reader, counted, per_page, page)
    else:
        # Started from the full-text index on SQLite (the typed words and the filters as words), else from the
        # listings newest first: see _statements.
        indexed = (tokens or facets or category_id is not None) and not _is_postgresql()
        match = " AND ".join(part for part in (fts5_match(tokens, categories), fts5_facets(facets, category_id))
                             if part) if indexed else None
        chosen, count = _statements(on, type, category_id, area, language, exclude_id, match, window, reader,
                                    counted, per_page, page)
    # A page past the window cannot hold anything (and a huge page number would overflow the offset).
    rows = db.session.execute(chosen).all() if (page - 1) * per_page < window else []
    if counted:
        if rows:
            total = rows[0].total
        else:  # past the last page (an old link), or nothing found: count only when it can be more than none
            total = db.session.scalar(count) if page > 1 else 0
    else:
        total = len(rows)
    ids = [row.id for row in rows]
    if not ids:
        return SearchPage([], total, page, per_page)
    return SearchPage(listing_cards(ids), total, page, per_page)
