"""Sandrine prepares the impact report for the town hall: on her phone, on the office computer, in French and
Arabic, and on paper."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_hours_journey import sign_in
from tests.factories import category_id, member
from timebank.extensions import db
from timebank.giving.services import give_time
from timebank.members.models import Member
from timebank.timeutil import utcnow


@contextmanager
def clock_at(when: datetime):
    """Write the rows below as if it were ``when`` (the timebank reads its clock from timebank.timeutil)."""
    import timebank.timeutil

    real = timebank.timeutil.datetime

    class Frozen(real):
        @classmethod
        def now(cls, tz=None):
            return when.replace(tzinfo=tz)

    timebank.timeutil.datetime = Frozen
    try:
        yield
    finally:
        timebank.timeutil.datetime = real


def a_year_of_exchanges(app, people):
    """Twelve neighbours help each other month after month, in several kinds of service."""
    this_year = utcnow().year
    with clock_at(datetime(this_year, 1, 5, 10)):
        residents = [people.member(name, email=f"neighbour{i}@example.org") for i, name in enumerate((
            "Amina Diallo", "Karim Benali", "Fatou Ndiaye", "Hawa Coulibaly", "Omar Haddad", "Lina Farah",
            "Yusuf Kaya", "Nour Saleh", "Malik Amrani", "Inès Moreau", "Zeynep Arslan", "Sofia Lopes"))]
        with app.app_context():  # childcare needs providers a coordinator vouched for
            for resident in residents:
                db.session.get(Member, resident.id).verified_at = utcnow()
            db.session.commit()
    kinds = ("translation", "paperwork", "cooking", "homework", "errands-rides", "sewing-repairs", "childcare")
    for month in range(1, utcnow().month + 1):
        for n in range(3 + month % 4 + (month // 3)):
            giver, receiver = residents[(n + month) % 12], residents[(3 * n + month + 1) % 12]
            if giver == receiver:
                continue
            day = min(utcnow().day, 27) if month == utcnow().month else 2 + n
            with clock_at(datetime(this_year, month, day, 9 + n % 8)), app.test_request_context():
                give_time(giver=member(giver), recipient=member(receiver), minutes=30 + 15 * ((n + month) % 7),
                          memo="Merci", key=f"{month}-{n}", category_id=category_id(kinds[(n + 2 * month) % 7]))
    return residents


def tables_fit(page) -> bool:
    """No table is wider than the page's column (each could scroll in its own box, but need not)."""
    assert page.locator(".report-table").count() >= 3  # the tables are there to be measured
    return page.evaluate("Array.from(document.querySelectorAll('.report-table'))"
                         ".every(t => t.scrollWidth <= t.parentElement.clientWidth)")


def test_the_impact_report_on_a_phone_a_desk_and_paper(live_server, phone, people, app):
    sandrine = people.coordinator("Sandrine Martin")
    a_year_of_exchanges(app, people)

    page = phone.new_page()
    sign_in(page, live_server, sandrine.email, sandrine.password)
    page.goto(f"{live_server}/coordination/")
    page.get_by_role("link", name="Impact report").click()
    expect(page.get_by_role("heading", name="Impact report")).to_be_visible()
    expect(page.get_by_role("img", name="Hours exchanged per month")).to_be_visible()
    expect(page.get_by_role("img", name="Active members per month")).to_be_visible()
    # Only the fields of the chosen period show; another choice shows its own.
    expect(page.get_by_label("Year", exact=True)).to_be_visible()
    expect(page.get_by_label("From", exact=True)).to_be_hidden()
    screenshot(page, "report-phone-en")
    assert tables_fit(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("A quarter").check()
    expect(page.get_by_label("Quarter", exact=True)).to_be_visible()
    expect(page.get_by_label("Month", exact=True)).to_be_hidden()
    page.get_by_label("Quarter", exact=True).select_option("1")
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_text(f"From January 1, {utcnow().year} to March 31, {utcnow().year}")).to_be_visible()

    # Five years on a phone: one month in six is named; a wrong period says why, next to the field.
    page.goto(f"{live_server}/admin/reports/?period=custom&start={utcnow().year - 4}-01-01&end={utcnow().date()}")
    expect(page.get_by_role("img", name="Hours exchanged per month")).to_be_visible()
    screenshot(page, "report-five-years-phone-en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}/admin/reports/?period=custom&start=2025-02-01&end=2025-01-01")
    expect(page.get_by_text("The first day must come before the last day.")).to_be_visible()
    expect(page.get_by_label("To (included)")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "report-bad-period-phone-en")

    page.goto(f"{live_server}/admin/reports/?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "report-phone-ar")
    assert tables_fit(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}/admin/reports/?lang=en")

    desk = phone.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, live_server, sandrine.email, sandrine.password, lang="fr")
    desk.goto(f"{live_server}/admin/reports/?lang=fr")
    expect(desk.locator("svg.chart").first).to_be_visible()
    screenshot(desk, "report-desktop-fr")
    desk.emulate_media(media="print")
    expect(desk.locator(".report-form")).to_be_hidden()
    expect(desk.locator(".csv-link").first).to_be_hidden()
    screenshot(desk, "report-print-fr")
    desk.goto(f"{live_server}/admin/reports/?lang=en")
    desk.context.close()
