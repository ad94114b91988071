"""search facets and prefixes: on SQLite a listing's type, area and languages are words of its search document and
short prefixes have an index; on PostgreSQL the document is a stored column

Revision ID: 0034_facets
Revises: 0033_pexch
Create Date: 2026-11-30 22:00:00

SQLite. A search with filters walked the full-text matches newest first and looked up each listing to check
its type, area and languages: with selective filters the walk was long (one listing in twelve kept for an offer
in one area). The filters are now words of the document, in a column of their own, ``facets``, so that FTS5
intersects them with the typed words: ``zzt``, ``zza`` and ``zzl`` followed by the hexadecimal UTF-8 of the type,
the area and each language code (one word whatever the value holds). Typed words are only looked for in
``body``, so nothing typed reaches them. A typed word is a prefix ("aide" finds "aides"), and FTS5 answers a
prefix by merging the lists of every word that starts with it before handing the first row: at 100 000 listings
that is most of a search's time for a short word. ``prefix='1 2 3 4'`` keeps those lists merged in advance for
prefixes of one to four letters (a longer typed word starts fewer words).

The table now keeps its content (about the size of the listings' text): a listing's languages live in another
table, and a change to them rewrites one column of the row, which a contentless table cannot do safely (it must
be told the exact words it holds to forget them). Triggers on ``listing`` and ``listing_language`` keep it.

PostgreSQL. The document is a stored generated column, ``search_document``, with the GIN index on it (instead of
an index on the expression): checking one row is then cheap, and the planner has statistics on its words, so it
walks the newest listings backwards for a common word and uses the GIN index for a rare one. The filters stay
plain conditions there: a GIN index intersects a prefix's matches only after collecting all of them, so words
for the filters would not shorten anything (measured: slower). A later change to
``timebank_listing_document`` must drop and re-add the column.
"""
from alembic import op

revision = "0034_facets"
down_revision = "0033_pexch"
branch_labels = None
depends_on = None

# Copied from timebank.searchtext at the time of writing: a migration must not change when the code does.
ARABIC_FOLD = {
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
    "\u0649": "\u064a", "\u0629": "\u0647", "\u0624": "\u0648", "\u0626": "\u064a",
}
ARABIC_DROP = tuple(chr(code) for code in range(0x064B, 0x0656)) + ("\u0670", "\u0640")


# SQLite ----------------------------------------------------------------------

def _fold_sqlite(expression):
    for source, target in ARABIC_FOLD.items():
        expression = f"replace({expression}, '{source}', '{target}')"
    for mark in ARABIC_DROP:
        expression = f"replace({expression}, '{mark}', '')"
    return expression


def _body(row):
    return _fold_sqlite(f"coalesce({row}.title, '') || ' ' || coalesce({row}.description, '') || ' ' "
                        f"|| coalesce({row}.tags, '')")


def _facets(row):
    """The facet words of listing ``row`` (a row of ``listing``): its type, its area, each of its languages."""
    return (f"'zzt' || lower(hex({row}.type))"
            f" || CASE WHEN coalesce({row}.area, '') = '' THEN '' ELSE ' zza' || lower(hex({row}.area)) END"
            f" || coalesce((SELECT ' ' || group_concat('zzl' || lower(hex(code)), ' ') FROM listing_language"
            f" WHERE listing_language.listing_id = {row}.id), '')")


def _refresh_facets(listing_id):
    # After a cascade from a deleted listing there is no listing row: the FTS row goes with the listing's own
    # trigger, and here nothing is left to do.
    return (f"UPDATE listing_fts SET facets = (SELECT {_facets('l')} FROM listing AS l WHERE l.id = {listing_id}) "
            f"WHERE rowid = {listing_id} AND EXISTS (SELECT 1 FROM listing WHERE listing.id = {listing_id});")


