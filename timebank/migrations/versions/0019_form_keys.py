"""a key for every form that moves hours or changes an exchange: sent twice, it acts once

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_form_use_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_use')),
    sa.UniqueConstraint('key', name=op.f('uq_form_use_key'))
    )
    with op.batch_alter_table('form_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_use_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('form_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_use_member_id'))
    op.drop_table('form_use')
