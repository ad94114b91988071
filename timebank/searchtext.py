"""Text as search compares it: Arabic spelling variants folded, the same on the query and in the index.

A resident types أوراق, الأوراق or اوراق for "papers"; with or without the short vowels (tashkeel),
with a stretched letter (tatweel). Search must treat them alike. ``normalize_arabic`` is the rule, written
once: the search index applies the same character folding in SQL (``ARABIC_FOLD``, turned into SQL by
``sql_fold_sqlite`` and ``sql_fold_postgresql``) so that both sides agree letter for letter.
"""
from __future__ import annotations

import re

# Letters folded into one: alef with hamza above/below, with madda, alef wasla → bare alef; alef maqsura → yeh;
# teh marbuta → heh; waw and yeh with hamza → waw and yeh.
ARABIC_FOLD: dict[str, str] = {
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
    "\u0649": "\u064a", "\u0629": "\u0647", "\u0624": "\u0648", "\u0626": "\u064a",
}
# Marks dropped: tashkeel (fathatan … sukun), madda and hamza written as marks, the superscript alef, and the
# tatweel that only stretches a word. (SQLite folds with one nested replace() per character, and its parser
# accepts about 25 levels in a trigger: the rarer Quranic marks, U+0656 and beyond, are left as they are.)
ARABIC_DROP: tuple[str, ...] = tuple(chr(code) for code in range(0x064B, 0x0656)) + ("\u0670", "\u0640")

_TABLE = str.maketrans({**ARABIC_FOLD, **{mark: None for mark in ARABIC_DROP}})
ARTICLE = "\u0627\u0644"  # ال
# The article at the start of a word, when at least two letters stay (الم, "pain", keeps its letters).
_ARTICLE_AT_START = re.compile(r"(?<!\w)" + ARTICLE + r"(?=\w\w)")


def fold_arabic_letters(text: str) -> str:
    """Fold the letters and drop the marks, as the search index does in SQL (the article stays)."""
    return text.translate(_TABLE)


def drop_article(word: str) -> str:
    """The word without a leading ال (when two letters or more remain)."""
    return _ARTICLE_AT_START.sub("", word)


def normalize_arabic(text: str) -> str:
    """Arabic text as search compares it: no tashkeel or tatweel, one alef, ي for ى, ه for ة, no leading ال.

    Other scripts pass through unchanged.
    """
    return _ARTICLE_AT_START.sub("", fold_arabic_letters(text))


def article_forms(word: str) -> tuple[str, ...]:
    """The spellings a normalised word may have in the index: itself, and with ال when it is Arabic.

    The index keeps the article (SQLite has no regular expressions to drop it), so a search for اوراق looks
    for اوراق and الاوراق, which is what dropping it on both sides would find.
    """
    if word and "\u0621" <= word[0] <= "\u064a" and len(word) >= 2:
        return (word, ARTICLE + word)
    return (word,)


def sql_fold_sqlite(expression: str) -> str:
    """An SQLite expression that folds ``expression`` like ``fold_arabic_letters`` (nested replace())."""
    for source, target in ARABIC_FOLD.items():
        expression = f"replace({expression}, '{source}', '{target}')"
    for mark in ARABIC_DROP:
        expression = f"replace({expression}, '{mark}', '')"
    return expression


def sql_fold_postgresql(expression: str) -> str:
    """A PostgreSQL expression that folds ``expression`` like ``fold_arabic_letters`` (one translate())."""
    sources = "".join(ARABIC_FOLD) + "".join(ARABIC_DROP)
    targets = "".join(ARABIC_FOLD.values())  # the marks beyond the targets are deleted
    return f"translate({expression}, '{sources}', '{targets}')"
