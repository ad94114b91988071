"""the menu's count of unread notices reads only the unread ones (a partial index)

Revision ID: 0029_perf
Revises: 0028_coord
"""
import sqlalchemy as sa
from alembic import op

revision = "0029_perf"
down_revision = "0028_coord"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_notification_unread", "notification", ["member_id"],
                    sqlite_where=sa.text("read_at IS NULL"), postgresql_where=sa.text("read_at IS NULL"))


def downgrade():
    op.drop_index("ix_notification_unread", table_name="notification")
