"""The coordinators' and admins' pages in a real browser, on a 360 px phone and a 1280 px office screen: the member
file, the people list and the impact report (on paper: two A4 pages). Screenshots go to test-artifacts/."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_hours_journey import sign_in
from tests.browser.test_report_journey import a_year_of_exchanges
from timebank.extensions import db
from timebank.members.models import Member


def _fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def _desk(phone):
    return phone.browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()


def test_the_member_file_and_the_people_list_on_a_phone_and_a_desk(live_server, phone, people, app):
    claire = people.admin("Claire Dubois")
    amina = people.member("Amina Diallo")
    for n in range(60):
        people.member(f"Voisine Zola {n:02d}", email=f"voisine.zola.{n}@quartier-des-tilleuls.example.org")
    with app.app_context():
        db.session.get(Member, amina.id).phone = "06 12 34 56 78"
        db.session.commit()

    page = phone.new_page()
    sign_in(page, live_server, claire.email, claire.password)
    page.goto(f"{live_server}/coordination/members/{amina.id}")
    expect(page.get_by_role("link", name="06 12 34 56 78")).to_have_attribute("href", "tel:+33612345678")
    expect(page.get_by_text("Nothing is waiting about her.")).to_be_visible()
    expect(page.locator("#limits-reason")).to_be_hidden()  # folded until its section is opened
    page.locator("#limits > summary").click()
    expect(page.locator("#limits-reason")).to_be_visible()
    page.locator("#notes > summary").click()  # one section at a time
    expect(page.locator("#limits-reason")).to_be_hidden()
    screenshot(page, "member-file-phone-en")
    assert _fits(page, 360)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3500, height  # was 7 000 px of forms

    page.goto(f"{live_server}/admin/people?q=zola")
    expect(page.get_by_text("60 people")).to_be_visible()
    expect(page.locator(".people-table tbody tr")).to_have_count(50)
    screenshot(page, "people-phone-en")
    assert _fits(page, 360)
    card = page.locator(".people-table tbody tr").first.bounding_box()
    assert card["width"] <= 360

    desk = _desk(phone)
    sign_in(desk, live_server, claire.email, claire.password)
    desk.goto(f"{live_server}/admin/people?q=zola&sort=name")
    table = desk.locator(".people-table").bounding_box()
    assert table["width"] > 900, table  # the table uses the screen, not a 46 rem column
    # Headings and e-mails are not broken mid-word.
    heights = desk.evaluate("Array.from(document.querySelectorAll('.people-table thead th'))"
                            ".map(th => th.getBoundingClientRect().height)")
    assert max(heights) < 60, heights
    screenshot(desk, "people-desktop-en")
    assert _fits(desk, 1280)
    desk.goto(f"{live_server}/coordination/members/{amina.id}")
    screenshot(desk, "member-file-desktop-en")
    assert _fits(desk, 1280)
    desk.context.close()


def test_the_report_uses_the_screen_and_prints_on_two_a4_pages(live_server, phone, people, app):
    sandrine = people.coordinator("Sandrine Martin")
    a_year_of_exchanges(app, people)
    page = phone.new_page()
    sign_in(page, live_server, sandrine.email, sandrine.password)
    page.goto(f"{live_server}/admin/reports/")
    expect(page.get_by_role("img", name="Hours exchanged per month")).to_be_visible()
    assert _fits(page, 360)

    desk = _desk(phone)
    sign_in(desk, live_server, sandrine.email, sandrine.password)
    desk.goto(f"{live_server}/admin/reports/")
    members = desk.locator("#members-caption").locator("xpath=ancestor::table").bounding_box()
    wrap = desk.locator("#members-caption").locator("xpath=ancestor::div[contains(@class,'table-wrap')]")
    assert desk.evaluate("w => w.scrollWidth <= w.clientWidth", wrap.element_handle())  # not cut off
    assert members["width"] > 0
    report = desk.locator(".report").bounding_box()
    assert report["width"] > 1000, report  # the page width, not half of it
    screenshot(desk, "report-desktop-en")

    pdf = desk.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 2, pages
    desk.emulate_media(media="print")
    screenshot(desk, "report-print-en")
    first_table = desk.locator(".report-table").first.bounding_box()
    last_chart = desk.locator("svg.chart").last.bounding_box()
    assert last_chart["y"] < first_table["y"]  # charts first, tables after
    desk.context.close()
