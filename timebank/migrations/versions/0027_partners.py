"""partner organisations with their own hour account, their representatives, rewards and bookings

Revision ID: 0027_partners
Revises: 0026_search
Create Date: 2026-11-30 14:05:24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_partners'
down_revision = '0026_search'
branch_labels = None
depends_on = None


SINGLETONS = "kind IN ('community', 'system')"  # many member accounts, and now many partner accounts


def upgrade():
    op.drop_index('uq_account_singleton_kind', table_name='account')
    op.create_index('uq_account_singleton_kind', 'account', ['kind'], unique=True,
                    sqlite_where=sa.text(SINGLETONS), postgresql_where=sa.text(SINGLETONS))
    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('association', 'social_landlord', 'school', 'public_service', 'business', 'other', name='partnerkind', native_enum=False, length=20), nullable=False),
    sa.Column('descriptions', sa.JSON(), nullable=False),
    sa.Column('logo', sa.String(length=40), server_default='', nullable=False),
    sa.Column('address', sa.String(length=300), server_default='', nullable=False),
    sa.Column('contact', sa.String(length=300), server_default='', nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('suspended_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_partner_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('account_id', name=op.f('uq_partner_account_id'))
    )
    op.create_table('partner_representative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_partner_representative_member_id_member')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_partner_representative_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_representative')),
    sa.UniqueConstraint('partner_id', 'member_id', name='uq_partner_representative')
    )
    with op.batch_alter_table('partner_representative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_representative_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_representative_partner_id'), ['partner_id'], unique=False)

    op.create_table('reward',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_reward_minutes_positive')),
    sa.CheckConstraint('places >= 0', name=op.f('ck_reward_places_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_reward_created_by_id_member')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_reward_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward'))
    )
    with op.batch_alter_table('reward', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_partner_id'), ['partner_id'], unique=False)

    op.create_table('reward_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('reserved', 'used', 'cancelled', 'refused', 'expired', 'released', name='bookingstate', native_enum=False, length=20), nullable=False),
    sa.Column('reservation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_reward_booking_member_id_member')),
    sa.ForeignKeyConstraint(['reservation_id'], ['transfer.id'], name=op.f('fk_reward_booking_reservation_id_transfer')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['member.id'], name=op.f('fk_reward_booking_resolved_by_id_member')),
    sa.ForeignKeyConstraint(['reward_id'], ['reward.id'], name=op.f('fk_reward_booking_reward_id_reward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_booking')),
    sa.UniqueConstraint('reservation_id', name=op.f('uq_reward_booking_reservation_id'))
    )
    with op.batch_alter_table('reward_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_booking_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_reward_booking_reward_id_state', ['reward_id', 'state'], unique=False)



def downgrade():
    with op.batch_alter_table('reward_booking', schema=None) as batch_op:
        batch_op.drop_index('ix_reward_booking_reward_id_state')
        batch_op.drop_index(batch_op.f('ix_reward_booking_member_id'))

    op.drop_table('reward_booking')
    with op.batch_alter_table('reward', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reward_partner_id'))

    op.drop_table('reward')
    with op.batch_alter_table('partner_representative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_representative_partner_id'))
        batch_op.drop_index(batch_op.f('ix_partner_representative_member_id'))

    op.drop_table('partner_representative')
    op.drop_table('partner')
    # Partner accounts and their transfers stay (nothing in the ledger is erased): the index keeps them apart.
    op.drop_index('uq_account_singleton_kind', table_name='account')
    op.create_index('uq_account_singleton_kind', 'account', ['kind'], unique=True,
                    sqlite_where=sa.text("kind IN ('community', 'system')"),
                    postgresql_where=sa.text("kind IN ('community', 'system')"))
