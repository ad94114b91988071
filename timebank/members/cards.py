"""Members as the directory lists them, read as plain records: a name, an area, a ✓, the languages.

A page of 30 members loaded as ``Member`` objects (thirty-odd columns each, their languages as objects) costs the
ORM a few milliseconds; the few columns a card shows, read as rows, a fraction of that. The records answer what
``members/directory.html`` reads, with the model's own ``is_verified`` and ``first_name``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import sqlalchemy as sa

from timebank.extensions import db
from timebank.members.models import Member, MemberLanguage


class SpeaksLanguages:
    """A card record's ``languages``, as the models' relationship reads in a template: only ever asked whether
    there are any (the card names them from ``language_codes``)."""

    __slots__ = ()

    @property
    def languages(self) -> tuple[str, ...]:
        return self.language_codes


@dataclass(frozen=True, slots=True)
class MemberCard(SpeaksLanguages):
    id: int
    display_name: str
    area: str | None
    verified_at: datetime | None
    verified_until: date | None
    language_codes: tuple[str, ...]

    first_name = Member.first_name
    is_verified = Member.is_verified


@cache
def _statements() -> tuple[sa.Select, sa.Select]:
    member, language = Member.__table__, MemberLanguage.__table__
    ids = sa.bindparam("ids", expanding=True)
    cards = sa.select(member.c.id, member.c.display_name, member.c.area, member.c.verified_at,
                      member.c.verified_until).where(member.c.id.in_(ids))
    languages = (sa.select(language.c.member_id, language.c.code).where(language.c.member_id.in_(ids))
                 .order_by(language.c.code))
    return cards, languages


def member_cards(ids: Sequence[int]) -> list[MemberCard]:
    """The cards of these members, in the order of ``ids`` (an id with no member is left out)."""
    if not ids:
        return []
    cards, languages = _statements()
    codes: dict[int, list[str]] = {}
    for member_id, code in db.session.execute(languages, {"ids": list(ids)}):
        codes.setdefault(member_id, []).append(code)
    by_id = {row[0]: MemberCard(*row, tuple(codes.get(row[0], ())))
             for row in db.session.execute(cards, {"ids": list(ids)})}
    return [by_id[id_] for id_ in ids if id_ in by_id]
