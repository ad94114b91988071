"""a disagreement keeps the other party's version: when a coordinator asked for it, what they wrote and when

Revision ID: 0028_coord
Revises: 0027_partners
Create Date: 2026-11-30 14:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0028_coord'
down_revision = '0027_partners'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exchange_dispute') as batch:
        batch.add_column(sa.Column('version_asked_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('version_asked_by_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('version', sa.Text(), nullable=True))
        batch.add_column(sa.Column('version_at', sa.DateTime(), nullable=True))
        batch.create_foreign_key(batch.f('fk_exchange_dispute_version_asked_by_id_member'), 'member',
                                 ['version_asked_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('exchange_dispute') as batch:
        batch.drop_constraint(batch.f('fk_exchange_dispute_version_asked_by_id_member'), type_='foreignkey')
        batch.drop_column('version_at')
        batch.drop_column('version')
        batch.drop_column('version_asked_by_id')
        batch.drop_column('version_asked_at')
