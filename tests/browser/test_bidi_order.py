"""Karim reads his statement in Arabic after giving Amina three hours: on the screen, the minus stands left of
its 3, and the word ساعات stays on the number's other side (read from the right: "−3 ساعات"). Measured on the
glyphs the browser drew, not on the markup."""
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_hours_journey import sign_in

GLYPHS = """(element) => {
  const glyphs = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (box.width > 0) glyphs.push([node.data[i], box.left, box.right, Math.round(box.top)]);
    }
  }
  return glyphs;
}"""


def test_minus_three_hours_reads_in_the_right_order_in_arabic(live_server, phone, people, app):
    from tests.factories import member
    from timebank.giving.services import give_time

    karim = people.member("Karim Benali", locale="ar")
    amina = people.member("Amina Diallo")
    with app.test_request_context():
        give_time(giver=member(karim), recipient=member(amina), minutes=180, memo="Garde des enfants", key="bidi-3")
    page = phone.new_page()
    sign_in(page, live_server, karim.email, karim.password, lang="ar")
    page.goto(f"{live_server}/me/hours?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    amount = page.locator("bdi.signed", has_text="−3").first
    expect(amount).to_be_visible()
    screenshot(page, "hours-minus-three-ar")

    glyphs = amount.evaluate(GLYPHS)
    minus = next(g for g in glyphs if g[0] == "\u2212")
    three = next(g for g in glyphs if g[0] == "3")
    letters = [g for g in glyphs if "\u0600" <= g[0] <= "\u06ff"]
    assert minus[2] <= three[1] + 1, glyphs  # "−3", never "3−"
    assert letters, glyphs
    assert len({g[3] for g in glyphs}) == 1, glyphs  # one line: the amount is not split
    # Right to left, the number comes first: the word is drawn on its left.
    assert max(g[2] for g in letters) <= minus[1] + 1, glyphs


def test_a_french_title_keeps_its_question_mark_at_its_end_on_an_arabic_page(live_server, phone, people, app):
    from tests.factories import publish

    amina = people.member("Amina Diallo", locale="ar")
    karim = people.member("Karim Benali")
    listing = publish(app, karim, "Papiers CAF, vous venez ?", description="Le mardi, 14 h ; apportez la lettre.")
    page = phone.new_page()
    sign_in(page, live_server, amina.email, amina.password, lang="ar")
    page.goto(f"{live_server}/listings/{listing}?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "listing-french-in-ar")
    glyphs = page.locator("h1 bdi").evaluate(GLYPHS)
    first, last = glyphs[0], [g for g in glyphs if g[0].strip()][-1]
    assert (first[0], last[0]) == ("P", "?")
    assert last[1] > first[2], glyphs  # read left to right: "Papiers … ?", not "? Papiers …"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
