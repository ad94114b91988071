"""search facets in combination: on SQLite a listing's document also holds a word for each combination of its
type, area and languages

Revision ID: 0035_combos
Revises: 0034_facets
Create Date: 2026-12-01 04:10:00

SQLite only. A search with two or three filters (an offer, in one area, in French) asked FTS5 for the listings
holding all of their words (``zzt…``, ``zza…``, ``zzl…``, migration 0034): at 100 000 listings it walked the long
lists of the common ones ("offer": half of them) to find the few that hold all three, about 1 ms a search. Each
combination now has a word of its own, so that the search asks for one short list: ``zzk`` type and area, ``zzm``
type and language, ``zzn`` area and language, ``zzo`` all three, each followed by the values' hexadecimal UTF-8
joined by ``x`` (not a hexadecimal digit, so two combinations never make the same word). A listing with no area
or no language has none of the combinations that need one. Measured on a copy of the large instance: the
full-text part of "aide, an offer, in Centre, in French" went from 1.0 to 0.26 ms.

PostgreSQL: nothing changes (its filters are plain conditions; see 0034).
"""
from alembic import op

revision = "0035_combos"
down_revision = "0034_facets"
branch_labels = None
depends_on = None

# Copied from 0034 (a migration must not change when the code or another migration does).
ARABIC_FOLD = {
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
    "\u0649": "\u064a", "\u0629": "\u0647", "\u0624": "\u0648", "\u0626": "\u064a",
}
ARABIC_DROP = tuple(chr(code) for code in range(0x064B, 0x0656)) + ("\u0670", "\u0640")


def _fold_sqlite(expression):
    for source, target in ARABIC_FOLD.items():
        expression = f"replace({expression}, '{source}', '{target}')"
    for mark in ARABIC_DROP:
        expression = f"replace({expression}, '{mark}', '')"
    return expression


def _body(row):
    return _fold_sqlite(f"coalesce({row}.title, '') || ' ' || coalesce({row}.description, '') || ' ' "
                        f"|| coalesce({row}.tags, '')")


def _facets_0034(row):
    """The facet words of listing ``row``: its type, its area, each of its languages (migration 0034)."""
    return (f"'zzt' || lower(hex({row}.type))"
            f" || CASE WHEN coalesce({row}.area, '') = '' THEN '' ELSE ' zza' || lower(hex({row}.area)) END"
            f" || coalesce((SELECT ' ' || group_concat('zzl' || lower(hex(code)), ' ') FROM listing_language"
            f" WHERE listing_language.listing_id = {row}.id), '')")


def _facets(row):
    """The words of 0034, and one for each combination of the type, the area and a language."""
    type_, area, code = f"lower(hex({row}.type))", f"lower(hex({row}.area))", "lower(hex(code))"
    has_area = f"coalesce({row}.area, '') <> ''"
    return (f"'zzt' || {type_}"
            f" || CASE WHEN {has_area} THEN ' zza' || {area} || ' zzk' || {type_} || 'x' || {area} ELSE '' END"
            f" || coalesce((SELECT ' ' || group_concat('zzl' || {code} || ' zzm' || {type_} || 'x' || {code}"
            f" || CASE WHEN {has_area} THEN ' zzn' || {area} || 'x' || {code} || ' zzo' || {type_} || 'x' || {area}"
            f" || 'x' || {code} ELSE '' END, ' ') FROM listing_language WHERE listing_language.listing_id = {row}.id),"
            f" '')")


def _refresh_facets(listing_id, facets):
    # After a cascade from a deleted listing there is no listing row: the FTS row goes with the listing's own
    # trigger, and here nothing is left to do.
    return (f"UPDATE listing_fts SET facets = (SELECT {facets('l')} FROM listing AS l WHERE l.id = {listing_id}) "
            f"WHERE rowid = {listing_id} AND EXISTS (SELECT 1 FROM listing WHERE listing.id = {listing_id});")


def _triggers(facets):
    insert_new = (f"INSERT INTO listing_fts (rowid, body, category, facets) "
                  f"VALUES (new.id, {_body('new')}, 'c' || new.category_id, {facets('new')});")
    return [
        'DROP TRIGGER IF EXISTS listing_language_fts_update', 'DROP TRIGGER IF EXISTS listing_language_fts_delete',
        'DROP TRIGGER IF EXISTS listing_language_fts_insert',
        'DROP TRIGGER IF EXISTS listing_fts_update', 'DROP TRIGGER IF EXISTS listing_fts_delete',
        'DROP TRIGGER IF EXISTS listing_fts_insert',
        f"CREATE TRIGGER listing_fts_insert AFTER INSERT ON listing BEGIN {insert_new} END",
        "CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing BEGIN "
        "DELETE FROM listing_fts WHERE rowid = old.id; END",
        f"""CREATE TRIGGER listing_fts_update AFTER UPDATE OF id, title, description, tags, category_id, type, area
               ON listing BEGIN DELETE FROM listing_fts WHERE rowid = old.id; {insert_new} END""",
        f"CREATE TRIGGER listing_language_fts_insert AFTER INSERT ON listing_language BEGIN "
        f"{_refresh_facets('new.listing_id', facets)} END",
        f"CREATE TRIGGER listing_language_fts_delete AFTER DELETE ON listing_language BEGIN "
        f"{_refresh_facets('old.listing_id', facets)} END",
        f"CREATE TRIGGER listing_language_fts_update AFTER UPDATE ON listing_language BEGIN "
        f"{_refresh_facets('old.listing_id', facets)} {_refresh_facets('new.listing_id', facets)} END",
        f"UPDATE listing_fts SET facets = (SELECT {facets('l')} FROM listing AS l WHERE l.id = listing_fts.rowid)",
    ]


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in _triggers(_facets):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in _triggers(_facets_0034):
            op.execute(statement)
