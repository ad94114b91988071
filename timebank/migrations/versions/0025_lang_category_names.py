"""the shipped categories get their Turkish and Portuguese names

Revision ID: 0025_lang
Revises: 0024_privacy
Create Date: 2026-11-30 14:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0025_lang'
down_revision = '0024_privacy'
branch_labels = None
depends_on = None

# slug: (Turkish, Portuguese). A name an admin already wrote in one of these languages is kept.
NAMES = {
    'childcare': ('Çocuk bakımı', 'Guarda de crianças'),
    'homework': ('Ödev ve ders desteği', 'Trabalhos de casa e explicações'),
    'translation': ('Çeviri ve tercümanlık', 'Tradução e interpretação'),
    'paperwork': ('Evrak ve yazışmalar (CAF, konut, okul…)', 'Papéis e cartas (CAF, habitação, escola…)'),
    'language-practice': ('Fransızca ve diğer dillerde pratik', 'Prática de francês e de outras línguas'),
    'computer-phone': ('Bilgisayar ve telefon yardımı', 'Ajuda com computador e telemóvel'),
    'cooking': ('Yemek ve öğünler', 'Cozinha e refeições'),
    'sewing-repairs': ('Dikiş ve onarım', 'Costura e reparações'),
    'diy': ('Tamirat ve küçük işler', 'Bricolage e pequenos trabalhos'),
    'gardening': ('Bahçecilik', 'Jardinagem'),
    'errands-rides': ('Alışveriş ve yolculuklar', 'Compras e boleias'),
    'elderly-company': ('Yaşlılara arkadaşlık ve ziyaret', 'Companhia e visitas a pessoas idosas'),
    'moving': ('Taşınma yardımı', 'Ajuda nas mudanças'),
    'wellbeing': ('Sağlık ve iyi yaşam', 'Saúde e bem-estar'),
    'culture-outings': ('Kültür, spor ve geziler', 'Cultura, desporto e passeios'),
    'other': ('Diğer', 'Outro'),
}

category = sa.table('category', sa.column('id', sa.Integer), sa.column('slug', sa.String),
                    sa.column('names', sa.JSON))


def _rename(change):
    connection = op.get_bind()
    for id_, slug, names in connection.execute(sa.select(category.c.id, category.c.slug, category.c.names)).all():
        if slug not in NAMES:
            continue
        names = dict(names or {})
        changed = change(slug, names)
        if changed is not None:
            connection.execute(category.update().where(category.c.id == id_).values(names=changed))


def upgrade():
    def add(slug, names):
        turkish, portuguese = NAMES[slug]
        if names.get('tr') and names.get('pt'):
            return None
        return {**names, 'tr': names.get('tr') or turkish, 'pt': names.get('pt') or portuguese}

    _rename(add)


def downgrade():
    def remove(slug, names):
        turkish, portuguese = NAMES[slug]
        kept = {code: name for code, name in names.items()
                if not (code == 'tr' and name == turkish) and not (code == 'pt' and name == portuguese)}
        return kept if kept != names else None

    _rename(remove)
