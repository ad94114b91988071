"""Les Tilleuls Habitat joins the timebank, on a phone and in French, every step through the pages.

Claire (admin) creates the partner, lets its account go down to −10 h and names Sandrine its representative.
Sandrine asks, for the partner, for help packing the elderly tenants' boxes; Amina offers hers, Sandrine accepts,
Amina marks it done, Sandrine confirms: Amina's statement names the partner and shows her 2 h. Sandrine then
publishes a swimming-pool entry for 1 h; Amina books it with her hours and Sandrine marks it used. The partner's
report, seen by Sandrine, counts the 2 h given to the partner and the reward used.
"""
from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_hours_journey import sign_in

PARTNER = "Les Tilleuls Habitat"
REQUEST = "Aider les locataires âgés à préparer les cartons"
REWARD = "Entrée piscine"
NBSP = "\u00a0"


def _phone_page(browser, live_server, person):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR", device_scale_factor=1)
    page = context.new_page()
    sign_in(page, live_server, person.email, person.password, "fr")
    return page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{page.url} is wider than the phone"


def _claire_creates_the_partner(page, live_server, sandrine) -> None:
    page.goto(f"{live_server}/admin/partners")
    expect(page.get_by_text("Aucun partenaire pour l'instant.")).to_be_visible()
    page.get_by_label("Nom", exact=True).fill(PARTNER)
    page.get_by_label("Type de structure").select_option(label="Bailleur social")
    page.get_by_label("Description en français").fill(
        "Le bailleur social du quartier. Pendant la rénovation, il soutient l'entraide entre locataires.")
    page.get_by_label("Adresse").fill("2 rue des Tilleuls")
    page.get_by_role("button", name="Enregistrer le partenaire").click()
    expect(page.get_by_text("Le partenaire est créé.")).to_be_visible()
    expect(page.get_by_role("heading", name=PARTNER, level=1)).to_be_visible()

    # Its account may go down to −10 h (it pays residents) and up to 20 h (residents pay it for rewards).
    page.get_by_label("Solde le plus bas autorisé (en heures, 0 ou moins)").fill("-10")
    page.get_by_label("Solde le plus haut autorisé (en heures)").fill("20")
    page.locator("#limits-reason").fill("Convention 2025 avec l'association")
    page.get_by_role("button", name="Changer les limites").click()
    expect(page.get_by_text("Les limites du compte du partenaire sont modifiées.")).to_be_visible()

    page.get_by_label("Numéro de membre").fill(str(sandrine.number))
    page.locator("#rep-reason").fill("Chargée de la vie de quartier chez le bailleur")
    page.get_by_role("button", name="Désigner comme référent·e").click()
    expect(page.get_by_text(f"Sandrine Martin représente désormais {PARTNER}.")).to_be_visible()
    expect(page.locator("#reps-title + ul")).to_contain_text("Sandrine Martin")
    _fits(page)
    screenshot(page, "partner-journey-admin-fr")


def _sandrine_asks_for_the_partner(page, live_server) -> str:
    page.goto(f"{live_server}/partners")
    page.get_by_role("link", name=PARTNER).click()
    page.get_by_role("link", name="Agir pour ce partenaire").click()
    page.get_by_role("link", name=f"Demander de l'aide pour {PARTNER}").click()
    expect(page.get_by_label("Publié par")).to_have_value(re.compile(r"\d+"))  # for the partner, already chosen
    page.get_by_label("Titre").fill(REQUEST)
    page.get_by_label("Catégorie").select_option(label="Aide au déménagement")
    page.get_by_label("Détails (facultatif)").fill("Résidence B, du 3 au 7 : des cartons et du scotch sont fournis.")
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.get_by_role("heading", name=REQUEST, level=1)).to_be_visible()
    expect(page.get_by_text(f"publié par Sandrine pour {PARTNER}")).to_be_visible()
    _fits(page)
    return page.url


def _amina_offers_her_help(page, live_server) -> None:
    page.goto(f"{live_server}/listings")
    page.get_by_role("link", name=REQUEST).first.click()
    expect(page.get_by_text(f"publié par Sandrine pour {PARTNER}")).to_be_visible()
    page.get_by_role("link", name=f"Proposer votre aide à {PARTNER}").click()
    expect(page.get_by_role("heading", name=f"Proposer un échange à {PARTNER}")).to_be_visible()
    page.get_by_label("Heures", exact=True).fill("2")
    page.get_by_label("Date", exact=True).fill(date.today().isoformat())
    page.get_by_label("Message (facultatif)").fill("Je peux venir samedi matin avec mon fils.")
    page.get_by_role("button", name="Envoyer la proposition").click()
    expect(page.get_by_text(f"Votre proposition est envoyée à {PARTNER}.")).to_be_visible()
    _fits(page)


def _open_the_exchange(page, live_server) -> None:
    page.goto(f"{live_server}/exchanges")
    page.get_by_role("link", name=REQUEST).first.click()


