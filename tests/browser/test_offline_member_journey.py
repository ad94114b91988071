"""Sandrine meets Fatima, who has no e-mail: she creates her account, prints the welcome sheet in Arabic, and
records the help Fatima received; Fatima signs in with the sheet and reads it on her statement."""
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_hours_journey import sign_in


def test_a_coordinator_creates_a_member_without_e_mail_prints_her_sheet_and_records_for_her(live_server, phone,
                                                                                           people):
    sandrine = people.coordinator("Sandrine Martin")
    zeynep = people.member("Zeynep Arslan")
    desk = phone.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, live_server, sandrine.email, sandrine.password)
    desk.goto(f"{live_server}/coordination/")
    desk.get_by_role("link", name="A member without e-mail").click()
    desk.get_by_label("Name", exact=True).fill("Fatima Zahra Amrani")
    desk.get_by_label("Phone number (optional)").fill("06 12 34 56 78")
    desk.get_by_label("Language of the welcome sheet").select_option("ar")
    desk.get_by_label("Arabic", exact=True).check()
    desk.get_by_role("button", name="Create the account and print the welcome sheet").click()

    # The sheet is in Fatima's language, right to left, and prints without the screen-only links.
    expect(desk.locator("html")).to_have_attribute("dir", "rtl")
    number = desk.locator("dd.big").nth(0).inner_text().strip()
    password = desk.locator("dd.big").nth(1).inner_text().strip()
    assert number.isdigit() and len(password) >= 12
    desk.emulate_media(media="print")
    expect(desk.locator(".no-print").first).to_be_hidden()
    screenshot(desk, "welcome-sheet-print-ar")
    desk.emulate_media(media="screen")
    desk.locator(".no-print a").first.click()

    # She asks Sandrine to record for her; Sandrine writes down that Zeynep took her to the market.
    desk.locator("#exchanges > summary").click()  # the member file opens one section at a time
    desk.locator("#broker-reason").fill("Au local, le lundi matin.")
    desk.get_by_role("button", name="The member asks us to record exchanges for them").click()
    expect(desk.get_by_text("Saved.")).to_be_visible()
    desk.get_by_label("Who helped this member").select_option(label=f"Zeynep Arslan · {zeynep.number}")
    desk.get_by_label("What", exact=True).fill("Accompagnement au marché")
    desk.get_by_label("Hours").first.fill("1")
    desk.get_by_label("Minutes").first.select_option("30")
    screenshot(desk, "record-for-member-desktop-en")
    desk.get_by_role("button", name="Record the exchange").click()
    expect(desk.get_by_text("The exchange is recorded. Both people are told.")).to_be_visible()
    desk.context.close()

    page = phone.new_page()
    sign_in(page, live_server, number, password, lang="ar")
    page.goto(f"{live_server}/me/hours")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_text("Accompagnement au marché")).to_be_visible()
    expect(page.get_by_text("Sandrine Martin")).to_be_visible()
    expect(page.locator(".statement .amount.minus").first).to_have_text("−\u00a0ساعة و30 دقيقة")  # −1 h 30 min: the sign apart from the word
    expect(page.get_by_text("Zeynep Arslan")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "offline-member-hours-phone-ar")
