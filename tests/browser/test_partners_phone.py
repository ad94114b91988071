"""The partners' pages fit a cheap phone: Amina, Rachid (who represents Les Tilleuls Habitat) and Claire at 360 and
320 px, in French and Arabic, with axe's WCAG AA rules on the busiest ones.

Also what the screenshots showed once: hours and minutes one under the other where they belong side by side, and
facts (an address, an availability) pushed to the left of a right-to-left page."""
from __future__ import annotations

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_hours_journey import sign_in
from tests.browser.test_phone_layout import AXE, AXE_RUN, MEASURE
from datetime import date

from tests.factories import member
from timebank.exchanges.proposals import exchange_accept, exchange_propose
from timebank.exchanges.steps import Terms
from timebank.extensions import db

# Fields meant side by side that wrapped though the row has room for both, and in Arabic the facts whose own direction
# is not right-to-left (a value set apart on the left, far from its label).
LAYOUT = """() => {
  const rows = [];
  for (const row of document.querySelectorAll('.duration-fields, .field-row')) {
    const fields = [...row.querySelectorAll(':scope > .field')];
    const room = fields.reduce((sum, f) => sum + (parseFloat(getComputedStyle(f).flexBasis) || 0),
                               parseFloat(getComputedStyle(row).columnGap) || 0);  // what both need on one line
    if (fields.length === 2 && row.getBoundingClientRect().width >= room
        && Math.abs(fields[0].getBoundingClientRect().top - fields[1].getBoundingClientRect().top) > 2)
      rows.push(fields.map(f => f.textContent.trim().slice(0, 20)).join(' / '));
  }
  const stray = [...document.querySelectorAll('dl.facts dd')]
    .filter(dd => document.documentElement.dir === 'rtl' && getComputedStyle(dd).direction !== 'rtl')
    .map(dd => dd.textContent.trim().slice(0, 30));
  return {rows, stray, loose: document.querySelectorAll('.duration:not(fieldset)').length};
}"""


def _category(slug: str) -> int:
    import sqlalchemy as sa

    from timebank.listings.models import Category

    return db.session.scalar(sa.select(Category.id).where(Category.slug == slug))


def _story(app, people):
    from timebank.listings import services as listings
    from timebank.listings.models import ListingType
    from timebank.partners import rewards, services
    from timebank.partners.models import PartnerKind
    from timebank.projects import services as projects

    amina = people.member("Amina Diallo", locale="fr")
    rachid = people.member("Rachid Amrani-Benslimane de la Fontaine", locale="fr")
    claire = people.admin("Claire Dubois", locale="fr")
    with app.test_request_context():
        partner = services.partner_create(actor=member(claire), fields=services.PartnerFields(
            name="Les Tilleuls Habitat — Office public de l'habitat de la métropole", kind=PartnerKind.SOCIAL_LANDLORD,
            descriptions={"fr": "Le bailleur social du quartier. Pendant la rénovation, il soutient l'entraide.",
                          "ar": "المؤجر الاجتماعي للحي. خلال التجديد، يدعم التعاون بين السكان."},
            address="2 rue des Tilleuls, bâtiment C, escalier 4", contact="accueil-tilleuls-habitat@example.org"))
        services.partner_set_limits(actor=member(claire), partner=partner, floor=-600, ceiling=6000, reason="Convention")
        services.representative_add(actor=member(claire), partner=partner, member=member(rachid), reason="Référent")
        reward = rewards.reward_create(actor=member(rachid), partner=partner, fields=rewards.RewardFields(
            title="Entrée à la piscine municipale le samedi matin", description="Bonnet de bain obligatoire.",
            minutes=60, places=10))
        rewards.reward_book(member=member(amina), reward=reward, key="phone")
        listing = listings.listing_create(author=member(rachid), locale="fr", fields=listings.ListingFields(
            type=ListingType.REQUEST, title="Aider les locataires âgés à préparer les cartons avant le déménagement",
            description="Résidence B, du 3 au 7.", category_id=_category("moving"), tags="cartons",
            languages=("fr", "ar"), area="Les Tilleuls", duration_minutes=120,
            availability="Le samedi matin, de 9 h à midi", ends_on=None, partner_id=partner.id))
        exchange = exchange_propose(proposer=member(amina), counterpart=member(rachid), proposer_provides=True,
                                    listing=listing, terms=Terms(listing.title, 120, date.today(), None),
                                    message="Je viens avec mon fils.")
        exchange_accept(exchange=exchange, actor=member(rachid))
        project = projects.project_open(actor=member(rachid), partner=partner, fields=projects.ProjectFields(
            title="Accueil des nouveaux locataires pendant la rénovation", description="Un café chaque lundi.",
            goal_minutes=20 * 60), tasks=["Tenir le café du lundi"], category_id=_category("cooking"))
        projects.task_join(member=member(amina), task=projects.tasks_of(project)[0], shown=True, key="phone")
        db.session.commit()
        return {"amina": amina, "rachid": rachid, "claire": claire, "partner": partner.id, "reward": reward.id,
                "listing": listing.id, "exchange": exchange.id, "project": project.id}


def _pages(story, who):
    public = ["/partners", f"/partners/{story['partner']}", f"/partners/rewards/{story['reward']}",
              f"/listings/{story['listing']}", f"/exchanges/{story['exchange']}", "/projects",
              f"/projects/{story['project']}"]
    return {"amina": public + ["/me/rewards", "/me/hours"],
            "rachid": public + [f"/partners/{story['partner']}/manage", f"/partners/rewards/{story['reward']}/edit",
                                f"/partners/{story['partner']}/report", f"/projects/{story['project']}/edit"],
            "claire": ["/admin/partners", f"/admin/partners/{story['partner']}", "/admin/reports/",
                       f"/partners/{story['partner']}/report", "/projects/new"]}[who]


def test_the_partners_pages_fit_a_phone_in_french_and_arabic(live_server, browser, app, people):
    story = _story(app, people)
    problems = []
    for width, height in ((360, 740), (320, 640)):
        for lang in ("fr", "ar"):
            for who in ("amina", "rachid", "claire"):
                context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                              bypass_csp=True)
                page = context.new_page()
                sign_in(page, live_server, story[who].email, story[who].password, lang)
                page.goto(f"{live_server}/?lang={lang}")
                for path in _pages(story, who):
                    page.goto(f"{live_server}{path}")
                    seen = page.evaluate(MEASURE)
                    where = f"{who} {lang} {width}px {path}"
                    if seen["width"] > width:
                        problems.append(f"{where}: {seen['width']} px wide because of {seen['wide']}")
                    laid = page.evaluate(LAYOUT)
                    problems += [f"{where}: not side by side: {row}" for row in laid["rows"]]
                    problems += [f"{where}: a fact set left-to-right: {dd}" for dd in laid["stray"]]
                    if laid["loose"]:
                        problems.append(f"{where}: hours and minutes without their fieldset")
                    if width == 360:
                        page.add_script_tag(path=str(AXE))
                        problems += [f"{where}: axe {violation}" for violation in page.evaluate(AXE_RUN)]
                context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "partners-phone-problems.txt").write_text("\n".join(problems), encoding="utf-8")
    assert problems == [], f"{len(problems)} problems, first ones: {problems[:10]}"
