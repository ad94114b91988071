"""French and Arabic catalogues are complete and keep every placeholder."""
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


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_message_is_translated(language):
    missing = [m.id for m in catalogue(language) if m.id and (
        "fuzzy" in m.flags or not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert missing == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_placeholders_are_kept(language):
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
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
    assert fresh - {m.id for m in catalogue("fr")} == set()
