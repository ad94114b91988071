"""Karim thanks Amina for looking after his children: he gives her two hours from his phone."""
from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def sign_in(page, live_server, email, password, lang="en"):
    page.goto(f"{live_server}/login?lang={lang}")
    page.locator("#identifier").fill(email)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit], form input[type=submit]").last.click()


def test_karim_gives_amina_two_hours(live_server, phone, people):
    karim = people.member("Karim Benali")
    amina = people.member("Amina Diallo", locale="ar")
    page = phone.new_page()
    sign_in(page, live_server, karim.email, karim.password)

    page.locator(".more-menu summary").click()  # a new member's home shows first steps; giving is under More
    page.get_by_role("link", name="Give time").first.click()
    page.get_by_label("To whom: a name or a member number").fill("amina")
    page.get_by_role("button", name="Find").click()  # one person found: she is chosen
    expect(page.get_by_text(f"Amina Diallo · Member number {amina.number}")).to_be_visible()
    page.get_by_label("Hours").fill("2")
    page.get_by_label("What for").fill("Garde des enfants mercredi")
    screenshot(page, "give-phone-en")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You give 2 h to Amina Diallo.")).to_be_visible()
    page.get_by_role("button", name="Confirm: give 2 h").click()

    expect(page.get_by_text("You have −2 h")).to_be_visible()
    screenshot(page, "hours-phone-en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    amina_page = phone.browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(amina_page, live_server, amina.email, amina.password, lang="ar")
    expect(amina_page.locator("html")).to_have_attribute("dir", "rtl")
    expect(amina_page.locator(".balance-figure")).to_be_visible()
    screenshot(amina_page, "dashboard-phone-ar")
    amina_page.goto(f"{live_server}/me/hours")
    screenshot(amina_page, "hours-phone-ar")
    assert amina_page.evaluate("document.documentElement.scrollWidth") <= 360
    amina_page.context.close()
