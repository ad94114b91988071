"""members who asked coordinators to act for them

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 16:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: the member table is referenced from everywhere, no table copy.
    op.add_column('member', sa.Column('brokered', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('brokered')
