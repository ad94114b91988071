"""personal data: consents, sign-in records, erasure requests; the audit log lets an erased name be redacted

Revision ID: 0024_privacy
Revises: 0023_reach
Create Date: 2026-11-30 14:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0024_privacy'
down_revision = '0023_reach'
branch_labels = None
depends_on = None

# Who acted, what, on whom and when never change; ``reason`` and ``detail`` may be rewritten only together with a
# new ``redacted_at`` (an erased member's name taken out). Deleting stays refused.
REDACTABLE = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS audit_entry_never_updated',
        """CREATE TRIGGER audit_entry_never_updated BEFORE UPDATE ON audit_entry
           WHEN NOT (NEW.redacted_at IS NOT NULL AND (OLD.redacted_at IS NULL OR NEW.redacted_at > OLD.redacted_at)
                     AND NEW.id = OLD.id AND NEW.actor_id IS OLD.actor_id AND NEW.action = OLD.action
                     AND NEW.member_id IS OLD.member_id AND NEW.target = OLD.target
                     AND NEW.created_at = OLD.created_at)
           BEGIN SELECT RAISE(ABORT, 'audit: an entry is never changed'); END""",
    ],
    'postgresql': [
        'DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry',
        """CREATE FUNCTION audit_entry_redact_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NEW.redacted_at IS NOT NULL AND (OLD.redacted_at IS NULL OR NEW.redacted_at > OLD.redacted_at)
                AND NEW.id = OLD.id AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.action = OLD.action
                AND NEW.member_id IS NOT DISTINCT FROM OLD.member_id AND NEW.target = OLD.target
                AND NEW.created_at = OLD.created_at THEN
               RETURN NEW;
             END IF;
             RAISE EXCEPTION 'audit: an entry is never changed';
           END $$""",
        """CREATE TRIGGER audit_entry_never_updated BEFORE UPDATE ON audit_entry
           FOR EACH ROW EXECUTE FUNCTION audit_entry_redact_only()""",
        """CREATE TRIGGER audit_entry_append_only BEFORE DELETE ON audit_entry
           FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    ],
}
APPEND_ONLY_AGAIN = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS audit_entry_never_updated',
        """CREATE TRIGGER audit_entry_never_updated BEFORE UPDATE ON audit_entry
           BEGIN SELECT RAISE(ABORT, 'audit: an entry is never changed'); END""",
    ],
    'postgresql': [
        'DROP TRIGGER IF EXISTS audit_entry_never_updated ON audit_entry',
        'DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry',
        'DROP FUNCTION IF EXISTS audit_entry_redact_only()',
        """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
           FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    ],
}


def upgrade():
    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_consent_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index('ix_consent_member_id_kind_id', ['member_id', 'kind', 'id'], unique=False)

    op.create_table('sign_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_sign_in_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in'))
    )
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_sign_in_member_id_id', ['member_id', 'id'], unique=False)

    op.create_table('erasure_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_erasure_request_member_id_member')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['member.id'],
                            name=op.f('fk_erasure_request_requested_by_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_request'))
    )
    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_request_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_request_member_id'), ['member_id'], unique=False)

    # A plain ADD COLUMN: a batch copy of the table would be refused by its own triggers.
    op.add_column('audit_entry', sa.Column('redacted_at', sa.DateTime(), nullable=True))
    for statement in REDACTABLE[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in APPEND_ONLY_AGAIN[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')
    op.drop_table('erasure_request')
    op.drop_table('sign_in')
    op.drop_table('consent')
