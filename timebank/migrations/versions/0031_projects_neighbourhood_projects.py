"""neighbourhood projects: projects with a sponsor, residents' participations in their tasks, the hours they gave

A task is a listing (a request) with ``project_id``.

Revision ID: 0031_projects
Revises: 0030_pages
"""
import sqlalchemy as sa
from alembic import op

revision = "0031_projects"
down_revision = "0030_pages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('goal_minutes', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'closed', name='projectstatus', native_enum=False, length=20), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('goal_minutes > 0', name=op.f('ck_project_goal_positive')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['member.id'], name=op.f('fk_project_opened_by_id_member')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_project_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project'))
    )
    op.create_index(op.f('ix_project_partner_id'), 'project', ['partner_id'], unique=False)
    # A plain ADD COLUMN (SQLite rebuilds a table for a batch change, and the listing's search triggers with it).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE listing ADD COLUMN project_id INTEGER "
                   "CONSTRAINT fk_listing_project_id_project REFERENCES project (id)")
    else:
        op.add_column('listing', sa.Column('project_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_listing_project_id_project'), 'listing', 'project', ['project_id'], ['id'])
    op.create_index(op.f('ix_listing_project_id'), 'listing', ['project_id'], unique=False)
    op.create_table('project_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('shown', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_project_participation_member_id_member')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_participation_project_id_project')),
    sa.ForeignKeyConstraint(['task_id'], ['listing.id'], name=op.f('fk_project_participation_task_id_listing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_participation')),
    sa.UniqueConstraint('task_id', 'member_id', name='uq_project_participation_task_member')
    )
    op.create_index(op.f('ix_project_participation_member_id'), 'project_participation', ['member_id'], unique=False)
    op.create_index(op.f('ix_project_participation_project_id'), 'project_participation', ['project_id'],
                    unique=False)
    op.create_table('project_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), server_default='', nullable=False),
    sa.Column('state', sa.Enum('stated', 'confirmed', 'declined', name='hoursstate', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_project_hours_minutes_positive')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['member.id'], name=op.f('fk_project_hours_decided_by_id_member')),
    sa.ForeignKeyConstraint(['participation_id'], ['project_participation.id'], name=op.f('fk_project_hours_participation_id_project_participation')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfer.id'], name=op.f('fk_project_hours_transfer_id_transfer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_hours')),
    sa.UniqueConstraint('transfer_id', name=op.f('uq_project_hours_transfer_id'))
    )
    op.create_index('ix_project_hours_participation_id_state', 'project_hours', ['participation_id', 'state'],
                    unique=False)


def downgrade():
    op.drop_index('ix_project_hours_participation_id_state', table_name='project_hours')
    op.drop_table('project_hours')
    op.drop_index(op.f('ix_project_participation_project_id'), table_name='project_participation')
    op.drop_index(op.f('ix_project_participation_member_id'), table_name='project_participation')
    op.drop_table('project_participation')
    op.drop_index(op.f('ix_listing_project_id'), table_name='listing')
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot drop a column a foreign key names: it stays, empty
        op.drop_constraint(op.f('fk_listing_project_id_project'), 'listing', type_='foreignkey')
        op.drop_column('listing', 'project_id')
    op.drop_index(op.f('ix_project_partner_id'), table_name='project')
    op.drop_table('project')
