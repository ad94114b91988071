"""an index on the time of each transfer, for reports by period

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 17:45:00

"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # The impact report reads one period of the ledger; without this it scans all of it.
    op.create_index(op.f('ix_transfer_created_at'), 'transfer', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_transfer_created_at'), table_name='transfer')
