"""Every page fits a cheap phone: Amina, Karim, Nadia, Sandrine and Claire walk the site at 360 and 320 px.

One server, one browser, one page per person and size: the walk measures what a thumb and an eye meet —
no page wider than the screen, the content starting high enough, every nav target big enough to tap,
and axe's WCAG 2.2 AA rules with nothing serious or critical.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_hours_journey import sign_in
from tests.factories import member, publish
from timebank.exchanges import groups as group_services
from timebank.exchanges.completion import exchange_confirm, exchange_mark_done
from timebank.exchanges.proposals import exchange_accept, exchange_propose
from timebank.exchanges.steps import Terms
from timebank.extensions import db
from timebank.timeutil import utcnow

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

MEASURE = """() => {
  const main = document.querySelector('main');
  const small = [];
  for (const target of document.querySelectorAll('nav a, nav button, nav summary')) {
    const box = target.getBoundingClientRect();
    if (!target.checkVisibility()) continue;  // inside a closed menu
    if (box.width < 44 || box.height < 44) small.push(`${target.textContent.trim()} ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  const wide = [];  // the innermost elements that stick out, to name the culprit
  for (const element of document.querySelectorAll('main *')) {
    const box = element.getBoundingClientRect();
    if ((box.right > innerWidth + 1 || box.left < -1) && ![...element.children].some(child => {
      const inner = child.getBoundingClientRect(); return inner.right > innerWidth + 1 || inner.left < -1; }))
      wide.push(`${element.tagName.toLowerCase()}.${element.className} «${element.textContent.trim().slice(0, 30)}»`);
  }
  const card = document.querySelector('.listing-card'), bar = document.querySelector('.tabbar');
  const firstCard = card && bar ? bar.getBoundingClientRect().top - card.getBoundingClientRect().top : null;
  return {firstCard, width: document.documentElement.scrollWidth, wide: wide.slice(0, 3), mainTop: main.getBoundingClientRect().top + window.scrollY,
          small, lang: document.documentElement.lang};
}"""


def _story(app, people):
    """Amina and Karim have exchanged; Nadia has just joined; Sandrine coordinates; Claire runs the instance."""
    amina = people.member("Amina Diallo", locale="fr")
    karim = people.member("Karim Benali", locale="ar")
    nadia = people.member("Nadia Haddad", locale="fr")
    sandrine = people.coordinator("Sandrine Martin-Lefèvre de la Fontaine", locale="fr")
    claire = people.admin("Claire Dubois", locale="fr")
    fatou = people.applicant("Fatou Ndiaye", locale="fr")
    publish(app, amina, "Couscous du vendredi à partager", category="cooking")
    publish(app, karim, "Aide pour une lettre de la préfecture", kind="request", category="paperwork")
    with app.test_request_context():
        done = exchange_propose(proposer=member(karim), counterpart=member(amina), proposer_provides=False,
                                   terms=Terms("Garde des enfants", 120, utcnow().date(), None),
                                   message="Bonjour Amina, pouvez-vous garder mes enfants mercredi ?", listing=None)
        exchange_accept(exchange=done, actor=member(amina))
        exchange_mark_done(exchange=done, actor=member(amina), minutes=120)
        exchange_confirm(exchange=done, actor=member(karim))
        open_one = exchange_propose(
            proposer=member(karim), counterpart=member(amina), proposer_provides=False,
            terms=Terms("Traduction d'un courrier de la caisse d'allocations familiales", 90,
                           utcnow().date() + timedelta(days=3), None),
            message="Merci d'avance !", listing=None)
        session = group_services.group_create(
            provider=member(amina), title="Atelier couture pour débutantes et débutants", description="",
            on_date=utcnow().date() + timedelta(days=5), at_time=None, share_minutes=60, max_participants=6)
        group_services.group_join(session=session, member=member(karim))
        db.session.commit()
        return {"amina": amina, "karim": karim, "nadia": nadia, "sandrine": sandrine, "claire": claire, "fatou": fatou,
                "exchange": open_one.id, "group": session.id}


AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
}"""


def _checked_by_axe(story, who):
    """The pages axe reads at 360 px: the ones each person uses most, and the busiest ones."""
    return {"nadia": {"/", "/listings"}, "fatou": {"/", "/listings"},
            "amina": {"/", "/listings", "/messages", f"/exchanges/{story['exchange']}", "/me/hours",
                      f"/groups/{story['group']}", "/me/listings", "/exchanges/new?member=" + str(story["karim"].id)},
            "sandrine": {"/coordination/", f"/coordination/members/{story['karim'].id}"},
            "claire": {"/admin/", "/admin/settings", "/admin/categories"}}[who]


def _screenshots(story, who):
    return {"nadia": {"/": "home-new-member"},
            "fatou": {"/listings": "listings-applicant"},
            "amina": {"/": "home", "/listings": "listings", "/messages": "messages",
                      f"/exchanges/{story['exchange']}": "exchange"},
            "sandrine": {"/coordination/": "coordination"}}.get(who, {})


def _pages(story, who):
    if who == "fatou":  # waiting for approval: she looks at listings, nothing else
        return ["/", "/listings", "/listings?type=request", "/me/profile"]
    member_pages = ["/", "/listings", "/listings?type=request", "/listings?category=1", "/listings/new", "/exchanges", "/messages",
                    "/notifications", "/me/hours", "/give", "/members", "/me/profile", "/me/listings", "/groups",
                    "/groups/new", f"/exchanges/new?member={story['karim'].id}", f"/members/{story['amina'].id}"]
    if who in ("amina", "karim"):
        member_pages += [f"/exchanges/{story['exchange']}", f"/groups/{story['group']}",
                         f"/messages/{story['karim' if who == 'amina' else 'amina'].id}"]
    if who == "sandrine":
        member_pages += ["/coordination/", "/coordination/audit", "/coordination/members/new",
                         f"/coordination/members/{story['karim'].id}", "/admin/reports/"]
    if who == "claire":
        member_pages += ["/coordination/", "/admin/", "/admin/settings", "/admin/people", "/admin/categories",
                         "/admin/exports", "/admin/import", "/admin/backup", "/admin/reports/",
                         f"/admin/people/{story['karim'].id}/role"]
    return member_pages


def test_every_page_fits_a_phone_in_french_and_arabic(live_server, browser, app, people):
    story = _story(app, people)
    problems = []
    for width, height in ((360, 740), (320, 640)):
        for lang in ("fr", "ar"):
            for who in ("nadia", "amina", "sandrine", "claire", "fatou"):
                context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                              bypass_csp=True)
                page = context.new_page()
                sign_in(page, live_server, story[who].email, story[who].password, lang)
                page.goto(f"{live_server}/?lang={lang}")  # the language of this visit, whatever her profile says
                for path in _pages(story, who):
                    page.goto(f"{live_server}{path}")
                    seen = page.evaluate(MEASURE)
                    where = f"{who} {lang} {width}px {path}"
                    if seen["lang"] != lang:
                        problems.append(f"{where}: page in {seen['lang']}")
                    if seen["width"] > width:
                        problems.append(f"{where}: {seen['width']} px wide because of {seen['wide']}")
                    if seen["mainTop"] > 150:
                        problems.append(f"{where}: <main> starts at {seen['mainTop']:.0f} px")
                    if seen["small"]:
                        problems.append(f"{where}: small nav targets {seen['small']}")
                    if path.startswith("/listings") and width == 360 and seen["firstCard"] is not None \
                            and seen["firstCard"] < 48:  # at least the top of the first listing shows above the bar
                        problems.append(f"{where}: the first listing is below the first screen")
                    if width == 360 and path in _checked_by_axe(story, who):
                        page.add_script_tag(path=str(AXE))
                        problems += [f"{where}: axe {violation}" for violation in page.evaluate(AXE_RUN)]
                    if width == 360 and path in _screenshots(story, who):
                        screenshot(page, f"phone-{_screenshots(story, who)[path]}-{lang}")
                if who == "sandrine":  # the welcome sheet of a member without e-mail, as it shows on screen
                    page.goto(f"{live_server}/coordination/members/new")
                    page.locator("#display_name").fill("Fatima Zahra Amrani-Benslimane")
                    page.locator("#locale").select_option(lang)
                    page.locator("input[name=languages][value=ar]").check()
                    with page.expect_navigation():  # measure the welcome sheet, not the form it replaces
                        page.locator("input[name=create]").click()
                    page.locator("main").wait_for()
                    seen = page.evaluate(MEASURE)
                    if seen["width"] > width:
                        problems.append(f"{who} {lang} {width}px the welcome sheet: {seen['width']} px wide "
                                        f"because of {seen['wide']}")
                page.goto(f"{live_server}/")
                page.locator(".more-menu summary").click()  # "More" opens over the page, every target big enough
                seen = page.evaluate(MEASURE)
                if seen["small"]:
                    problems.append(f"{who} {lang} {width}px the More menu: small targets {seen['small']}")
                context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "phone-layout-problems.txt").write_text("\n".join(problems), encoding="utf-8")
    assert problems == [], f"{len(problems)} problems, first ones: {problems[:10]}"
