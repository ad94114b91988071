"""Categories of offers and requests, as admins shape them: named in each language, ordered, archived, never
deleted (their listings stay readable)."""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from timebank.admin.settings_store import kept_forget_all, settings_version_bump
from timebank.audit import audit
from timebank.database import atomic
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.i18n import LOCALES
from timebank.listings.models import Category
from timebank.members.models import Member
from timebank.timeutil import utcnow

NAME_MAX = 60


def icons_available() -> list[str]:
    """The icons shipped in static/icons (file names without .svg)."""
    folder = os.path.join(current_app.static_folder, "icons")
    return sorted(name[:-4] for name in os.listdir(folder) if name.endswith(".svg"))


@dataclass(frozen=True)
class CategoryFields:
    names: dict  # {"fr": …, "en": …, "ar": …, "tr": …, "pt": …}
    icon: str
    requires_verified: bool
    synonyms: str = ""  # other words that find it, comma-separated, in any language


SYNONYM_MAX, SYNONYMS_COUNT_MAX = 60, 60


def _synonyms(text: str) -> list[str]:
    """The synonyms as a list: split at commas (",", ";", "،") or line breaks, spaces tidied, each once."""
    words = {}
    for piece in re.split(r"[,;،\n]", text or ""):
        word = " ".join(piece.split())
        if not word:
            continue
        if len(word) > SYNONYM_MAX:
            raise DomainError(_l("Each word or expression may have at most %(n)s characters.", n=SYNONYM_MAX),
                              field="synonyms")
        words.setdefault(word.casefold(), word)
    if len(words) > SYNONYMS_COUNT_MAX:
        raise DomainError(_l("At most %(n)s words or expressions.", n=SYNONYMS_COUNT_MAX), field="synonyms")
    return list(words.values())


def _check_admin(actor: Member) -> None:
    if not (actor.is_admin and actor.is_active_member):
        raise NotAllowed(_l("Only admins can change the categories."))


def names_required() -> tuple[str, ...]:
    """The languages a category must be named in: French, English, Arabic and every language the website offers
    (a name in another language the code knows is welcome, for the day the association offers it)."""
    offered = set(current_app.config["LANGUAGES"]) | {current_app.config["BABEL_DEFAULT_LOCALE"], "fr", "en", "ar"}
    return tuple(code for code in LOCALES if code in offered)


def _check(fields: CategoryFields, *, exclude: int | None = None) -> dict:
    names = {code: " ".join((fields.names.get(code) or "").split()) for code in LOCALES}
    required = names_required()
    for code in LOCALES:
        if (code in required and not names[code]) or len(names[code]) > NAME_MAX:
            raise DomainError(_l("Please name the category in each language (at most %(n)s characters).",
                                 n=NAME_MAX), field=f"name_{code}")
    names = {code: name for code, name in names.items() if name}
    if fields.icon not in icons_available():
        raise DomainError(_l("Please choose one of the icons."), field="icon")
    for other in db.session.scalars(sa.select(Category).where(Category.id != (exclude or 0))):
        if any(other.names.get(code, "").casefold() == name.casefold() for code, name in names.items()):
            raise DomainError(_l("Another category already has this name."), field="name_fr")
    return names


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:30] or "category"
    slug, n = base, 1
    while db.session.scalar(sa.select(Category.id).where(Category.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _changed(work):
    """Run ``work`` in a transaction that also writes a new version token: every worker then reads the categories
    again (they keep them: ``listings.services.open_categories``, the words search finds them by); this one at once."""
    def changing():
        done = work()
        settings_version_bump(db.session.connection(), always=True)
        return done

    try:
        return atomic(changing)
    finally:
        kept_forget_all()  # after the commit (or the rollback): nothing kept from inside the transaction


def category_create(*, actor: Member, fields: CategoryFields) -> Category:
    def work():
        _check_admin(actor)
        names = _check(fields)
        synonyms = _synonyms(fields.synonyms)
        last = db.session.scalar(sa.select(sa.func.max(Category.position))) or 0
        category = Category(slug=_slug(names["en"]), names=names, icon=fields.icon, position=last + 1,
                            requires_verified=fields.requires_verified, synonyms=synonyms)
        db.session.add(category)
        db.session.flush()
        audit(actor=actor, action="category_created", target=f"category {category.id}", names=names,
              requires_verified=fields.requires_verified, synonyms=synonyms)
        return category

    return _changed(work)


def category_update(*, actor: Member, category: Category, fields: CategoryFields) -> Category:
    """Rename, change the icon, the synonyms or whether the category needs a verified member to offer it.

    Search reads the names and synonyms when it runs, so its listings are found by the new words at once.
    """
    def work():
        _check_admin(actor)
        names = _check(fields, exclude=category.id)
        synonyms = _synonyms(fields.synonyms)
        before = {"names": dict(category.names), "icon": category.icon, "requires_verified": category.requires_verified,
                  "synonyms": list(category.synonyms or [])}
        category.names, category.icon, category.requires_verified = names, fields.icon, fields.requires_verified
        category.synonyms = synonyms
        audit(actor=actor, action="category_changed", target=f"category {category.id}", old=before,
              new={"names": names, "icon": fields.icon, "requires_verified": fields.requires_verified,
                   "synonyms": synonyms})
        return category

    return _changed(work)


def category_move(*, actor: Member, category: Category, up: bool) -> None:
    """Swap the category with its neighbour in the order members see."""
    def work():
        _check_admin(actor)
        ordered = list(db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)))
        index = next(i for i, c in enumerate(ordered) if c.id == category.id)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        audit(actor=actor, action="category_changed", target=f"category {category.id}", moved="up" if up else "down")

    _changed(work)


def category_archive(*, actor: Member, category: Category, archived: bool) -> Category:
    """Archive: no new listing can use it; listings already in it stay readable. Or bring it back."""
    def work():
        _check_admin(actor)
        if archived == (category.archived_at is not None):
            raise InvalidTransition(_l("Nothing to change."))
        if archived and db.session.scalar(sa.select(sa.func.count()).select_from(Category)
                                          .where(Category.archived_at.is_(None))) <= 1:
            raise InvalidTransition(_l("Keep at least one category open."))
        category.archived_at = utcnow() if archived else None
        audit(actor=actor, action="category_archived" if archived else "category_changed",
              target=f"category {category.id}", archived=archived)
        return category

    return _changed(work)


def category_usage() -> dict[int, int]:
    """How many listings each category holds (one query)."""
    from timebank.listings.models import Listing

    return dict(db.session.execute(sa.select(Listing.category_id, sa.func.count()).group_by(Listing.category_id)).all())
