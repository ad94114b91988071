"""search across languages: Arabic spellings folded in the index, each listing's category searchable by its names
in every language and by a list of synonyms kept with the category

Revision ID: 0026_search
Revises: 0025_lang
Create Date: 2026-11-30 14:10:00

The index keeps, for each listing, its words (title, description, key words) with Arabic letters folded as
``timebank.searchtext.fold_arabic_letters`` does, and one token naming its category. A search resolves the
words of the query to categories (names and synonyms, read from the category table at search time), so renaming
a category or editing its synonyms changes what finds its listings at once, without rewriting the index.

SQLite: a contentless FTS5 table of two columns, ``body`` and ``category`` ("c12"), kept by triggers.
PostgreSQL: a GIN index on ``timebank_listing_document(title, description, tags, category_id)``, a tsvector of
the folded words plus the lexeme "#12" (a "#" no typed word can carry).
"""
import sqlalchemy as sa
from alembic import op

# Copied from timebank.searchtext at the time of writing: a migration must not change when the code does.
ARABIC_FOLD = {
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
    "\u0649": "\u064a", "\u0629": "\u0647", "\u0624": "\u0648", "\u0626": "\u064a",
}
ARABIC_DROP = tuple(chr(code) for code in range(0x064B, 0x0656)) + ("\u0670", "\u0640")

revision = '0026_search'
down_revision = '0025_lang'
branch_labels = None
depends_on = None

SYNONYMS = {
    'childcare': ['garde', 'nounou', 'baby-sitting', 'babysitting', 'enfants', 'crèche', 'nursery', 'children',
                  'kids', 'حضانة', 'أطفال', 'مربية', 'çocuk bakımı', 'bebek bakıcısı', 'ama', 'crianças'],
    'homework': ['devoirs', 'aide aux devoirs', 'soutien scolaire', 'cours', 'maths', 'école', 'homework',
                 'tutoring', 'lessons', 'school', 'دروس', 'واجبات', 'مدرسة', 'ödev', 'ders', 'trabalhos de casa',
                 'explicações'],
    'translation': ['traduction', 'interprète', 'traduire', 'translation', 'interpreter', 'ترجمة', 'مترجم',
                    'çeviri', 'tercüman', 'tradução', 'intérprete'],
    'paperwork': ['papiers', 'administratif', 'démarches', 'dossier', 'formulaire', 'courrier', 'CAF', 'APL',
                  'impôts', 'préfecture', 'paperwork', 'forms', 'letters', 'benefits', 'أوراق', 'وثائق', 'إدارة',
                  'رسائل', 'evrak', 'belgeler', 'papéis', 'documentos'],
    'language-practice': ['conversation', 'français', 'FLE', 'alphabétisation', 'langue', 'language', 'speaking',
                          'لغة', 'محادثة', 'فرنسية', 'dil', 'konuşma', 'língua', 'conversação'],
    'computer-phone': ['ordinateur', 'informatique', 'téléphone', 'smartphone', 'internet', 'email', 'computer',
                       'phone', 'حاسوب', 'هاتف', 'إنترنت', 'bilgisayar', 'telefon', 'computador', 'telemóvel'],
    'cooking': ['cuisine', 'repas', 'recette', 'cooking', 'meals', 'recipe', 'طبخ', 'طعام', 'وجبات', 'yemek',
                'cozinha', 'refeições'],
    'sewing-repairs': ['couture', 'retouche', 'ourlet', 'réparation', 'sewing', 'mending', 'repair', 'خياطة',
                       'تصليح', 'dikiş', 'tamir', 'costura', 'arranjos'],
    'diy': ['bricolage', 'travaux', 'montage', 'meuble', 'peinture', 'diy', 'handyman', 'furniture', 'painting',
            'إصلاحات', 'أثاث', 'دهان', 'tamirat', 'mobilya', 'bricolagem', 'móveis'],
    'gardening': ['jardin', 'jardinage', 'plantes', 'potager', 'garden', 'plants', 'حديقة', 'بستنة', 'نباتات',
                  'bahçe', 'jardim', 'jardinagem'],
    'errands-rides': ['courses', 'trajet', 'voiture', 'accompagnement', 'errands', 'shopping', 'ride', 'lift',
                      'تسوق', 'توصيل', 'سيارة', 'alışveriş', 'araba', 'compras', 'boleia'],
    'elderly-company': ['personnes âgées', 'visite', 'compagnie', 'seniors', 'elderly', 'company', 'visit',
                        'مسنين', 'كبار السن', 'زيارة', 'yaşlı', 'ziyaret', 'idosos', 'companhia'],
    'moving': ['déménagement', 'cartons', 'porter', 'moving', 'boxes', 'removal', 'انتقال', 'نقل', 'عفش',
               'taşınma', 'mudança'],
    'wellbeing': ['santé', 'bien-être', 'yoga', 'massage', 'coiffure', 'health', 'wellbeing', 'hairdressing',
                  'صحة', 'رياضة', 'تصفيف', 'sağlık', 'saúde', 'bem-estar'],
    'culture-outings': ['sortie', 'musée', 'sport', 'musique', 'culture', 'outing', 'museum', 'music', 'ثقافة',
                        'رياضة', 'موسيقى', 'نزهة', 'kültür', 'müzik', 'passeio', 'música'],
    'other': [],
}


