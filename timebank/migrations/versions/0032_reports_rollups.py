"""the impact report's monthly rollups, kept up to a watermark by `timebank cron`

Revision ID: 0032_reports
Revises: 0031_projects
"""
import sqlalchemy as sa
from alembic import op

revision = "0032_reports"
down_revision = "0031_projects"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_rollup_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("transfer_id", sa.Integer, nullable=False, server_default="0"),
        sa.Column("event_id", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime),
    )
    op.create_table(
        "report_month_exchanges",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("category_id", sa.Integer, primary_key=True),  # 0: none
        sa.Column("exchanges", sa.Integer, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("brokered", sa.Integer, nullable=False),
    )
    op.create_table(
        "report_month_members",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("category_id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, primary_key=True),
        sa.Column("paid", sa.Integer, nullable=False),
        sa.Column("gave", sa.Integer, nullable=False),
    )
    op.create_table(
        "report_month_community",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("given", sa.Integer, nullable=False),
        sa.Column("granted", sa.Integer, nullable=False),
    )
    op.create_table(
        "report_month_balances",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("band", sa.String(10), primary_key=True),
        sa.Column("members", sa.Integer, nullable=False),
    )


def downgrade():
    for table in ("report_month_balances", "report_month_community", "report_month_members",
                  "report_month_exchanges", "report_rollup_state"):
        op.drop_table(table)

