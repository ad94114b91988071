"""What a search asks of each database's index: the words typed, the categories they find, the filters as words.

A typed word is quoted (nothing typed is query syntax) and looked for with its Arabic article forms; it also
finds the categories whose names in any language or synonyms it starts (matched here against the category
table, a few dozen rows). The filters are words of the index too (migration 0034). ``search`` builds the
statements around them.
"""
from __future__ import annotations

import re
from functools import lru_cache

import sqlalchemy as sa

from timebank.admin.settings_store import kept_while_unchanged
from timebank.database import fold
from timebank.extensions import db
from timebank.listings.models import Category, ListingType
from timebank.searchtext import article_forms, normalize_arabic

# Words ---------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def search_tokens(text: str) -> list[str]:
    """Words of a search, whatever was typed: quotes, operators and symbols are dropped; Arabic is normalised."""
    return [token[:40] for token in _TOKEN.findall(normalize_arabic((text or "").lower()))][:8]


def _words_of(texts) -> set[str]:
    return {word for text in texts if text for word in _TOKEN.findall(fold(normalize_arabic(str(text).lower())))}


def category_search_words(names: dict, synonyms: list) -> frozenset[str]:
    """The words that find a category's listings: its names in every language of the names dict, its synonyms."""
    return _category_words(tuple((names or {}).values()) + tuple(synonyms or ()))


@lru_cache(maxsize=512)
def _category_words(texts: tuple) -> frozenset[str]:
    # Kept by content: a renamed category has new texts, hence new words, with nothing to invalidate.
    return frozenset(_words_of(texts))


def _word_finds(word: str, token: str) -> bool:
    # As the index matches a typed word (a prefix), but a word of one or two letters must be whole: "de" or
    # "la" would otherwise bring in most categories.
    return word.startswith(token) if len(token) >= 3 else word == token


# What this process keeps of the categories (``admin.settings_store.kept_while_unchanged``): an admin's change to a
# category makes every worker read them again.
CATEGORIES_KEPT = "categories"
CATEGORY_WORDS_KEPT = "category words"
CATEGORY_TOKENS_KEPT = "categories by typed word"


def _category_words_table() -> tuple[tuple[int, frozenset[str]], ...]:
    rows = db.session.execute(sa.select(Category.id, Category.names, Category.synonyms).order_by(Category.id)).all()
    return tuple((row.id, category_search_words(row.names, row.synonyms)) for row in rows)


def categories_for(tokens: list[str]) -> list[list[int]]:
    """For each word of the query, the categories whose names or synonyms it finds."""
    if not tokens:
        return []
    words = kept_while_unchanged(CATEGORY_WORDS_KEPT, _category_words_table)
    by_token = kept_while_unchanged(CATEGORY_TOKENS_KEPT, dict)  # filled as words are typed, forgotten with them
    found = []
    for token in tokens:
        folded = fold(token)
        ids = by_token.get(folded)
        if ids is None:
            if len(by_token) >= 4096:
                by_token.clear()
            ids = by_token[folded] = tuple(category for category, known in words
                                           if any(_word_finds(word, folded) for word in known))
        found.append(list(ids))
    return found


def fts5_match(tokens: list[str], categories: list[list[int]]) -> str:
    """An FTS5 query in which nothing typed is syntax: every word quoted, typed words only in ``body``."""
    terms = []
    for token, ids in zip(tokens, categories):
        forms = " OR ".join('"' + form.replace('"', '""') + '"*' for form in article_forms(token))
        term = f"body : ({forms})"
        if ids:
            term += " OR category : (" + " OR ".join(f'"c{category}"' for category in ids) + ")"
        terms.append(f"({term})")
    return " AND ".join(terms)


def postgresql_query(tokens: list[str], categories: list[list[int]]):
    simple = sa.literal_column("'simple'::regconfig")
    empty = sa.literal_column("''::tsquery")
    wanted = None
    for token, ids in zip(tokens, categories):
        term = None
        for form in article_forms(token):
            # Each word goes in as a quoted literal, so nothing typed (nor unaccent's output) is query syntax.
            # A word that unaccent turns into nothing (a lone "ʼ") is left out rather than failing.
            word = sa.func.timebank_search_word(form)
            piece = sa.func.coalesce(
                sa.case((word == "", None),
                        else_=sa.func.to_tsquery(simple, sa.func.concat(sa.func.quote_literal(word), ":*"))),
                empty)
            term = piece if term is None else term.op("||")(piece)
        if ids:
            # "#12" is the category's lexeme: typed words lose their "#", so they can never reach it.
            lexemes = " | ".join(f"'#{category}'" for category in ids)
            term = term.op("||")(sa.cast(sa.literal(lexemes), sa.dialects.postgresql.TSQUERY))
        wanted = term if wanted is None else wanted.op("&&")(term)
    return wanted


# Filters -------------------------------------------------------------------

# The filters are words of the search document too (migration 0034), so that the index intersects them with the
# typed words: "zzt", "zza" or "zzl" and the hexadecimal UTF-8 of the type, the area or a language code (one word
# whatever the value holds). On SQLite they sit in the column ``facets`` and typed words are only looked for in
# ``body``. Two or three filters are one word of their own (migration 0035): "zzk" type and area, "zzm" type and
# language, "zzn" area and language, "zzo" all three, the values joined by "x"; one short list for the index to
# walk, not the long lists of each ("offer" is half of the listings).
FACET_TYPE, FACET_AREA, FACET_LANGUAGE = "zzt", "zza", "zzl"
_FACET_COMBINATIONS = {("type", "area"): "zzk", ("type", "language"): "zzm", ("area", "language"): "zzn",
                       ("type", "area", "language"): "zzo"}
_FACET_ALONE = {"type": FACET_TYPE, "area": FACET_AREA, "language": FACET_LANGUAGE}


def facet_word(kind: str, value: str) -> str:
    return kind + value.encode("utf-8").hex()


def facet_words(*, type: ListingType | None = None, area: str | None = None, language: str | None = None) -> list[str]:
    """The document's word that every listing passing these filters has (and only those): none, or one."""
    given = [(name, value) for name, value in (("type", ListingType(type).value if type is not None else None),
                                               ("area", area or None), ("language", language or None)) if value]
    if not given:
        return []
    if len(given) == 1:
        [(name, value)] = given
        return [facet_word(_FACET_ALONE[name], value)]
    kind = _FACET_COMBINATIONS[tuple(name for name, _ in given)]
    return [kind + "x".join(value.encode("utf-8").hex() for _, value in given)]


def fts5_facets(words: list[str], category_id: int | None) -> str:
    terms = []
    if words:
        terms.append("facets : (" + " AND ".join(f'"{word}"' for word in words) + ")")
    if category_id is not None:
        terms.append(f'category : "c{int(category_id)}"')
    return " AND ".join(terms)
