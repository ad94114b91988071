"""Whatever is typed into a page's address (a space, a tab, a line break, a word the page does not know, a huge
number), the page is shown with the filter ignored, or refused with a 400, or "not found" for a page past the end:
never the "something went wrong" page."""
from __future__ import annotations

import pytest

from tests.conftest import text_of
from tests.factories import Factory, publish
from tests.world import close, english_client, module_app, signed_in

HOSTILE = ["%20", "%09", "%0D%0A", "%00", "zzz", "-1", "0", "99999999999999999999", "%FF", "1e9",
           "%3Cscript%3E", "offer%20", "%E2%80%AE"]

# Every GET parameter that a page reads, and the page's title (to check that the page itself is shown).
FILTERS = {
    "/listings": (("q", "type", "category", "language", "area", "page"), "Offers and requests"),
    "/listings/print": (("area",), "Directory of offers and requests"),
    "/listings/new": (("type", "category"), "New listing"),
    "/members": (("name", "skill", "language", "area", "page"), "Members"),
    "/admin/people": (("q", "status", "role", "page"), "People"),
    "/admin/reports/": (("period", "year", "quarter", "month", "start", "end"), "Impact report"),
    "/admin/reports/months.csv": (("period", "year", "quarter", "month", "start", "end"), None),
    "/coordination/audit": (("action", "person"), "Audit log"),
    "/me/hours": (("page",), "My hours"),
    "/exchanges/new": (("listing", "member"), None),
    "/give": (("to",), "Give time"),
    "/register": (("invite", "lang"), None),
    "/login": (("next", "lang"), "Sign in"),
    "/": (("lang",), None),
}
# The period a date or a month belongs to, so that the hostile value is actually read.
CONTEXT = {"quarter": "period=quarter&", "month": "period=month&", "start": "period=custom&end=2026-01-31&",
           "end": "period=custom&start=2026-01-01&"}


@pytest.fixture(scope="module")
def world(migrated_database, tmp_path_factory):
    app = module_app(migrated_database, tmp_path_factory)
    people = Factory(app)
    admin = people.admin("Claire Dubois")
    publish(app, people.member("Karim Benali"), "French lessons")
    yield {"admin": signed_in(app, admin), "visitor": english_client(app)}
    close(app)


@pytest.mark.parametrize("url,param", [(url, p) for url, (params, _) in FILTERS.items() for p in params])
def test_a_hostile_filter_value_never_breaks_the_page(world, url, param):
    title = FILTERS[url][1]
    client = world["visitor"] if url in ("/register", "/login") else world["admin"]
    for value in HOSTILE:
        address = f"{url}?{CONTEXT.get(param, '')}{param}={value}"
        response = client.get(address)
        # An invitation link that is not one shows its own page ("this link cannot be used"), a 403.
        allowed = (200, 302, 400, 403, 404) if param == "invite" else (200, 302, 400, 404)
        assert response.status_code in allowed, f"{address} answered {response.status_code}"
        if response.status_code == 200 and title:
            assert title in text_of(response), f"{address} did not show its page"
        if response.status_code == 400 and not url.endswith(".csv"):
            assert "went wrong on our side" not in text_of(response), address


@pytest.mark.parametrize("param", ["type", "category", "language", "area"])
@pytest.mark.parametrize("value", ["%20", "%09", "%0D%0A"])
def test_a_blank_listing_filter_means_any(world, param, value):
    """/listings?type=%20 (a space typed or pasted) shows every listing, as an empty choice does."""
    response = world["admin"].get(f"/listings?{param}={value}")
    assert response.status_code == 200
    assert "French lessons" in text_of(response)
