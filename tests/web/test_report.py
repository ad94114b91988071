"""Sandrine, coordinator, reads the impact report for the association's funders: page, charts, CSV, and who may not."""
from __future__ import annotations

import csv
import io
import re

import pytest

from tests.conftest import login, text_of
from tests.factories import category_id, member
from tests.web.test_coordination import count_queries
from timebank.extensions import db
from timebank.giving.services import give_time
from timebank.listings.models import Category
from timebank.timeutil import utcnow

TODAY = utcnow().date()



def give(app, giver, recipient, minutes, *, key, category="translation"):
    """``giver`` thanks ``recipient`` for a service: a completed exchange."""
    with app.test_request_context():
        give_time(giver=member(giver), recipient=member(recipient), minutes=minutes, memo="Merci", key=key,
                  category_id=category_id(category) if category else None)


@pytest.fixture
def cast(app, people):
    sandrine = people.coordinator("Sandrine Martin")
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    give(app, karim, amina, 90, key="k1")  # Amina translated a letter for Karim: 1 h 30
    return sandrine, amina, karim


def test_the_coordinator_reads_this_years_figures(client, cast):
    sandrine, amina, karim = cast
    login(client, sandrine)
    response = client.get("/admin/reports/")
    assert response.status_code == 200
    page = text_of(response)
    assert f"From January 1, {TODAY.year} to {TODAY.strftime('%B')} {TODAY.day}, {TODAY.year}" in page
    assert "Hours exchanged 1 h 30 min" in page and "Exchanges 1" in page
    # Two members took part: too few to show.
    assert "Members who gave or received a service < 5" in page
    assert "New members < 5" in page  # the three of them, approved this year
    assert "Translation and interpreting 1 1 h 30 min < 5" in page  # category, exchanges, hours, members
    assert "Whole period 1 1 h 30 min" in page and "Whole period < 5 < 5" in page


def test_charts_are_svg_with_a_title_and_a_table_beside(client, cast):
    login(client, cast[0])
    html = client.get("/admin/reports/").get_data(as_text=True)
    charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(charts) == 4
    for chart in charts:
        assert 'role="img"' in chart and 'viewBox="0 0 320 ' in chart and 'width="100%"' in chart
        assert re.search(r"<title id=\"[\w-]+-title\">[^<]+</title>", chart)
    assert "Hours exchanged per month" in charts[0] and "<rect" in charts[0]
    assert "Active members per month" in charts[1]
    assert "Hours exchanged by category" in charts[2] and "Translation and interpreting" in charts[2]
    # Two active members this month: the chart shows "< 5" too, as a dashed band, never the count.
    assert "&lt; 5" in charts[1] and "chart-hidden" in charts[1]
    assert html.count("<table") == 4 and html.count("<caption") == 4
    # The Content-Security-Policy allows neither inline styles nor scripts; nothing is fetched elsewhere.
    assert "style=" not in html and "<style" not in html
    assert re.findall(r'<script src="/static/js/register-sw.js\?v=[0-9a-f]{12}" defer>', html) == \
        re.findall(r"<script[^>]*>", html) != []  # a file, never inline
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert '/static/css/report.css' in html


