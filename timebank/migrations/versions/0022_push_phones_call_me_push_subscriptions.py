"""phones kept in E.164, "call me" for applicants, and the phones where members get notifications (web push)

Revision ID: 0022_push
Revises: 0021
Create Date: 2026-11-30 14:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0022_push'
down_revision = '0021'
branch_labels = None
depends_on = None


def _region() -> str:
    try:
        from flask import current_app

        return (current_app.config.get("TIMEBANK_PHONE_REGION") or "FR").upper()
    except RuntimeError:  # outside the application (plain alembic)
        return "FR"


def _e164(text: str, region: str) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def upgrade():
    # An applicant who asked to be called rather than e-mailed about her application.
    op.add_column('member', sa.Column('call_me', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Every phone that can be read becomes E.164; one that cannot stays as it was typed, for a coordinator to fix.
    member = sa.table('member', sa.column('id', sa.Integer), sa.column('phone', sa.String))
    connection = op.get_bind()
    region = _region()
    for member_id, phone in connection.execute(sa.select(member.c.id, member.c.phone)
                                               .where(member.c.phone.is_not(None))).all():
        normalised = _e164(phone, region)
        if normalised is not None and normalised != phone:
            connection.execute(member.update().where(member.c.id == member_id).values(phone=normalised))

    op.create_table(
        'push_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('endpoint', sa.String(length=1000), nullable=False),
        sa.Column('keys', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_push_subscription_member_id_member'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
        sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscription_endpoint')),
    )
    op.create_index(op.f('ix_push_subscription_member_id'), 'push_subscription', ['member_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_push_subscription_member_id'), table_name='push_subscription')
    op.drop_table('push_subscription')
    # The phones stay in E.164: every reader of the older code takes them as they are.
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('call_me')
