"""The partners' pages fit a cheap phone: Amina, Rachid (who represents Les Tilleuls Habitat) and Claire at 360 and
320 px, in French and Arabic, with axe's WCAG AA rules on the busiest ones."""
from __future__ import annotations

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_hours_journey import sign_in
from tests.browser.test_phone_layout import AXE, AXE_RUN, MEASURE
from tests.factories import member
from timebank.extensions import db


def _story(app, people):
    from timebank.partners import rewards, services
    from timebank.partners.models import PartnerKind

    amina = people.member("Amina Diallo", locale="fr")
    rachid = people.member("Rachid Amrani-Benslimane de la Fontaine", locale="fr")
    claire = people.admin("Claire Dubois", locale="fr")
    with app.test_request_context():
        partner = services.partner_create(actor=member(claire), fields=services.PartnerFields(
            name="Les Tilleuls Habitat — Office public de l'habitat de la métropole", kind=PartnerKind.SOCIAL_LANDLORD,
            descriptions={"fr": "Le bailleur social du quartier. Pendant la rénovation, il soutient l'entraide.",
                          "ar": "المؤجر الاجتماعي للحي. خلال التجديد، يدعم التعاون بين السكان."},
            address="2 rue des Tilleuls, bâtiment C, escalier 4", contact="accueil-tilleuls-habitat@example.org"))
        services.partner_set_limits(actor=member(claire), partner=partner, floor=0, ceiling=6000, reason="Convention")
        services.representative_add(actor=member(claire), partner=partner, member=member(rachid), reason="Référent")
        reward = rewards.reward_create(actor=member(rachid), partner=partner, fields=rewards.RewardFields(
            title="Entrée à la piscine municipale le samedi matin", description="Bonnet de bain obligatoire.",
            minutes=60, places=10))
        rewards.reward_book(member=member(amina), reward=reward, key="phone")
        db.session.commit()
        return {"amina": amina, "rachid": rachid, "claire": claire, "partner": partner.id, "reward": reward.id}


def _pages(story, who):
    public = ["/partners", f"/partners/{story['partner']}", f"/partners/rewards/{story['reward']}"]
    return {"amina": public + ["/me/rewards", "/me/hours"],
            "rachid": public + [f"/partners/{story['partner']}/manage"],
            "claire": ["/admin/partners", f"/admin/partners/{story['partner']}"]}[who]


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
                    if width == 360:
                        page.add_script_tag(path=str(AXE))
                        problems += [f"{where}: axe {violation}" for violation in page.evaluate(AXE_RUN)]
                context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "partners-phone-problems.txt").write_text("\n".join(problems), encoding="utf-8")
    assert problems == [], f"{len(problems)} problems, first ones: {problems[:10]}"