def _fold_sqlite(expression):
    for source, target in ARABIC_FOLD.items():
        expression = f"replace({expression}, '{source}', '{target}')"
    for mark in ARABIC_DROP:
        expression = f"replace({expression}, '{mark}', '')"
    return expression


def _body(row):
    return _fold_sqlite(f"coalesce({row}.title, '') || ' ' || coalesce({row}.description, '') || ' ' "
                        f"|| coalesce({row}.tags, '')")


def _sqlite_search():
    body_new, body_old = _body('new'), _body('old')
    delete_old = (f"INSERT INTO listing_fts (listing_fts, rowid, body, category) "
                  f"VALUES ('delete', old.id, {body_old}, 'c' || old.category_id);")
    insert_new = (f"INSERT INTO listing_fts (rowid, body, category) "
                  f"VALUES (new.id, {body_new}, 'c' || new.category_id);")
    return [
        'DROP TRIGGER IF EXISTS listing_fts_update', 'DROP TRIGGER IF EXISTS listing_fts_delete',
        'DROP TRIGGER IF EXISTS listing_fts_insert', 'DROP TABLE IF EXISTS listing_fts',
        # Contentless: the words are only needed to find rowids; the listing table keeps the text.
        """CREATE VIRTUAL TABLE listing_fts USING fts5(
               body, category, content='', tokenize='unicode61 remove_diacritics 2')""",
        f"CREATE TRIGGER listing_fts_insert AFTER INSERT ON listing BEGIN {insert_new} END",
        f"CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing BEGIN {delete_old} END",
        f"""CREATE TRIGGER listing_fts_update AFTER UPDATE OF title, description, tags, category_id ON listing
               BEGIN {delete_old} {insert_new} END""",
        f"INSERT INTO listing_fts (rowid, body, category) SELECT id, {_body('listing')}, 'c' || category_id "
        f"FROM listing",
    ]


def _postgresql_search():
    sources = "".join(ARABIC_FOLD) + "".join(ARABIC_DROP)
    targets = "".join(ARABIC_FOLD.values())
    return [
        f"""CREATE OR REPLACE FUNCTION timebank_search_fold(text) RETURNS text
               LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
               AS $$ SELECT translate($1, '{sources}', '{targets}') $$""",
        """CREATE OR REPLACE FUNCTION timebank_listing_document(text, text, text, integer) RETURNS tsvector
               LANGUAGE sql IMMUTABLE PARALLEL SAFE
               AS $$ SELECT to_tsvector('simple', timebank_search_word(timebank_search_fold(
                                coalesce($1, '') || ' ' || coalesce($2, '') || ' ' || coalesce($3, ''))))
                            || array_to_tsvector(ARRAY['#' || $4::text]) $$""",
        'DROP INDEX IF EXISTS ix_listing_search',
        """CREATE INDEX ix_listing_document ON listing USING gin (
               timebank_listing_document(title, description, tags, category_id))""",
    ]


OLD_SQLITE = [
    'DROP TRIGGER IF EXISTS listing_fts_update', 'DROP TRIGGER IF EXISTS listing_fts_delete',
    'DROP TRIGGER IF EXISTS listing_fts_insert', 'DROP TABLE IF EXISTS listing_fts',
    """CREATE VIRTUAL TABLE listing_fts USING fts5(
           title, description, tags, content='listing', content_rowid='id',
           tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER listing_fts_insert AFTER INSERT ON listing BEGIN
           INSERT INTO listing_fts (rowid, title, description, tags)
           VALUES (new.id, new.title, new.description, new.tags); END""",
    """CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing BEGIN
           INSERT INTO listing_fts (listing_fts, rowid, title, description, tags)
           VALUES ('delete', old.id, old.title, old.description, old.tags); END""",
    """CREATE TRIGGER listing_fts_update AFTER UPDATE OF title, description, tags ON listing BEGIN
           INSERT INTO listing_fts (listing_fts, rowid, title, description, tags)
           VALUES ('delete', old.id, old.title, old.description, old.tags);
           INSERT INTO listing_fts (rowid, title, description, tags)
           VALUES (new.id, new.title, new.description, new.tags); END""",
    "INSERT INTO listing_fts (listing_fts) VALUES ('rebuild')",
]
OLD_POSTGRESQL = [
    'DROP INDEX IF EXISTS ix_listing_document',
    'DROP FUNCTION IF EXISTS timebank_listing_document(text, text, text, integer)',
    'DROP FUNCTION IF EXISTS timebank_search_fold(text)',
    """CREATE INDEX ix_listing_search ON listing USING gin (
           to_tsvector('simple', timebank_search_text(title, description, tags)))""",
]


def upgrade():
    op.add_column('category', sa.Column('synonyms', sa.JSON(), server_default='[]', nullable=False))
    category = sa.table('category', sa.column('slug', sa.String), sa.column('synonyms', sa.JSON))
    for slug, words in SYNONYMS.items():
        # Only the categories shipped with the software, under their own slug.
        op.execute(category.update().where(category.c.slug == slug).values(synonyms=words))
    dialect = op.get_bind().dialect.name
    for statement in _sqlite_search() if dialect == 'sqlite' else _postgresql_search():
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in OLD_SQLITE if dialect == 'sqlite' else OLD_POSTGRESQL:
        op.execute(statement)
    op.execute('ALTER TABLE category DROP COLUMN synonyms')  # SQLite 3.35 and later, and PostgreSQL
