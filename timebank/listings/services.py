"""Listing operations: publish, edit, browse and search, match (reports and reminders: ``upkeep``; contact details
and the members' directory: ``people``)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.audit import audit, audit_changes
from timebank.database import atomic
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.listings import search
from timebank.admin.settings_store import kept_while_unchanged
from timebank.listings.cards import CardCategory, ListingCard, listing_cards
from timebank.listings.search_words import CATEGORIES_KEPT
from timebank.listings.models import Category, Listing, ListingLanguage, ListingStatus, ListingType
from timebank.listings.search import CARD_OPTIONS, Reader, SearchPage, matching, visible  # noqa: F401
from timebank.members.models import Member, Status
from timebank.notifications.services import mail_queue, notify
from timebank.timeutil import utcnow


class NotVerified(NotAllowed):
    def __init__(self, category: Category, locale: str):
        super().__init__(_l(
            "Only members verified by a coordinator can offer “%(category)s”. To be verified, meet a coordinator "
            "of the association: bring an identity document; they may also call people who know you.",
            category=category.name(locale)), field="category")


def today() -> date:
    return utcnow().date()


# Categories ----------------------------------------------------------------


def categories(*, include_archived: bool = False) -> list[Category]:
    query = sa.select(Category).order_by(Category.position, Category.id)
    if not include_archived:
        query = query.where(Category.archived_at.is_(None))
    return list(db.session.scalars(query))


def open_categories() -> tuple[CardCategory, ...]:
    """The open categories in their order, as records, for the pages that only show them (the listings' grid).

    Kept in the process: an admin's change to a category writes a new version token (``admin.categories``), and
    every worker reads them again at its next request.
    """
    return kept_while_unchanged(CATEGORIES_KEPT, _open_categories)


def _open_categories() -> tuple[CardCategory, ...]:
    table = Category.__table__
    rows = db.session.execute(sa.select(table.c.id, table.c.slug, table.c.icon, table.c.names,
                                        table.c.requires_verified)
                              .where(table.c.archived_at.is_(None)).order_by(table.c.position, table.c.id))
    return tuple(CardCategory(id_, slug, icon, names or {}, bool(verified)) for id_, slug, icon, names, verified in rows)


# Publishing ----------------------------------------------------------------


@dataclass(frozen=True)
class ListingFields:
    type: ListingType
    title: str
    description: str
    category_id: int
    tags: str
    languages: tuple[str, ...]
    area: str | None
    duration_minutes: int | None
    availability: str
    ends_on: date | None
    partner_id: int | None = None  # published for a partner the author represents


def _clean_tags(tags: str) -> str:
    # Commas as typed on any keyboard: "," ";" and the Arabic "،".
    seen = dict.fromkeys(tag.strip()[:30] for tag in re.split(r"[,;،]", tags) if tag.strip())
    return ", ".join(list(seen)[:10])[:200]


def _partner_for(author: Member, partner_id: int | None):
    """The partner a listing is published for: one the author represents now, and active."""
    if partner_id is None:
        return None
    from timebank.partners.models import Partner

    partner = db.session.get(Partner, partner_id)
    if partner is None or not _represents(author, partner):
        raise NotAllowed(_l("You can publish only for yourself or for a partner you represent."), field="partner")
    if not partner.is_active:
        raise NotAllowed(_l("%(partner)s is suspended: it cannot publish for now.", partner=partner.name),
                         field="partner")
    return partner


def _apply(listing: Listing, fields: ListingFields, *, author: Member, locale: str) -> None:
    category = db.session.get(Category, fields.category_id)
    if category is None or category.archived_at is not None:
        raise DomainError(_l("Please choose a category from the list."), field="category")
    if category.requires_verified and fields.type is ListingType.OFFER and not author.is_verified:
        raise NotVerified(category, locale)
    if not fields.title.strip():
        raise DomainError(_l("Please give a title."), field="title")
    if fields.ends_on is not None and fields.ends_on < today():
        raise DomainError(_l("The end date is already past. Choose a later date or leave it empty."),
                          field="ends_on")
    listing.type = fields.type
    listing.title = fields.title.strip()
    listing.description = fields.description.strip()
    listing.category = category
    listing.tags = _clean_tags(fields.tags)
    listing.area = fields.area or None
    listing.duration_minutes = fields.duration_minutes or None
    listing.availability = fields.availability.strip()
    if listing.ends_on != fields.ends_on:
        listing.reminded_at = None
    listing.ends_on = fields.ends_on
    listing.updated_at = utcnow()
    wanted = list(dict.fromkeys(fields.languages))
    listing.languages = [next((kept for kept in listing.languages if kept.code == code), None)
                         or ListingLanguage(code=code) for code in wanted]


def listing_create(*, author: Member, fields: ListingFields, locale: str, tell_matches: bool = True) -> Listing:
    """Publish an offer or a request, and tell the members whose listings match it."""
    def work():
        if not author.is_active_member:
            raise NotAllowed(_l("Your membership must be approved before you can publish."))
        listing = Listing(member=author, status=ListingStatus.OPEN, created_at=utcnow(),
                          partner=_partner_for(author, fields.partner_id))
        _apply(listing, fields, author=author, locale=locale)
        db.session.add(listing)
        db.session.flush()
        if tell_matches:
            _notify_matches(listing)
        return listing

    return atomic(work)


def listing_can_edit(listing: Listing, member: Member | None) -> bool:
    """Its author or a coordinator; for a partner's listing, any of the partner's representatives now (its author
    only while she represents it)."""
    if member is None or not getattr(member, "is_authenticated", True) or not member.is_active_member:
        return False
    if member.is_coordinator:
        return True
    if listing.partner_id is not None:
        return _represents(member, listing.partner)
    return listing.member_id == member.id


def _represents(member: Member, partner) -> bool:
    from timebank.partners.access import represents

    return represents(member, partner)


def _check_can_edit(listing: Listing, actor: Member) -> None:
    if not listing_can_edit(listing, actor):
        raise NotAllowed(_l("Only the author of this listing or a coordinator can change it."))


def _terms(listing: Listing) -> dict:
    """What a representative may change, read through the relationships (the ids are set only at the flush)."""
    return {"type": listing.type.value, "title": listing.title, "description": listing.description,
            "category": listing.category.id if listing.category else None, "tags": listing.tags, "area": listing.area,
            "duration": listing.duration_minutes, "availability": listing.availability, "ends_on": listing.ends_on,
            "languages": sorted(language.code for language in listing.languages), "partner": listing.partner.id if listing.partner else None,
            "status": listing.status.value}


def _audit_for_partner(listing: Listing, actor: Member, old: dict, partner_id: int | None) -> None:
    """A representative changed a listing of her partner: the coordinators read it in the audit log."""
    changes = audit_changes(old, _terms(listing))
    if partner_id is not None and changes:
        audit(actor=actor, action="partner_listing_changed", target=f"listing {listing.id}", partner_id=partner_id,
              **changes)


def listing_update(*, listing: Listing, actor: Member, fields: ListingFields, locale: str) -> Listing:
    def work():
        _check_can_edit(listing, actor)
        if (_represents(actor, listing.partner) if listing.partner_id is not None
                else actor.id == listing.member_id):
            # Its author, or a representative of its partner: she may also change whom it is published for.
            old, partner_id = _terms(listing), listing.partner_id
            listing.partner = _partner_for(actor, fields.partner_id)
            _apply(listing, fields, author=actor, locale=locale)
            _audit_for_partner(listing, actor, old, partner_id or (listing.partner.id if listing.partner else None))
        else:  # a coordinator moderating: whom it is published for stays as it is
            _apply(listing, fields, author=listing.member, locale=locale)
        return listing

    return atomic(work)


def listing_set_status(*, listing: Listing, actor: Member, status: ListingStatus) -> Listing:
    """Pause, reopen or close a listing. A closed listing stays closed; a hidden one stays hidden."""
    def work():
        _check_can_edit(listing, actor)
        if listing.status is ListingStatus.CLOSED and status is not ListingStatus.CLOSED:
            raise InvalidTransition(_l("This listing is closed. Publish a new one instead."))
        if status is ListingStatus.OPEN and listing.is_expired(today()):
            raise InvalidTransition(_l("The end date of this listing has passed: change it before reopening."))
        old = _terms(listing)
        listing.status = status
        listing.updated_at = utcnow()
        if listing.partner_id is not None and _represents(actor, listing.partner):
            _audit_for_partner(listing, actor, old, listing.partner_id)
        return listing

    return atomic(work)


# What can be seen ----------------------------------------------------------


def _visible(query, *, on: date):
    return visible(query, on=on)


def can_browse(viewer: Member) -> bool:
    """Active members browse and answer; an applicant waiting for approval may look, without names or contacts."""
    return viewer.is_active_member or viewer.status is Status.PENDING


def listing_can_see(listing: Listing, viewer: Member | None, *, visible: bool | None = None) -> bool:
    """Everyone sees a visible listing; those who may change it see it whatever its state. ``visible``: whether it is
    visible today, when the caller read it with the listing (``visible_one``)."""
    if viewer is not None and viewer.is_authenticated and viewer.is_active_member:
        if viewer.id == listing.member_id or listing_can_edit(listing, viewer):
            return True
    if visible is not None:
        return visible
    return db.session.scalar(visible_one(today()), {"listing": listing.id}) is not None


@lru_cache(maxsize=4)
def visible_one(on: date) -> sa.Select:
    """Whether one listing (``listing``) is visible on ``on``: built once a day (a listing's page asks it on every
    view)."""
    return _visible(sa.select(Listing.id), on=on).where(Listing.id == sa.bindparam("listing", type_=sa.Integer))


def listings_search(**criteria) -> SearchPage:
    """Open listings found by words and filters, ordered for a reader; see ``search.listings_search``."""
    return search.listings_search(on=today(), **criteria)


DIRECTORY_MAX = 2000  # listings on one printed directory; beyond, print one area at a time


def listings_directory(*, area: str | None = None) -> list[Listing]:
    """The open listings for the printed directory (at most ``DIRECTORY_MAX``), by category, offers first."""
    query = _visible(sa.select(Listing.id), on=today())
    if area:
        query = query.where(Listing.area == area)
    return list(db.session.scalars(
        sa.select(Listing).where(Listing.id.in_(query)).join(Category, Listing.category_id == Category.id)
        .order_by(Category.position, Category.id, Listing.type, Listing.title, Listing.id).limit(DIRECTORY_MAX)
        .options(*CARD_OPTIONS)
    ).unique())


def partner_listings(*, partner) -> list[ListingCard]:
    """A partner's open listings that everyone may see, newest first."""
    query = _visible(sa.select(Listing.id), on=today()).where(Listing.partner_id == partner.id)
    return listing_cards(db.session.scalars(query.order_by(Listing.id.desc()).limit(100)).all())


def member_listings(*, member: Member, viewer: Member | None = None) -> list[ListingCard]:
    """All of a member's listings for the member (and coordinators); only visible ones for others."""
    sees_all = viewer is not None and (viewer.id == member.id or (viewer.is_coordinator and viewer.is_active_member))
    query = _listings_of(None if sees_all else today())
    return listing_cards(db.session.scalars(query, {"member": member.id}).all())


@lru_cache(maxsize=4)
def _listings_of(visible_on: date | None) -> sa.Select:
    """A member's listings, newest first (only those visible on ``visible_on``, if given); built once a day."""
    query = sa.select(Listing.id).where(Listing.member_id == sa.bindparam("member", type_=sa.Integer))
    if visible_on is not None:
        query = _visible(query, on=visible_on)
    return query.order_by(Listing.id.desc())


# Matching ------------------------------------------------------------------


def _matches_query(listing: Listing):
    """Open listings of the other kind, same category, sharing a language, by someone else."""
    other = ListingType.REQUEST if listing.type is ListingType.OFFER else ListingType.OFFER
    codes = listing.language_codes
    return _visible(sa.select(Listing), on=today()).where(
        Listing.type == other, Listing.category_id == listing.category_id, Listing.member_id != listing.member_id,
        Listing.id.in_(sa.select(ListingLanguage.listing_id).where(ListingLanguage.code.in_(codes))),
    )


def listing_matches(*, listing: Listing, limit: int = 6, reader: Reader | None = None) -> list[ListingCard]:
    """What answers this listing: same category and a shared language; people who share one of the reader's
    less common languages first, then the listing's area, then newest."""
    reader = reader or Reader()
    reader = Reader(languages=reader.languages, rare_languages=reader.rare_languages,
                    area=listing.area or reader.area)
    query = _matches_query(listing).with_only_columns(Listing.id).order_by(*reader.order_by(), Listing.id.desc())
    return listing_cards(db.session.scalars(query.limit(limit)).all())


def _notify_matches(listing: Listing) -> None:
    """Tell the authors of matching listings in the same area who asked to be told (once each, twenty at most)."""
    if not listing.area:
        return
    authors = db.session.scalars(
        sa.select(Member).where(
            Member.notify_matches.is_(True),
            Member.id.in_(_matches_query(listing).where(Listing.area == listing.area)
                          .with_only_columns(Listing.member_id)),
        ).order_by(Member.id).limit(20)
    ).all()
    for author in authors:
        params = {"title": listing.title, "category": listing.category.names, "area": listing.area,
                  "type": listing.type.value}
        notify(member=author, kind="match", params=params, link=f"/listings/{listing.id}")
        mail_queue(
            member=author,
            topic="matches",
            subject=lambda: (_("Someone near you needs help: %(title)s", title=listing.title)
                             if listing.type is ListingType.REQUEST
                             else _("Someone near you offers: %(title)s", title=listing.title)),
            template="listing_match",
            link=f"/listings/{listing.id}",
            listing=listing,
        )
