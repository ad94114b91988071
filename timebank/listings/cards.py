"""Listing cards read as plain records: what a card shows, in one statement, without the ORM's objects.

A list page shows up to 20 cards. Loaded as ``Listing`` objects with their member, category, partner and
languages, they cost the ORM about 1.5 ms (identity map, loader strategies, one object a row and a relation);
the same columns read as rows, the languages joined by the database into one column, cost a tenth of that. The
records answer what ``_partials/listing_card.html`` and the pages around it read (``listing.member.first_name``,
``listing.category.name(locale)``, ``listing.shown_status(today)``…), with the models' own methods, so a card
says the same either way.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

import sqlalchemy as sa

from timebank.admin.settings_store import kept_while_unchanged
from timebank.extensions import db
from timebank.listings.models import Category, Listing, ListingLanguage, ListingStatus, ListingType
from timebank.members.cards import SpeaksLanguages
from timebank.members.models import Member
from timebank.partners.models import Partner


@dataclass(frozen=True, slots=True)
class CardAuthor:
    id: int
    display_name: str
    verified_at: datetime | None
    verified_until: date | None

    first_name = Member.first_name
    is_verified = Member.is_verified


@dataclass(frozen=True, slots=True)
class CardCategory:
    id: int
    slug: str
    icon: str
    names: dict = field(hash=False, compare=False)  # a category's names change with the settings' version
    requires_verified: bool = False

    name = Category.name


@dataclass(frozen=True, slots=True)
class CardPartner:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CardProject:
    id: int
    title: str


# The projects' table as far as the listings read it: a task's project title, and its sponsor (the projects sit
# above the listings: no import of their model).
PROJECTS = sa.table("project", sa.column("id", sa.Integer), sa.column("title", sa.String),
                    sa.column("partner_id", sa.Integer))


@dataclass(frozen=True, slots=True)
class ListingCard(SpeaksLanguages):
    id: int
    type: ListingType
    title: str
    area: str | None
    duration_minutes: int | None
    status: ListingStatus
    ends_on: date | None
    hidden_at: datetime | None
    project_id: int | None
    member_id: int
    category_id: int
    partner_id: int | None
    member: CardAuthor
    category: CardCategory
    partner: CardPartner | None
    project: CardProject | None  # a task of a neighbourhood project: "for the project …" (``project_of``)
    language_codes: tuple[str, ...]

    is_expired = Listing.is_expired
    shown_status = Listing.shown_status
    # Two equal records show the same card (fastpaths.kept_html): every field the card reads is a field here,
    # but for the category's names (the settings' version is in the card's key) and the author's verification
    # on a given day (in the key too).
    RENDERS_BY_VALUE = True


class CardRow(tuple):
    """A page's cards as (card, what it says of the reader's languages) pairs: a list page is kept rendered whole
    for the same row (``_partials/listing_card.html`` ``listing_cards``), as each card is."""

    __slots__ = ()
    RENDERS_BY_VALUE = True

    @property
    def verified(self) -> tuple[bool, ...]:
        """Whether each card's author is verified today (the day is not in the cards' fields)."""
        return tuple(card.member.is_verified for card, _ in self)


def card_row(listings, speaks=None) -> CardRow | None:
    """The cards of a page as a ``CardRow``, or None when they are not all records (ORM objects: rendered one by
    one); ``speaks(card)``: what a card says of the reader's languages."""
    if not all(type(listing) is ListingCard for listing in listings):
        return None
    return CardRow((listing, speaks(listing) if speaks else "") for listing in listings)


@cache
def _statement() -> sa.Select:
    """The cards of the listings ``ids``, each with its languages, in one statement; built once."""
    listing, member, partner = Listing.__table__, Member.__table__, Partner.__table__
    language = ListingLanguage.__table__
    languages = (sa.select(sa.func.aggregate_strings(language.c.code, ","))
                 .where(language.c.listing_id == listing.c.id).scalar_subquery())
    return (sa.select(listing.c.id, listing.c.type, listing.c.title, listing.c.area, listing.c.duration_minutes,
                      listing.c.status, listing.c.ends_on, listing.c.hidden_at, listing.c.project_id,
                      listing.c.member_id, listing.c.category_id, listing.c.partner_id,
                      member.c.display_name, member.c.verified_at, member.c.verified_until,
                      partner.c.name, PROJECTS.c.title, languages)
            .select_from(listing.join(member, listing.c.member_id == member.c.id)
                         .outerjoin(partner, listing.c.partner_id == partner.c.id)
                         .outerjoin(PROJECTS, listing.c.project_id == PROJECTS.c.id))
            .where(listing.c.id.in_(sa.bindparam("ids", expanding=True))))


def listing_cards(ids: Sequence[int]) -> list[ListingCard]:
    """The cards of these listings, in the order of ``ids`` (an id with no listing is left out)."""
    if not ids:
        return []
    categories = kept_while_unchanged(CARD_CATEGORIES_KEPT, _card_categories)
    by_id = {}
    for row in db.session.execute(_statement(), {"ids": list(ids)}):
        (id_, type_, title, area, minutes, status, ends_on, hidden_at, project_id, member_id, category_id,
         partner_id, display_name, verified_at, verified_until, partner_name, project_title, codes) = row
        category = categories.get(category_id)
        if category is None:  # a category made since this process read them (its version token not yet seen)
            category = _card_categories(category_id)[category_id]
        by_id[id_] = ListingCard(
            id_, type_, title, area, minutes, status, ends_on, hidden_at, project_id, member_id, category_id,
            partner_id, CardAuthor(member_id, display_name, verified_at, verified_until), category,
            CardPartner(partner_id, partner_name) if partner_id is not None else None,
            CardProject(project_id, project_title) if project_id is not None else None,
            tuple(sorted(codes.split(","))) if codes else ())
    return [by_id[id_] for id_ in ids if id_ in by_id]


# The categories as cards show them (archived ones too: a listing keeps its category), kept a process while the
# settings' version is unchanged: an admin's change to a category writes a new one (``admin.categories``).
CARD_CATEGORIES_KEPT = "card categories"


def _card_categories(only: int | None = None) -> dict[int, CardCategory]:
    table = Category.__table__
    query = sa.select(table.c.id, table.c.slug, table.c.icon, table.c.names, table.c.requires_verified)
    if only is not None:
        query = query.where(table.c.id == only)
    return {id_: CardCategory(id_, slug, icon, names or {}, bool(verified))
            for id_, slug, icon, names, verified in db.session.execute(query)}