def test_les_tilleuls_habitat_asks_pays_and_rewards_on_a_phone(live_server, browser, people):
    claire = people.admin("Claire Dubois", locale="fr")
    sandrine = people.member("Sandrine Martin", locale="fr")
    amina = people.member("Amina Diallo", locale="fr")

    admin = _phone_page(browser, live_server, claire)
    _claire_creates_the_partner(admin, live_server, sandrine)
    admin.context.close()

    rep = _phone_page(browser, live_server, sandrine)
    _sandrine_asks_for_the_partner(rep, live_server)
    screenshot(rep, "partner-journey-listing-fr")

    resident = _phone_page(browser, live_server, amina)
    _amina_offers_her_help(resident, live_server)

    # Sandrine accepts for the partner: the page says she acts for it.
    _open_the_exchange(rep, live_server)
    expect(rep.get_by_text(f"Ici, vous agissez pour {PARTNER}")).to_be_visible()
    rep.get_by_role("button", name=re.compile("^Accepter")).click()
    expect(rep.get_by_text("C'est d'accord. Les heures sont réservées")).to_be_visible()

    _open_the_exchange(resident, live_server)
    resident.get_by_role("button", name="C'est fait").click()
    expect(resident.get_by_text(f"Merci{NBSP}! Nous demandons à l'autre personne de confirmer.")).to_be_visible()

    _open_the_exchange(rep, live_server)
    expect(rep.get_by_text(f"du compte de {PARTNER}")).to_be_visible()
    rep.get_by_role("button", name="Confirmer 2 h").click()
    expect(rep.get_by_text("C'est confirmé. Les heures sont passées d'un compte à l'autre.")).to_be_visible()
    _fits(rep)
    screenshot(rep, "partner-journey-exchange-fr")

    # The hours land on Amina's statement, the line naming the partner.
    resident.goto(f"{live_server}/me/hours")
    expect(resident.locator(".balance-figure")).to_have_text("Vous avez 2 h")
    expect(resident.locator(".statement")).to_contain_text(PARTNER)
    expect(resident.locator(".statement")).to_contain_text(REQUEST)
    _fits(resident)
    screenshot(resident, "partner-journey-hours-fr")

    # Sandrine publishes a reward for 1 h.
    rep.goto(f"{live_server}/partners")
    rep.get_by_role("link", name=PARTNER).click()
    rep.get_by_role("link", name="Agir pour ce partenaire").click()
    expect(rep.locator(".balance-figure")).to_have_text("−2 h")
    rep.locator("#title").fill(REWARD)
    rep.locator("#description").fill("Piscine des Tilleuls, le samedi matin. Bonnet de bain obligatoire.")
    rep.locator("#hours").fill("1")
    rep.get_by_label("Nombre disponible").fill("10")
    rep.get_by_role("button", name="Publier la contrepartie").click()
    expect(rep.get_by_text("La contrepartie est publiée.")).to_be_visible()

    # Amina books it with her hours.
    resident.goto(f"{live_server}/partners")
    resident.get_by_role("link", name=PARTNER).click()
    resident.get_by_role("link", name=REWARD).click()
    resident.get_by_role("button", name="Réserver").click()
    resident.goto(f"{live_server}/me/hours")
    expect(resident.locator(".balance-figure")).to_have_text("Vous avez 2 h")  # reserved, not yet spent

    # Sandrine marks it used: the hour moves to the partner.
    rep.goto(f"{live_server}/partners")
    rep.get_by_role("link", name=PARTNER).click()
    rep.get_by_role("link", name="Agir pour ce partenaire").click()
    booking = rep.locator(".bookings li").filter(has_text="Amina Diallo")
    expect(booking).to_contain_text(REWARD)
    booking.get_by_role("button", name="Indiquer qu'elle a servi").click()
    expect(rep.locator(".bookings li").filter(has_text="Amina Diallo")).to_contain_text("Utilisée")
    expect(rep.locator(".balance-figure")).to_have_text("−1 h")
    _fits(rep)

    resident.goto(f"{live_server}/me/hours")
    expect(resident.locator(".balance-figure")).to_have_text("Vous avez 1 h")
    expect(resident.locator(".statement")).to_contain_text(REWARD)

    # The partner's report, seen by its representative, shows both.
    rep.get_by_role("link", name="Voir le bilan du partenaire").click()
    expect(rep.get_by_role("heading", name=f"Bilan de {PARTNER}")).to_be_visible()
    figures = rep.locator(".figures")
    expect(figures.locator(".figure").filter(has_text="Heures données au partenaire")).to_contain_text("2 h")
    expect(figures.locator(".figure").filter(has_text="Contreparties utilisées")).to_contain_text("1")
    expect(figures.locator(".figure").filter(has_text="Heures utilisées en contreparties")).to_contain_text("1 h")
    _fits(rep)
    screenshot(rep, "partner-journey-report-fr")
    rep.context.close()
    resident.context.close()
