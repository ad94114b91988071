"""partners ask and offer: a listing and an exchange may be a partner's; a reward may be withdrawn

Revision ID: 0033_pexch
Revises: 0032_reports
"""
import sqlalchemy as sa
from alembic import op

revision = "0033_pexch"
down_revision = "0032_reports"
branch_labels = None
depends_on = None


def _add_partner_column(table: str) -> None:
    """A nullable partner_id with its foreign key, by a plain ADD COLUMN: no table rebuild on SQLite, so the
    listing table keeps its search triggers."""
    name = f"fk_{table}_partner_id_partner"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" ADD COLUMN partner_id INTEGER CONSTRAINT {name} REFERENCES partner (id)')
    else:
        op.add_column(table, sa.Column("partner_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(name), table, "partner", ["partner_id"], ["id"])


def upgrade():
    _add_partner_column("listing")
    op.create_index(op.f("ix_listing_partner_id"), "listing", ["partner_id"], unique=False)
    _add_partner_column("exchange")
    op.add_column("exchange", sa.Column("partner_side", sa.String(length=10), nullable=True))
    op.create_index(op.f("ix_exchange_partner_id"), "exchange", ["partner_id"], unique=False)
    op.add_column("reward", sa.Column("withdrawn_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("reward", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("exchange", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_partner_id"))
        batch_op.drop_column("partner_side")
        batch_op.drop_column("partner_id")
    op.drop_index(op.f("ix_listing_partner_id"), table_name="listing")
    bind = op.get_bind()
    # Rebuilding the table on SQLite drops its search triggers: keep them and put them back.
    triggers = (bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'listing'")
                .scalars().all() if bind.dialect.name == "sqlite" else [])
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_column("partner_id")  # its foreign key goes with it (SQLite names no inline constraint)
    for sql in triggers:
        op.execute(sql)
