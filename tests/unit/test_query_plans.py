"""The lists that grow with a city read their page from an index, not from every row (SQLite's plans; PostgreSQL
has its own planner and statistics)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL
from timebank.extensions import db

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's query plans")


def plan(statement) -> str:
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    return " | ".join(row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))


def test_the_directory_reads_its_page_in_name_order_from_an_index(ctx):
    from timebank.members.models import Member, Status

    shown = plan(sa.select(Member.id).where(Member.status == Status.ACTIVE).order_by(Member.display_name, Member.id)
                 .limit(30))
    assert "ix_member_status_name" in shown and "TEMP B-TREE" not in shown


def test_the_members_a_helper_acts_for_come_from_the_helpers_index(ctx):
    from timebank.members.models import Member, Status

    shown = plan(sa.select(Member.id).where(Member.helper_id == 3, Member.status == Status.ACTIVE))
    assert "ix_member_helper_id" in shown


def test_listings_ending_this_week_come_from_an_index(ctx):
    from datetime import date

    from timebank.listings.models import Listing, ListingStatus

    shown = plan(sa.select(sa.func.count(Listing.id)).where(
        Listing.status == ListingStatus.OPEN, Listing.ends_on.is_not(None), Listing.ends_on >= date(2026, 12, 1),
        Listing.ends_on <= date(2026, 12, 8)))
    assert "ix_listing_status_ends_on" in shown


def test_the_inbox_reads_only_the_messages_of_the_members_exchanges(ctx):
    from timebank.exchanges.inbox import threads_statement

    shown = plan(threads_statement(4))
    assert "SCAN exchange_message" not in shown, shown  # every message of the timebank, grouped, on each view
    assert "SEARCH exchange_message USING" in shown


def test_a_search_with_filters_intersects_them_in_the_full_text_index(ctx):
    """The words typed and every filter are one FTS5 query, walked newest first: no listing is read to be
    thrown away for its type, area or language, and nothing is sorted but the page's few rows; the filters
    together are one word of the index."""
    from sqlalchemy import event

    from timebank.listings.models import ListingType
    from timebank.listings.search import listings_search

    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        listings_search(q="aide", type=ListingType.OFFER, language="fr", area="Centre", on=None)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    statement, parameters = next((s, p) for s, p in statements if "listing_fts" in s)
    match = next(p for p in parameters if isinstance(p, str) and "facets :" in p)
    # The three filters are one word of the index (their combination, migration 0035), not three to intersect.
    assert 'body : ("aide"*)' in match and match.count('"zz') == 1 and '"zzo' in match
    shown = " | ".join(row[-1] for row in db.session.connection().exec_driver_sql(
        f"EXPLAIN QUERY PLAN {statement}", parameters))
    assert "SCAN listing_fts VIRTUAL TABLE" in shown
    assert "SEARCH listing USING INTEGER PRIMARY KEY" in shown
    assert "SCAN listing " not in shown + " " and "ix_listing_area" not in shown
