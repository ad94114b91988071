"""Every catalogue the code offers (French, Arabic, Turkish, Portuguese; English is the source) is complete, keeps
every placeholder, and knows every string of the code."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "timebank" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def catalogue(language):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


# Every language the code can offer, except English (the text of the code itself).
TRANSLATED = ["fr", "ar", "tr", "pt"]


def test_every_language_the_code_offers_has_a_catalogue():
    from timebank.i18n import LOCALES

    assert sorted(code for code in LOCALES if code != "en") == sorted(TRANSLATED)
    for code in LOCALES:
        assert (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").is_file(), code


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language):
    missing = [m.id for m in catalogue(language) if m.id and (
        "fuzzy" in m.flags or not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert missing == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_are_kept(language):
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if not string:  # not translated yet: the test above names it
                continue
            found = set(PLACEHOLDER.findall(string))
            # A plural form may leave out the number ("ساعتان" for two hours), nothing else.
            if not found <= expected or not (expected - {"num"}) <= found:
                wrong.append((message.id, string))
    assert wrong == []


def test_the_catalogues_know_every_string_of_the_code(tmp_path):
    """A string added to the code or templates without `make messages` would show in English."""
    root = TRANSLATIONS.parents[1]
    pot = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-c", "from babel.messages.frontend import main; main()", "extract",
                    "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs=.* __pycache__", "-o", str(pot), "."],
                   cwd=root, check=True, capture_output=True)
    fresh = {m.id for m in read_po(open(pot, "rb")) if m.id}
    assert len(fresh) > 100
    # The layout's fragments ({% cache %}, an extension babel.cfg must name): a template the extractor cannot
    # parse gives it no string at all, and `make messages` would then drop them from every catalogue.
    assert {"Skip to content", "Main menu", "Sign out", "One hour of any service is worth one hour."} <= fresh
    for language in TRANSLATED:
        assert fresh - {m.id for m in catalogue(language)} == set(), language


@pytest.mark.parametrize(("language", "forms"), [("fr", 3), ("ar", 6), ("tr", 2), ("pt", 3)])
def test_plural_forms_are_all_given(language, forms):
    """Arabic counts 0, 1, 2, a few, many and other: a catalogue with fewer forms shows English for some numbers."""
    assert catalogue(language).num_plurals == forms
