"""Amina (verified) offers childcare; Karim asks for 2 h; she accepts and does it; he confirms."""
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_hours_journey import sign_in
from tests.factories import member, publish
from timebank.extensions import db
from timebank.coordination.vetting import verification_grant


def test_childcare_exchange_on_a_phone(live_server, phone, people, make_app):
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    sandrine = people.coordinator("Sandrine Martin")
    app = make_app()
    with app.test_request_context():
        verification_grant(member=member(amina), actor=member(sandrine), checked="ID seen", expires_on=None)
        db.session.commit()
    listing_id = publish(app, amina, "Garde d'enfants le mercredi", category="childcare")

    karim_page = phone.new_page()
    sign_in(karim_page, live_server, karim.email, karim.password)
    karim_page.goto(f"{live_server}/listings/{listing_id}")
    karim_page.get_by_role("link", name="Ask Amina for this").click()
    karim_page.get_by_label("Hours").fill("2")
    karim_page.get_by_label("Date").fill(__import__("datetime").date.today().isoformat())
    karim_page.get_by_label("Message (optional)").fill("Mercredi après-midi, pour Inès et Adam ?")
    screenshot(karim_page, "exchange-new-phone-en")
    karim_page.get_by_role("button", name="Send the proposal").click()
    expect(karim_page.get_by_text("Your proposal is sent to Amina Diallo.")).to_be_visible()

    amina_page = phone.browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(amina_page, live_server, amina.email, amina.password)
    amina_page.get_by_role("link", name="Garde d'enfants le mercredi").first.click()
    amina_page.get_by_role("button", name="Accept: 2 h").click()
    expect(amina_page.get_by_text("Agreed. The hours are reserved")).to_be_visible()
    amina_page.get_by_role("button", name="It is done").click()
    expect(amina_page.get_by_text("The other person is asked to confirm.")).to_be_visible()
    screenshot(amina_page, "exchange-done-phone-en")

    karim_page.goto(f"{live_server}/exchanges")
    karim_page.get_by_role("link", name="Garde d'enfants le mercredi").click()
    karim_page.get_by_role("button", name="Confirm 2 h").click()
    expect(karim_page.get_by_text("Confirmed. The hours have moved. Thank you!")).to_be_visible()
    assert karim_page.evaluate("document.documentElement.scrollWidth") <= 360

    karim_page.goto(f"{live_server}/me/hours")
    expect(karim_page.locator(".balance-figure")).to_have_text("You have −2 h")
    amina_page.goto(f"{live_server}/me/hours")
    expect(amina_page.locator(".balance-figure")).to_have_text("You have 2 h")
    screenshot(amina_page, "exchange-hours-phone-en")

    # Karim finds it lasted only 1 h 30: he raises a disagreement, a coordinator settles it.
    karim_page.goto(f"{live_server}/exchanges")
    karim_page.get_by_role("link", name="Garde d'enfants le mercredi").click()
    karim_page.get_by_text("Something went wrong?").click()
    karim_page.get_by_label("What went wrong?").fill("Amina a dû partir au bout d'une heure et demie.")
    karim_page.get_by_role("button", name="Ask a coordinator to help").click()
    expect(karim_page.get_by_text("A coordinator will look at it")).to_be_visible()

    coordinator = phone.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(coordinator, live_server, sandrine.email, sandrine.password)
    coordinator.goto(f"{live_server}/coordination/")
    coordinator.get_by_role("link", name="Garde d'enfants le mercredi").click()
    expect(coordinator.get_by_text("What Karim Benali says")).to_be_visible()  # both sides, side by side
    coordinator.get_by_label("Reason, for both people").fill("Une heure et demie, comme vous le dites tous les deux.")
    expect(coordinator.get_by_label("Hours", exact=True)).to_be_hidden()  # only under "another duration"
    coordinator.get_by_text("Another duration", exact=True).click()
    coordinator.get_by_label("Hours", exact=True).fill("1")
    coordinator.get_by_label("Minutes", exact=True).select_option("30")
    screenshot(coordinator, "dispute-desktop-en")
    coordinator.get_by_role("button", name="Settle with this duration").click()
    expect(coordinator.get_by_text("The disagreement is settled.")).to_be_visible()
    coordinator.context.close()

    amina_page.goto(f"{live_server}/me/hours")
    expect(amina_page.locator(".balance-figure")).to_have_text("You have 1 h 30 min")
    expect(amina_page.get_by_text("Une heure et demie, comme vous le dites tous les deux.")).to_be_visible()
    karim_page.goto(f"{live_server}/me/hours")
    expect(karim_page.locator(".balance-figure")).to_have_text("You have −1 h 30 min")
    amina_page.context.close()
