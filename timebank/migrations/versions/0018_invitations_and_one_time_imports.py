"""invitation links with uses, expiry and withdrawal; one-time confirmation of a member import

Revision ID: 0018
Revises: 0016
Create Date: 2026-11-30 11:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('uses_allowed', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), server_default='0', nullable=False),
    sa.Column('approve_at_once', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('uses >= 0 AND uses <= uses_allowed', name=op.f('ck_invitation_uses_within_allowed')),
    sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_invitation_created_by_id_member')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['member.id'], name=op.f('fk_invitation_revoked_by_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_invitation_token_sha256'))
    )
    op.create_table('member_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('data_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('members', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_member_import_created_by_id_member')),
    sa.ForeignKeyConstraint(['done_by_id'], ['member.id'], name=op.f('fk_member_import_done_by_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_import')),
    sa.UniqueConstraint('nonce', name=op.f('uq_member_import_nonce'))
    )


def downgrade():
    op.drop_table('member_import')
    op.drop_table('invitation')