def test_the_report_reads_right_to_left_in_arabic(client, cast):
    login(client, cast[0])
    html = client.get("/admin/reports/?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in html and html.count('direction="rtl"') == 4
    html = client.get("/admin/reports/?lang=fr").get_data(as_text=True)
    assert html.count('direction="ltr"') == 4 and "janvier" in html


def test_each_table_downloads_as_csv(client, cast):
    login(client, cast[0])
    page = client.get("/admin/reports/").get_data(as_text=True)
    links = re.findall(r'href="(/admin/reports/\w+\.csv\?[^"]+)"', page)
    assert {link.split(".csv")[0] for link in links} == {"/admin/reports/summary", "/admin/reports/months", "/admin/reports/categories",
                                                         "/admin/reports/balances"}
    response = client.get(f"/admin/reports/months.csv?period=year&year={TODAY.year}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="impact-months-{TODAY.year}-01-01-{TODAY.isoformat()}.csv"' in response.headers[
        "Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Month", "Exchanges", "Hours (decimal)", "Hours (h:mm)", "Active members", "New members"]
    assert len(rows) == 1 + TODAY.month + 1  # every month so far, and the whole period
    assert rows[TODAY.month] == [TODAY.strftime("%Y-%m"), "1", "1.50", "1:30", "< 5", "< 5"]
    assert rows[-1] == ["Whole period", "1", "1.50", "1:30", "< 5", "< 5"]

    summary = list(csv.reader(io.StringIO(
        client.get(f"/admin/reports/summary.csv?period=year&year={TODAY.year}").get_data().decode("utf-8-sig"))))
    assert summary[0] == ["Figure", "Number", "Hours (decimal)", "Hours (h:mm)"]
    assert ["Hours exchanged", "", "1.50", "1:30"] in summary and ["Exchanges", "1", "", ""] in summary
    assert ["Members who gave or received a service", "< 5", "", ""] in summary
    balances = list(csv.reader(io.StringIO(
        client.get(f"/admin/reports/balances.csv?period=year&year={TODAY.year}").get_data().decode("utf-8-sig"))))
    assert balances[0] == ["Balance at the end of the period", "Members"]
    assert ["Less than 1 h either way", "< 5"] in balances  # Sandrine only: her 0 h is not shown


def test_csv_cells_cannot_become_formulas(app, client, people, cast):
    sandrine, amina, karim = cast
    with app.app_context():
        category = db.session.get(Category, category_id("cooking"))
        category.names = {"en": "=HYPERLINK(\"http://evil.example\")", "fr": "=x", "ar": "=x"}
        db.session.commit()
    give(app, amina, karim, 60, key="a1", category="cooking")
    login(client, sandrine)
    rows = list(csv.reader(io.StringIO(
        client.get(f"/admin/reports/categories.csv?period=year&year={TODAY.year}").get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Category", "Exchanges", "Hours (decimal)", "Hours (h:mm)", "Members taking part"]
    assert ["'=HYPERLINK(\"http://evil.example\")", "1", "1.00", "1:00", "< 5"] in rows


def test_five_people_are_counted_four_are_not(app, client, people, cast):
    sandrine, amina, karim = cast
    fatou, hawa, omar = people.member("Fatou Ndiaye"), people.member("Hawa Coulibaly"), people.member("Omar Haddad")
    give(app, fatou, hawa, 60, key="f1")
    login(client, sandrine)
    assert "Members who gave or received a service < 5" in text_of(client.get("/admin/reports/"))  # four
    give(app, omar, fatou, 30, key="o1")
    assert "Members who gave or received a service 5" in text_of(client.get("/admin/reports/"))


def test_admins_see_it_members_and_visitors_do_not(client, people, cast):
    sandrine, amina, karim = cast
    for url in ("/admin/reports/", f"/admin/reports/months.csv?period=year&year={TODAY.year}"):
        client.post("/logout")
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        login(client, amina)
        assert client.get(url).status_code == 403
        login(client, people.applicant("Nadia Haddad", email=f"nadia{len(url)}@example.org"))
        assert client.get(url).status_code == 403
        login(client, people.admin("Claire Dubois", email=f"claire{len(url)}@example.org"))
        assert client.get(url).status_code == 200
    login(client, amina)
    assert "/admin/reports/" not in client.get("/").get_data(as_text=True)


def test_the_coordination_dashboard_links_to_the_report(client, cast):
    login(client, cast[0])
    assert 'href="/admin/reports/"' in client.get("/coordination/").get_data(as_text=True)


def test_other_periods(client, cast):
    login(client, cast[0])
    quarter = (TODAY.month - 1) // 3 + 1
    page = text_of(client.get(f"/admin/reports/?period=quarter&year={TODAY.year}&quarter={quarter}"))
    assert "Hours exchanged 1 h 30 min" in page
    page = text_of(client.get(f"/admin/reports/?period=month&year={TODAY.year - 1}&month=3"))
    assert f"From March 1, {TODAY.year - 1} to March 31, {TODAY.year - 1}" in page and "Hours exchanged 0 h" in page
    assert "No exchange in this period." in page
    response = client.get(f"/admin/reports/?period=custom&start={TODAY.isoformat()}&end={TODAY.isoformat()}")
    assert response.status_code == 200 and "Exchanges 1" in text_of(response)
    # The fields the period does not use are left alone, whatever they hold.
    loose = client.get(f"/admin/reports/?period=year&year={TODAY.year}&month=99&start=nonsense")
    assert loose.status_code == 200 and "Hours exchanged 1 h 30 min" in text_of(loose)


@pytest.mark.parametrize("query, message", [
    ("period=week", "Please choose a period"),
    ("period=year&year=abc", "Please give the year in figures"),
    ("period=year&year=99999", "Please give a year between 2000 and"),
    ("period=year&year=", "Please give the year."),
    ("period=quarter&year=2025&quarter=9", "Please choose a quarter."),
    ("period=month&year=2025&month=0", "Please choose a month."),
    ("period=custom&start=2025-02-01&end=2025-01-01", "The first day must come before the last day."),
    ("period=custom&start=2025-13-45&end=2025-12-31", "Please give a date"),
    ("period=custom&start=1976-01-01&end=2026-01-01", "Please choose a first day between 1 January 2000 and today."),
    ("period=custom&start=2000-01-01&end=2049-12-31", "A report covers at most 5 years"),
    ("period=custom&end=2025-01-01", "Please give the first day."),
    (f"period=month&year={TODAY.year + 1}&month=1", "Please give a year between"),
])
def test_bad_periods_get_a_clear_message(client, cast, query, message):
    login(client, cast[0])
    response = client.get(f"/admin/reports/?{query}")
    assert response.status_code == 400
    page = text_of(response)
    assert message in page and "Please correct what is marked below." in page
    assert "Key figures" not in page
    csv_response = client.get(f"/admin/reports/months.csv?{query}")
    assert csv_response.status_code == 400 and message in csv_response.get_data(as_text=True)


def test_hostile_input_never_fails(client, cast):
    login(client, cast[0])
    for query in ("period=year&period=month", "year=%00", "period=custom&start=" + "9" * 5000,
                  "quarter=-1&period=quarter", "period=custom&start=0001-01-01&end=9999-12-31", "year=2147483648"):
        assert client.get(f"/admin/reports/?{query}").status_code in (200, 400), query
    assert client.get("/admin/reports/passwords.csv").status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(app, client, people, cast):
    sandrine, amina, karim = cast
    login(client, sandrine)
    few = (count_queries(app, client, "/admin/reports/"), count_queries(app, client, "/admin/reports/months.csv"))
    residents = [people.member(f"Voisine {n}", email=f"v{n}@example.org") for n in range(8)]
    for n, (giver, receiver) in enumerate(zip(residents, residents[1:] + residents[:1])):
        give(app, giver, receiver, 30 + 15 * n, key=f"v{n}",
             category=("cooking", "paperwork", "diy", None)[n % 4])
    with app.test_request_context():
        give_time(giver=member(amina), recipient=None, minutes=60, memo="Pot commun", key="d1")
    many = (count_queries(app, client, "/admin/reports/"), count_queries(app, client, "/admin/reports/months.csv"))
    assert many == few
    assert "Members who gave or received a service 10" in text_of(client.get("/admin/reports/"))


def test_the_printed_page_is_a4_without_menus(client, cast):
    css = client.get("/static/css/report.css").get_data(as_text=True)
    assert "@media print" in css and "@page { size: A4" in css
    assert re.search(r"\.report-form[^{]*\{ display: none", css.split("@media print", 1)[1])

