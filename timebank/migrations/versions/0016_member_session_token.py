"""a session token per member, replaced to sign her out everywhere

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 11:10:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (the member table is referenced from everywhere, no table copy); every existing
    # member gets her own token, so the sessions and cookies made with the bare id stop working.
    op.add_column('member', sa.Column('session_token', sa.String(length=64), nullable=True))
    member = sa.table('member', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (member_id,) in connection.execute(sa.select(member.c.id)).all():
        connection.execute(member.update().where(member.c.id == member_id)
                           .values(session_token=secrets.token_urlsafe(32)))
    op.create_index(op.f('ix_member_session_token'), 'member', ['session_token'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_member_session_token'), table_name='member')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('session_token')