def _sqlite_search():
    insert_new = (f"INSERT INTO listing_fts (rowid, body, category, facets) "
                  f"VALUES (new.id, {_body('new')}, 'c' || new.category_id, {_facets('new')});")
    return [
        'DROP TRIGGER IF EXISTS listing_fts_update', 'DROP TRIGGER IF EXISTS listing_fts_delete',
        'DROP TRIGGER IF EXISTS listing_fts_insert', 'DROP TABLE IF EXISTS listing_fts',
        # With its content: a row is deleted or updated by rowid alone, whatever it held.
        """CREATE VIRTUAL TABLE listing_fts USING fts5(
               body, category, facets, prefix='1 2 3 4', tokenize='unicode61 remove_diacritics 2')""",
        f"CREATE TRIGGER listing_fts_insert AFTER INSERT ON listing BEGIN {insert_new} END",
        "CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing BEGIN "
        "DELETE FROM listing_fts WHERE rowid = old.id; END",
        f"""CREATE TRIGGER listing_fts_update AFTER UPDATE OF id, title, description, tags, category_id, type, area
               ON listing BEGIN DELETE FROM listing_fts WHERE rowid = old.id; {insert_new} END""",
        f"CREATE TRIGGER listing_language_fts_insert AFTER INSERT ON listing_language BEGIN "
        f"{_refresh_facets('new.listing_id')} END",
        f"CREATE TRIGGER listing_language_fts_delete AFTER DELETE ON listing_language BEGIN "
        f"{_refresh_facets('old.listing_id')} END",
        f"CREATE TRIGGER listing_language_fts_update AFTER UPDATE ON listing_language BEGIN "
        f"{_refresh_facets('old.listing_id')} {_refresh_facets('new.listing_id')} END",
        f"INSERT INTO listing_fts (rowid, body, category, facets) "
        f"SELECT id, {_body('listing')}, 'c' || category_id, {_facets('listing')} FROM listing",
    ]


def _sqlite_search_0026():
    body_new, body_old = _body('new'), _body('old')
    delete_old = (f"INSERT INTO listing_fts (listing_fts, rowid, body, category) "
                  f"VALUES ('delete', old.id, {body_old}, 'c' || old.category_id);")
    insert_new = (f"INSERT INTO listing_fts (rowid, body, category) "
                  f"VALUES (new.id, {body_new}, 'c' || new.category_id);")
    return [
        'DROP TRIGGER IF EXISTS listing_language_fts_update', 'DROP TRIGGER IF EXISTS listing_language_fts_delete',
        'DROP TRIGGER IF EXISTS listing_language_fts_insert',
        'DROP TRIGGER IF EXISTS listing_fts_update', 'DROP TRIGGER IF EXISTS listing_fts_delete',
        'DROP TRIGGER IF EXISTS listing_fts_insert', 'DROP TABLE IF EXISTS listing_fts',
        """CREATE VIRTUAL TABLE listing_fts USING fts5(
               body, category, content='', tokenize='unicode61 remove_diacritics 2')""",
        f"CREATE TRIGGER listing_fts_insert AFTER INSERT ON listing BEGIN {insert_new} END",
        f"CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing BEGIN {delete_old} END",
        f"""CREATE TRIGGER listing_fts_update AFTER UPDATE OF title, description, tags, category_id ON listing
               BEGIN {delete_old} {insert_new} END""",
        f"INSERT INTO listing_fts (rowid, body, category) SELECT id, {_body('listing')}, 'c' || category_id "
        f"FROM listing",
    ]


# PostgreSQL ------------------------------------------------------------------

def _postgresql_search():
    return [
        'DROP INDEX IF EXISTS ix_listing_document',
        """ALTER TABLE listing ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
               timebank_listing_document(title, description, tags, category_id)) STORED""",
        'CREATE INDEX ix_listing_search_document ON listing USING gin (search_document)',
        'ANALYZE listing',  # the planner's choice between the walk and the index rests on the column's statistics
    ]


def _postgresql_search_0026():
    return [
        'DROP INDEX IF EXISTS ix_listing_search_document',
        'ALTER TABLE listing DROP COLUMN IF EXISTS search_document',
        """CREATE INDEX ix_listing_document ON listing USING gin (
               timebank_listing_document(title, description, tags, category_id))""",
    ]


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        statements = _sqlite_search()
    else:
        statements = _postgresql_search()
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        statements = _sqlite_search_0026()
    else:
        statements = _postgresql_search_0026()
    for statement in statements:
        op.execute(statement)


