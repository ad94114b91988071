"""Arabic as search compares it: one spelling for the variants a resident may type, on the query and in the index."""
import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa

from timebank.extensions import db
from timebank.searchtext import (
    ARABIC_DROP, ARABIC_FOLD, article_forms, drop_article, fold_arabic_letters, normalize_arabic, sql_fold_sqlite,
)


@pytest.mark.parametrize(("typed", "normal"), [
    ("أوراق", "اوراق"),  # hamza on the alef
    ("الأوراق", "اوراق"),  # and the article
    ("اوراق", "اوراق"),
    ("إدارة", "اداره"),  # hamza under the alef; teh marbuta
    ("آباء", "اباء"),  # madda
    ("ٱلكتاب", "كتاب"),  # alef wasla, then the article
    ("مستشفى", "مستشفي"),  # alef maqsura
    ("كَتَبَ", "كتب"),  # tashkeel
    ("مُدَرِّسَةٌ", "مدرسه"),  # shadda and tanwin too
    ("كـــتاب", "كتاب"),  # tatweel
    ("مسؤول", "مسوول"),  # waw with hamza
    ("رسائل", "رسايل"),  # yeh with hamza
    ("الم", "الم"),  # a short word keeps its first letters: no article to drop
    ("والأوراق", "والاوراق"),  # the article only at the start of a word
    ("crèche CAF l'école", "crèche CAF l'école"),  # other scripts pass through
])
def test_the_arabic_normaliser(typed, normal):
    assert normalize_arabic(typed) == normal


def test_every_word_of_a_sentence_is_normalised():
    assert normalize_arabic("مساعدة في الأوراق الإدارية") == "مساعده في اوراق اداريه"


def test_the_index_folds_letters_but_keeps_the_article_and_a_search_looks_for_both():
    assert fold_arabic_letters("الأوراق") == "الاوراق"
    assert drop_article(fold_arabic_letters("الأوراق")) == "اوراق"
    assert article_forms("اوراق") == ("اوراق", "الاوراق")
    assert article_forms("paperwork") == ("paperwork",)


def test_the_migration_folds_exactly_as_the_code():
    """The index is built by migration 0022 with its own copy of the rule: the two must not drift apart."""
    path = Path(__file__).parents[2] / "timebank/migrations/versions/0026_search_across_languages.py"
    spec = importlib.util.spec_from_file_location("migration_0022", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.ARABIC_FOLD == ARABIC_FOLD
    assert migration.ARABIC_DROP == ARABIC_DROP


SAMPLES = ["الأوراق الإدارية", "كَتَبَ مُدَرِّسَةٌ", "كـــتاب مستشفى", "مسؤول رسائل ٱلكتاب آباء", "crèche École"]


def test_the_database_folds_as_python_does(ctx):
    for text in SAMPLES:
        if db.engine.dialect.name == "postgresql":
            folded = db.session.scalar(sa.text("SELECT timebank_search_fold(:text)"), {"text": text})
        else:
            folded = db.session.scalar(sa.text(f"SELECT {sql_fold_sqlite(':text')}"), {"text": text})
        assert folded == fold_arabic_letters(text), text
