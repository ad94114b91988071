"""one outbox for e-mail, text messages and phone notifications; texts stopped; sign-in codes by text

Revision ID: 0023_reach
Revises: 0022_push
Create Date: 2026-11-30 14:30:00

The e-mail preferences keep their table: a saved "now", "digest" or "never" means what it meant; "sms" and
"push" are new values of the same column.
"""
import sqlalchemy as sa
from alembic import op

revision = '0023_reach'
down_revision = '0022_push'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='email', nullable=False))
        batch_op.add_column(sa.Column('topic', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_outbox_message_channel_created_at', ['channel', 'created_at'], unique=False)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_stopped_at', sa.DateTime(), nullable=True))
    op.create_table('outbox_skip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_outbox_skip_member_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_skip'))
    )
    op.create_index(op.f('ix_outbox_skip_created_at'), 'outbox_skip', ['created_at'], unique=False)
    op.create_table('sign_in_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('tries', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_sign_in_code_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_code'))
    )
    op.create_index(op.f('ix_sign_in_code_member_id'), 'sign_in_code', ['member_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sign_in_code_member_id'), table_name='sign_in_code')
    op.drop_table('sign_in_code')
    op.drop_index(op.f('ix_outbox_skip_created_at'), table_name='outbox_skip')
    op.drop_table('outbox_skip')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('sms_stopped_at')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_channel_created_at')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('topic')
        batch_op.drop_column('channel')
