"""Every notice that can reach a phone (a text message, or a phone notification on a locked screen) has its words.

A notice goes by e-mail, by text message (to a member without e-mail, or who chose texts) or as a phone
notification: any kind the code sends can reach a phone. The kinds are read from the code itself (the calls of
``notify``, ``tell`` and the features' ``_tell``, ``_tell_side`` and ``_tell_other``), so a kind added there without its words fails here.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from timebank.notifications.messages import GLANCE_TEXTS, NOTICE_KINDS, glance_text

ROOT = Path(__file__).resolve().parents[2]
# The features whose own _tell(member, item, kind, …) names the kind without its family: "group_" + kind…
PREFIXES = {"timebank/exchanges/groups.py": "group_"}
PREFIXED_FAMILY = ("timebank/exchanges/", "exchange_")  # …and "exchange_" + kind (exchanges.steps._tell)


def _constants(value: ast.AST) -> set[str]:
    """The words a kind can be: a string, or one of a conditional's strings (an f-string is built, not read)."""
    if isinstance(value, ast.JoinedStr):
        return set()
    return {node.value for node in ast.walk(value) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def kinds_sent() -> dict[str, str]:
    """Every kind of notice the package sends, with the file that sends it."""
    found = {}
    for path in sorted((ROOT / "timebank").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        prefix = PREFIXES.get(where) or (PREFIXED_FAMILY[1] if where.startswith(PREFIXED_FAMILY[0]) else "")
        for node in ast.walk(ast.parse(path.read_text())):
            values = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ("notify", "tell", "_tell", "_tell_receiver", "_cancel"):
                    values += [keyword.value for keyword in node.keywords if keyword.arg == "kind"]
                # _tell(member, item, kind, …) and _tell_side / _tell_other(exchange, side or actor, kind, …) in the
                # exchanges; _tell(booking, kind) elsewhere
                if name in ("_tell", "_tell_side", "_tell_other"):
                    position = 2 if prefix else 1
                    values += node.args[position:position + 1]
            elif isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.IfExp)) \
                    and any(getattr(target, "id", "") == "kind" for target in node.targets):
                values.append(node.value)  # kind = "resolved_partly" if … else "resolved"
            for value in values:
                for kind in _constants(value):
                    found.setdefault(kind if kind.startswith(prefix) else prefix + kind, where)
    return found


def test_the_scan_finds_the_notices_of_every_feature():
    sent = kinds_sent()
    for kind in ("exchange_proposed", "exchange_resolved_covered", "group_cancelled", "hours_received",
                 "grant_received", "verification_ends_soon", "reward_used", "direct_message", "match", "warning"):
        assert kind in sent, kind


def test_every_notice_sent_has_its_words_and_its_lock_screen_text():
    sent = kinds_sent()
    assert {kind: where for kind, where in sent.items() if kind not in NOTICE_KINDS} == {}
    assert sorted(set(sent) - set(GLANCE_TEXTS)) == []
    assert sorted(NOTICE_KINDS - set(GLANCE_TEXTS)) == []


@pytest.mark.parametrize("kind", sorted(NOTICE_KINDS))
def test_a_locked_screen_says_who_never_what(ctx, kind):
    """Karim's name may show on Amina's locked phone; the service (childcare, a debt, a warning) never does."""
    text = glance_text(kind, {"name": "Karim Benali", "title": "Garde d'enfants", "reason": "Il me menace.",
                              "minutes": 90, "memo": "Pour Inès"})
    assert "Karim Benali" in text
    assert not any(private in text for private in ("Garde", "menace", "Inès", "1 h 30"))
    assert glance_text(kind, {}) == "You have news at the timebank."


@pytest.mark.parametrize(("kind", "seen"), [
    ("hours_received", "Karim Benali gave you hours."),
    ("direct_message", "Karim Benali sent you a message."),
    ("exchange_message", "Karim Benali sent you a message."),
    ("group_joined", "Karim Benali joined your group session."),
    ("group_completed", "Karim Benali confirmed a group session."),
    ("group_cancelled", "Karim Benali cancelled a group session."),
])
def test_a_locked_screen_says_what_karim_did(ctx, kind, seen):
    assert glance_text(kind, {"name": "Karim Benali", "title": "Atelier couture", "minutes": 60}) == seen
