"""the directory's page and the coordinators' "ending this week" read an index instead of every row; the index of
trusted helpers holds only the members who have one

Revision ID: 0030_pages
Revises: 0029_perf
"""
import sqlalchemy as sa
from alembic import op

revision = "0030_pages"
down_revision = "0029_perf"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_member_status_name", "member", ["status", "display_name", "id"])
    op.create_index("ix_listing_status_ends_on", "listing", ["status", "ends_on"])
    op.drop_index("ix_member_helper_id", table_name="member")
    op.create_index("ix_member_helper_id", "member", ["helper_id"], sqlite_where=sa.text("helper_id IS NOT NULL"),
                    postgresql_where=sa.text("helper_id IS NOT NULL"))


def downgrade():
    op.drop_index("ix_member_helper_id", table_name="member")
    op.create_index("ix_member_helper_id", "member", ["helper_id"])
    op.drop_index("ix_listing_status_ends_on", table_name="listing")
    op.drop_index("ix_member_status_name", table_name="member")
