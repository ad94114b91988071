"""Nadia joins from her phone, Sandrine approves her, and Nadia signs in as a member."""
from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_join_approve_and_sign_in(live_server, phone, people):
    sandrine = people.coordinator("Sandrine Martin")
    nadia = phone.new_page()
    console_errors = []
    nadia.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)

    # Nadia joins, in English.
    nadia.goto(f"{live_server}/?lang=en")
    nadia.get_by_role("link", name="Join the timebank").click()
    nadia.get_by_label("Your name").fill("Nadia Haddad")
    nadia.get_by_label("E-mail address").fill("nadia@example.org")
    nadia.get_by_label("Password").fill("jasmine on the balcony")
    nadia.get_by_label("Your area").select_option("Centre")
    nadia.get_by_label("Arabic").check()
    nadia.get_by_label("French").check()
    nadia.get_by_label("I have read the charter and I accept it").check()
    screenshot(nadia, "register-phone-en")
    nadia.get_by_role("button", name="Send my application").click()
    # The same answer as for an address that already has an account: she signs in herself.
    expect(nadia.get_by_text("Now sign in with your e-mail address")).to_be_visible()
    nadia.get_by_label("E-mail address or member number").fill("nadia@example.org")
    nadia.get_by_label("Password").fill("jasmine on the balcony")
    nadia.get_by_role("button", name="Sign in").click()
    expect(nadia.get_by_role("heading", level=1)).to_contain_text("waiting for approval")
    nadia.locator(".more-menu summary").click()  # "More", at the end of the menu
    nadia.get_by_role("button", name="Sign out").click()

    # Sandrine, coordinator, approves her.
    coordinator = phone.browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    coordinator.goto(f"{live_server}/login?lang=en")
    coordinator.get_by_label("E-mail address or member number").fill(sandrine.email)
    coordinator.get_by_label("Password").fill(sandrine.password)
    coordinator.get_by_role("button", name="Sign in").click()
    coordinator.locator(".more-menu summary").click()
    coordinator.get_by_role("link", name="Coordination", exact=True).first.click()
    expect(coordinator.get_by_text("Nadia Haddad")).to_be_visible()
    screenshot(coordinator, "coordination-desktop-en")
    coordinator.get_by_role("button", name="Approve Nadia").click()
    expect(coordinator.get_by_text("Nadia Haddad is now a member")).to_be_visible()
    coordinator.context.close()

    # Nadia signs in: she is a member now.
    nadia.goto(f"{live_server}/login")
    nadia.get_by_label("E-mail address or member number").fill("nadia@example.org")
    nadia.get_by_label("Password").fill("jasmine on the balcony")
    nadia.get_by_role("button", name="Sign in").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Hello Nadia")
    screenshot(nadia, "dashboard-phone-en")

    # The e-mail telling her is in the outbox, in English.
    [mail] = people.outbox(to="nadia@example.org")
    assert "your membership of the timebank is approved" in mail.body
    assert console_errors == []


def test_the_form_works_with_the_keyboard_alone(live_server, phone):
    page = phone.new_page()
    page.goto(f"{live_server}/login?lang=en")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("E-mail address or member number").focus()
    page.keyboard.type("nobody@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("not a password at all")
    page.keyboard.press("Enter")
    expect(page.get_by_text("do not match")).to_be_visible()


def test_arabic_pages_read_right_to_left(live_server, phone):
    page = phone.new_page()
    page.goto(f"{live_server}/register?lang=ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    # The page fits a 360-pixel phone: nothing sticks out sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "register-phone-ar")
    page.goto(f"{live_server}/?lang=fr")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "home-phone-fr")
