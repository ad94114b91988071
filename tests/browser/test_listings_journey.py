"""Karim asks for help with a letter from his phone; Amina finds it by typing without accents."""
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_hours_journey import sign_in


def test_publish_a_request_and_find_it(live_server, phone, people):
    karim = people.member("Karim Benali", languages=("fr", "ar"))
    amina = people.member("Amina Diallo")
    page = phone.new_page()
    sign_in(page, live_server, karim.email, karim.password)

    page.get_by_role("link", name="Ask for help").click()  # his first step, as a new member
    expect(page.get_by_label("I need help (a request)")).to_be_checked()
    page.get_by_label("Title").fill("Lettre de la préfecture à comprendre")
    page.get_by_label("Category").select_option(label="Paperwork and letters (CAF, housing, school…)")
    page.get_by_label("Details (optional)").fill("Une lettre reçue hier, en français administratif.")
    screenshot(page, "listing-new-phone-en")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Your listing is published.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    other = phone.browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(other, live_server, amina.email, amina.password)
    other.goto(f"{live_server}/listings")
    other.get_by_text("Search by word").click()
    other.get_by_label("Search").fill("prefecture")
    other.get_by_role("button", name="Search").click()
    expect(other.get_by_text("1 listing")).to_be_visible()
    screenshot(other, "listings-search-phone-en")
    other.get_by_role("link", name="Lettre de la préfecture à comprendre").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Lettre de la préfecture à comprendre")
    expect(other.get_by_text("Karim Benali")).to_be_visible()
    other.context.close()
