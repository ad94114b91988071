"""offers and requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 14:46:06.092040

"""
import sqlalchemy as sa
from alembic import op

DEFAULT_CATEGORIES = [
    ('childcare', 'baby-carriage', "Garde d'enfants", 'Childcare', 'رعاية الأطفال'),
    ('homework', 'book', 'Devoirs et soutien scolaire', 'Homework and tutoring', 'الواجبات المدرسية والدعم'),
    ('translation', 'language', 'Traduction et interprétariat', 'Translation and interpreting', 'الترجمة'),
    ('paperwork', 'file-text', 'Papiers et courriers (CAF, logement, école…)', 'Paperwork and letters (CAF, housing, school…)',
     'الأوراق والرسائل (الإعانات، السكن، المدرسة…)'),
    ('language-practice', 'messages', 'Pratique du français et d\'autres langues', 'French and other language practice',
     'ممارسة الفرنسية ولغات أخرى'),
    ('computer-phone', 'device-mobile', 'Aide informatique et téléphone', 'Computer and phone help', 'المساعدة في الحاسوب والهاتف'),
    ('cooking', 'tools-kitchen-2', 'Cuisine et repas', 'Cooking and meals', 'الطبخ والوجبات'),
    ('sewing-repairs', 'needle-thread', 'Couture et réparations', 'Sewing and repairs', 'الخياطة والتصليح'),
    ('diy', 'hammer', 'Bricolage et petits travaux', 'DIY and small works', 'الأعمال اليدوية والإصلاحات الصغيرة'),
    ('gardening', 'plant', 'Jardinage', 'Gardening', 'البستنة'),
    ('errands-rides', 'car', 'Courses et trajets', 'Errands and rides', 'التسوق والتوصيل'),
    ('elderly-company', 'old', 'Compagnie et visites aux personnes âgées', 'Company and visits to elderly people',
     'مرافقة كبار السن وزيارتهم'),
    ('moving', 'truck', 'Aide au déménagement', 'Moving help', 'المساعدة في الانتقال'),
    ('wellbeing', 'heart', 'Santé et bien-être', 'Health and well-being', 'الصحة والرفاه'),
    ('culture-outings', 'masks-theater', 'Culture, sport et sorties', 'Culture, sport and outings', 'الثقافة والرياضة والنزهات'),
    ('other', 'sparkles', 'Autre', 'Other', 'أخرى'),
]

# Full-text search over title, description and tags, ignoring accents and case.
SEARCH = {
    'sqlite': [
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
    ],
    'postgresql': [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        # unaccent() is only STABLE; an index needs an IMMUTABLE function with a fixed dictionary.
        """CREATE OR REPLACE FUNCTION timebank_unaccent(text) RETURNS text
               LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
               AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
        # Words only, as SQLite's unicode61 tokenizer sees them: links and e-mail addresses are split.
        """CREATE OR REPLACE FUNCTION timebank_search_word(text) RETURNS text
               LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
               AS $$ SELECT trim(regexp_replace(lower(timebank_unaccent($1)), '[^[:alnum:]]+', ' ', 'g')) $$""",
        """CREATE OR REPLACE FUNCTION timebank_search_text(text, text, text) RETURNS text
               LANGUAGE sql IMMUTABLE PARALLEL SAFE
               AS $$ SELECT timebank_search_word(coalesce($1, '') || ' ' || coalesce($2, '') || ' '
                                                 || coalesce($3, '')) $$""",
        """CREATE INDEX ix_listing_search ON listing USING gin (
               to_tsvector('simple', timebank_search_text(title, description, tags)))""",
    ],
}
DROP_SEARCH = {
    'sqlite': ['DROP TRIGGER IF EXISTS listing_fts_update', 'DROP TRIGGER IF EXISTS listing_fts_delete',
               'DROP TRIGGER IF EXISTS listing_fts_insert', 'DROP TABLE IF EXISTS listing_fts'],
    'postgresql': ['DROP INDEX IF EXISTS ix_listing_search',
                   'DROP FUNCTION IF EXISTS timebank_search_text(text, text, text)',
                   'DROP FUNCTION IF EXISTS timebank_search_word(text)',
                   'DROP FUNCTION IF EXISTS timebank_unaccent(text)'],
}


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('icon', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('requires_verified', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category')),
    sa.UniqueConstraint('slug', name=op.f('uq_category_slug'))
    )
    op.create_table('listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('offer', 'request', name='listingtype', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('tags', sa.String(length=200), server_default='', nullable=False),
    sa.Column('area', sa.String(length=80), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('availability', sa.String(length=200), server_default='', nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('open', 'paused', 'closed', name='listingstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('duration_minutes IS NULL OR duration_minutes > 0', name=op.f('ck_listing_duration_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_listing_category_id_category')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['member.id'], name=op.f('fk_listing_hidden_by_id_member')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_listing_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing'))
    )
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_area'), ['area'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_listing_status_id', ['status', 'id'], unique=False)

    op.create_table('listing_language',
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_listing_language_listing_id_listing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('listing_id', 'code', name=op.f('pk_listing_language'))
    )
    with op.batch_alter_table('listing_language', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_language_code'), ['code'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('handled_at', sa.DateTime(), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_id'], ['member.id'], name=op.f('fk_report_handled_by_id_member')),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_report_listing_id_listing')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_report_member_id_member')),
    sa.ForeignKeyConstraint(['reporter_id'], ['member.id'], name=op.f('fk_report_reporter_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_handled_at'), ['handled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_reporter_id'), ['reporter_id'], unique=False)

    # Plain ADD COLUMN (not a batch copy of the table): members are referenced from everywhere.
    op.add_column('member', sa.Column('verified_at', sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot add a constraint later, but accepts it inline in ADD COLUMN.
        op.execute('ALTER TABLE member ADD COLUMN verified_by_id INTEGER '
                   'CONSTRAINT fk_member_verified_by_id_member REFERENCES member (id)')
    else:
        op.add_column('member', sa.Column('verified_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_member_verified_by_id_member'), 'member', 'member',
                              ['verified_by_id'], ['id'])
    op.add_column('member', sa.Column('notify_matches', sa.Boolean(), server_default=sa.false(), nullable=False))

    categories = sa.table('category', sa.column('slug', sa.String), sa.column('icon', sa.String),
                          sa.column('position', sa.Integer), sa.column('requires_verified', sa.Boolean),
                          sa.column('names', sa.JSON))
    op.bulk_insert(categories, [
        {'slug': slug, 'icon': icon, 'position': position, 'requires_verified': slug == 'childcare',
         'names': {'fr': fr, 'en': en, 'ar': ar}}
        for position, (slug, icon, fr, en, ar) in enumerate(DEFAULT_CATEGORIES, start=1)
    ])
    for statement in SEARCH[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP_SEARCH[op.get_bind().dialect.name]:
        op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_member_verified_by_id_member'), type_='foreignkey')
        batch_op.drop_column('notify_matches')
        batch_op.drop_column('verified_by_id')
        batch_op.drop_column('verified_at')

    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_report_member_id'))
        batch_op.drop_index(batch_op.f('ix_report_listing_id'))
        batch_op.drop_index(batch_op.f('ix_report_handled_at'))

    op.drop_table('report')
    with op.batch_alter_table('listing_language', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_language_code'))

    op.drop_table('listing_language')
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_status_id')
        batch_op.drop_index(batch_op.f('ix_listing_member_id'))
        batch_op.drop_index(batch_op.f('ix_listing_category_id'))
        batch_op.drop_index(batch_op.f('ix_listing_area'))

    op.drop_table('listing')
    op.drop_table('category')
    # ### end Alembic commands ###
