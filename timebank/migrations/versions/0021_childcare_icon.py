"""childcare gets a child's face for its icon: the pram read as a shopping trolley on a phone

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 12:00:00

"""
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    # Only where the admin kept the icon shipped with the category.
    op.execute("UPDATE category SET icon = 'mood-kid' WHERE slug = 'childcare' AND icon = 'baby-carriage'")


def downgrade():
    op.execute("UPDATE category SET icon = 'baby-carriage' WHERE slug = 'childcare' AND icon = 'mood-kid'")
