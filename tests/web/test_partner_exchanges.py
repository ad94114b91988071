"""Through the pages: Sandrine asks for help for Les Tilleuls Habitat, Amina answers, Lucie confirms for the partner."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.factories import member
from timebank.extensions import db

TITLE = "Aider les locataires âgés à préparer les cartons"


@pytest.fixture
def story(app, client, people):
    """Claire named Sandrine and Lucie for Les Tilleuls Habitat (it may pay up to 10 h) and Fatou for the school
    (0/0: it has earned nothing)."""
    from timebank.partners import services
    from timebank.partners.models import PartnerKind

    claire = people.admin("Claire Dubois")
    sandrine, lucie, fatou = people.member("Sandrine Morel"), people.member("Lucie Petit"), people.member("Fatou Sow")
    amina = people.member("Amina Diallo")
    with app.test_request_context():
        def partner(name, kind, *reps, floor=None):
            made = services.partner_create(actor=member(claire), fields=services.PartnerFields(
                name=name, kind=kind, descriptions={}))
            if floor is not None:
                services.partner_set_limits(actor=member(claire), partner=made, floor=floor, ceiling=6000,
                                            reason="Convention")
            for rep in reps:
                services.representative_add(actor=member(claire), partner=made, member=member(rep), reason="Nommée")
            return made.id

        tilleuls = partner("Les Tilleuls Habitat", PartnerKind.SOCIAL_LANDLORD, sandrine, lucie, floor=-600)
        school = partner("École Jules Ferry", PartnerKind.SCHOOL, fatou)
    return {"claire": claire, "sandrine": sandrine, "lucie": lucie, "fatou": fatou, "amina": amina,
            "tilleuls": tilleuls, "school": school}


def publish_for(client, rep, partner_id, title=TITLE) -> int:
    login(client, rep)
    form = client.get(f"/listings/new?type=request&partner={partner_id}")
    assert f'<option selected value="{partner_id}">' in form.get_data(as_text=True)
    response = client.post("/listings/new", data={
        "on_behalf": str(partner_id), "type": "request", "title": title, "category": _paperwork(client),
        "languages": "fr", "area": ""})
    assert response.status_code == 303, text_of(response)
    return int(re.search(r"/listings/(\d+)", response.headers["Location"]).group(1))


def _paperwork(client) -> str:
    from timebank.listings.models import Category

    with client.application.app_context():
        return str(db.session.scalar(sa.select(Category.id).where(Category.slug == "paperwork")))


def answer(client, amina, listing_id) -> int:
    login(client, amina)
    response = client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "provide", "title": TITLE, "hours": "2", "minutes": "0", "on_date": date.today().isoformat(),
        "key": f"answer{listing_id}"})
    assert response.status_code == 303, text_of(response)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def step(client, who, exchange_id, name, **data):
    login(client, who)
    address = {"write": "messages"}.get(name, name)
    return client.post(f"/exchanges/{exchange_id}/{address}", data={"key": f"{name}-{who.id}", **data})


def test_a_representative_publishes_for_her_partner_and_residents_see_who_asks(client, story):
    listing_id = publish_for(client, story["sandrine"], story["tilleuls"])

    login(client, story["amina"])
    page = text_of(client.get(f"/listings/{listing_id}"))
    assert "Les Tilleuls Habitat" in page and "published by Sandrine for Les Tilleuls Habitat" in page
    assert "Offer Les Tilleuls Habitat your help" in page
    partner_page = text_of(client.get(f"/partners/{story['tilleuls']}"))
    assert "Requests and offers" in partner_page and TITLE in partner_page
    assert "Les Tilleuls Habitat" in text_of(client.get("/listings"))

    # Amina represents no partner: no choice offered, and one sent anyway is refused, nothing published.
    assert "Published by" not in text_of(client.get("/listings/new"))
    response = client.post("/listings/new", data={
        "on_behalf": str(story["tilleuls"]), "type": "request", "title": "Fête des voisins",
        "category": _paperwork(client), "languages": "fr"})
    assert response.status_code == 422 and "Not a valid choice" in text_of(response)
    from timebank.listings.models import Listing

    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Listing)) == 1


def test_the_partner_pays_amina_and_each_step_says_who_acted_for_it(client, story):
    listing_id = publish_for(client, story["sandrine"], story["tilleuls"])
    exchange_id = answer(client, story["amina"], listing_id)

    login(client, story["lucie"])  # the other representative sees it too, and may answer
    assert TITLE in text_of(client.get("/exchanges"))
    assert step(client, story["sandrine"], exchange_id, "accept").status_code == 303
    assert step(client, story["amina"], exchange_id, "done", hours="2", minutes="0").status_code == 303
    assert step(client, story["lucie"], exchange_id, "confirm").status_code == 303

    login(client, story["amina"])
    hours = text_of(client.get("/me/hours"))
    assert "You received from Les Tilleuls Habitat" in hours and "You have 2 h" in hours
    page = text_of(client.get(f"/exchanges/{exchange_id}"))
    assert "Who is helped Les Tilleuls Habitat" in page
    assert "Sandrine Morel for Les Tilleuls Habitat accepted." in page
    assert "Lucie Petit for Les Tilleuls Habitat confirmed." in page
    login(client, story["lucie"])
    assert "You act here for Les Tilleuls Habitat" in text_of(client.get(f"/exchanges/{exchange_id}"))

    login(client, story["claire"])
    table = list(csv.reader(io.StringIO(client.post("/admin/exports/transfers.csv").get_data().decode("utf-8-sig"))))
    columns = table[0]
    moved = [row for row in table[1:] if row[columns.index("exchange_id")] == str(exchange_id)]
    assert {row[columns.index("from")] for row in moved} == {"Les Tilleuls Habitat"}
    assert client.application.test_cli_runner().invoke(args=["ledger", "verify"]).exit_code == 0


def test_a_removed_representative_loses_the_exchange_and_its_steps_at_once(client, story):
    listing_id = publish_for(client, story["sandrine"], story["tilleuls"])
    exchange_id = answer(client, story["amina"], listing_id)
    assert step(client, story["sandrine"], exchange_id, "accept").status_code == 303
    login(client, story["claire"])
    with client.application.test_request_context():
        from timebank.partners import services
        from timebank.partners.models import Partner

        services.representative_remove(actor=member(story["claire"]), partner=db.session.get(
            Partner, story["tilleuls"]), member=member(story["sandrine"]), reason="Partie")

    for who in ("sandrine", "fatou"):
        login(client, story[who])
        assert client.get(f"/exchanges/{exchange_id}").status_code == 404
        assert TITLE not in text_of(client.get("/exchanges"))
        for name, data in (("cancel", {"reason": "Non"}), ("write", {"body": "Bonjour"}),
                           ("dispute", {"reason": "Non"})):
            assert step(client, story[who], exchange_id, name, **data).status_code == 404
    login(client, story["lucie"])
    assert step(client, story["lucie"], exchange_id, "write", body="C'est moi qui suis votre contact.").status_code \
        == 303


def test_a_partner_that_has_earned_nothing_cannot_agree(client, story):
    listing_id = publish_for(client, story["fatou"], story["school"], "Accompagner la sortie au musée")
    exchange_id = answer(client, story["amina"], listing_id)

    response = step(client, story["fatou"], exchange_id, "accept")
    assert response.status_code == 409
    assert ("École Jules Ferry cannot give hours just now: the account has reached its lower limit (0 h)."
            in text_of(response))
    login(client, story["amina"])
    assert "Proposed" in text_of(client.get(f"/exchanges/{exchange_id}"))
    assert "reserved" not in text_of(client.get("/me/hours")).lower()


def test_a_representative_changes_and_withdraws_a_reward_and_amina_gets_her_hour_back(client, story):
    login(client, story["sandrine"])
    assert client.post(f"/partners/{story['tilleuls']}/manage", data={
        "title": "Entrée piscine", "hours": "1", "minutes": "0", "places": "5"}).status_code == 303
    from timebank.partners.models import Reward

    with client.application.app_context():
        reward_id = db.session.scalar(sa.select(Reward.id))
    login(client, story["amina"])
    assert client.post(f"/partners/rewards/{reward_id}/book", data={"key": "k1"}).status_code == 303

    login(client, story["fatou"])  # the school's representative
    assert client.get(f"/partners/rewards/{reward_id}/edit").status_code == 403
    assert client.post(f"/partners/rewards/{reward_id}/withdraw", data={"key": "w"}).status_code == 403
    login(client, story["lucie"])
    assert "Entrée piscine" in text_of(client.get(f"/partners/rewards/{reward_id}/edit"))
    response = client.post(f"/partners/rewards/{reward_id}/edit", data={
        "title": "Entrée piscine (samedi)", "hours": "1", "minutes": "0", "places": "0"})
    assert response.status_code == 422
    response = client.post(f"/partners/rewards/{reward_id}/edit", data={
        "title": "Entrée piscine (samedi)", "hours": "1", "minutes": "30", "places": "3"})
    assert response.status_code == 303
    manage = text_of(client.get(f"/partners/{story['tilleuls']}/manage"))
    assert "Entrée piscine (samedi)" in manage and "1 h 30" in manage
    response = client.post(f"/partners/rewards/{reward_id}/withdraw", data={"key": "w1"})
    assert response.status_code == 303
    assert "Withdrawn" in text_of(client.get(f"/partners/{story['tilleuls']}/manage"))

    login(client, story["amina"])
    assert "reserved" not in text_of(client.get("/me/hours")).lower()
    assert ("Les Tilleuls Habitat withdrew Entrée piscine (samedi): your booking is cancelled and your hours are "
            "released.") in text_of(client.get("/notifications"))


def test_a_service_done_for_a_suspended_partner_is_settled_and_says_the_partner_is_suspended(client, story):
    listing_id = publish_for(client, story["sandrine"], story["tilleuls"])
    exchange_id = answer(client, story["amina"], listing_id)
    assert step(client, story["sandrine"], exchange_id, "accept").status_code == 303
    assert step(client, story["amina"], exchange_id, "done", hours="2", minutes="0").status_code == 303
    login(client, story["claire"])
    edit = client.get(f"/admin/partners/{story['tilleuls']}").get_data(as_text=True)
    key = re.search(r'name="status-key"[^>]*value="([^"]+)"', edit).group(1)
    assert client.post(f"/admin/partners/{story['tilleuls']}/status", data={
        "status-key": key, "status-reason": "Convention terminée", "status-suspend": "y"}).status_code == 303

    login(client, story["amina"])
    page = text_of(client.get(f"/exchanges/{exchange_id}"))
    assert ("Claire Dubois, coordinator, settled it as the participation of Les Tilleuls Habitat is suspended: "
            "2 h moved.") in page
    assert "membership" not in page
    notices = text_of(client.get("/notifications"))
    assert (f"{TITLE} is settled by a coordinator, as the participation of Les Tilleuls Habitat is suspended: 2 h "
            "moved.") in notices
    assert "membership" not in notices
    assert "You have 2 h" in text_of(client.get("/me/hours"))


def test_amina_reads_the_partner_as_the_other_side_of_her_disagreement_and_of_her_inbox(client, story, people):
    """Amina disagrees with Les Tilleuls Habitat: she, the coordinator and the inbox read the partner with
    Sandrine, who speaks for it; Lucie, its other representative, gives its version; Sandrine, once she no
    longer represents it, cannot."""
    listing_id = publish_for(client, story["sandrine"], story["tilleuls"])
    exchange_id = answer(client, story["amina"], listing_id)
    assert step(client, story["sandrine"], exchange_id, "accept").status_code == 303
    assert step(client, story["sandrine"], exchange_id, "write", body="Rendez-vous au local").status_code == 303
    assert step(client, story["amina"], exchange_id, "done", hours="2", minutes="0").status_code == 303
    assert step(client, story["amina"], exchange_id, "dispute", reason="Personne n'est venu").status_code == 303

    login(client, story["amina"])
    inbox = text_of(client.get("/messages"))
    assert "Les Tilleuls Habitat (Sandrine Morel)" in inbox
    page = text_of(client.get(f"/exchanges/{exchange_id}"))
    assert "What Les Tilleuls Habitat (Sandrine Morel) says" in page
    assert "Les Tilleuls Habitat (Sandrine Morel) · " in page  # her message in the thread

    sami = people.coordinator("Sami Ferhat")
    login(client, sami)
    assert "Raised by Amina Diallo" in text_of(client.get("/coordination/"))
    page = text_of(client.get(f"/exchanges/{exchange_id}"))
    assert "What Les Tilleuls Habitat (Sandrine Morel) says" in page
    assert "Ask Les Tilleuls Habitat for their version" in page
    from timebank.exchanges.models import Dispute

    with client.application.app_context():
        dispute_id = db.session.scalar(sa.select(Dispute.id))
    response = client.post(f"/coordination/disputes/{dispute_id}/ask", data={"ask": "y"})
    assert response.status_code == 303
    assert "Les Tilleuls Habitat (Sandrine Morel) is asked for their version" in text_of(client.get(response.headers["Location"]))

    login(client, story["lucie"])
    assert "Amina Diallo raised a disagreement" in text_of(client.get("/notifications"))
    assert client.post(f"/exchanges/{exchange_id}/version",
                       data={"version": "Lucie était au local à 14 h."}).status_code == 303
    login(client, story["sandrine"])
    assert "Amina Diallo raised a disagreement" in text_of(client.get("/notifications"))
    with client.application.test_request_context():
        from timebank.partners import services
        from timebank.partners.models import Partner

        services.representative_remove(actor=member(story["claire"]), partner=db.session.get(
            Partner, story["tilleuls"]), member=member(story["sandrine"]), reason="Partie")
    assert client.post(f"/exchanges/{exchange_id}/version", data={"version": "Moi"}).status_code == 404
    login(client, sami)
    page = text_of(client.get(f"/exchanges/{exchange_id}"))
    assert "Lucie était au local à 14 h." in page
    assert "What Les Tilleuls Habitat says" in page  # Sandrine no longer speaks for it


def test_the_coordinators_read_what_a_representative_changed_for_her_partner(client, story, people):
    listing_id = publish_for(client, story["sandrine"], story["tilleuls"])
    login(client, story["lucie"])
    assert client.post(f"/listings/{listing_id}/edit", data={
        "on_behalf": str(story["tilleuls"]), "type": "request", "title": "Préparer les cartons du 3e étage",
        "category": _paperwork(client), "languages": "fr", "area": ""}).status_code == 303
    assert client.post(f"/listings/{listing_id}/edit", data={  # sent again, unchanged: nothing to write
        "on_behalf": str(story["tilleuls"]), "type": "request", "title": "Préparer les cartons du 3e étage",
        "category": _paperwork(client), "languages": "fr", "area": ""}).status_code == 303
    assert client.post(f"/listings/{listing_id}/status", data={"pause": "y"}).status_code == 303
    login(client, story["sandrine"])
    assert client.post(f"/partners/{story['tilleuls']}/manage", data={
        "title": "Entrée piscine", "hours": "1", "minutes": "0", "places": "5"}).status_code == 303
    from timebank.audit import AuditEntry
    from timebank.partners.models import Reward

    with client.application.app_context():
        reward_id = db.session.scalar(sa.select(Reward.id))
    assert client.post(f"/partners/rewards/{reward_id}/edit", data={
        "title": "Entrée piscine (samedi)", "hours": "1", "minutes": "30", "places": "3"}).status_code == 303
    assert client.post(f"/partners/rewards/{reward_id}/withdraw", data={"key": "w1"}).status_code == 303

    login(client, people.coordinator("Sami Ferhat"))
    log = text_of(client.get("/coordination/audit"))
    assert ("Lucie Petit changed the listing “Préparer les cartons du 3e étage” for Les Tilleuls Habitat"
            in log)
    with client.application.app_context():  # the edit and the pause; not the form sent unchanged
        assert [entry.detail["changed"] for entry in db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "partner_listing_changed").order_by(AuditEntry.id))] == [["title"], ["status"]]
    assert "Sandrine Morel changed the reward “Entrée piscine (samedi)” for Les Tilleuls Habitat" in log
    assert "Sandrine Morel withdrew the reward “Entrée piscine (samedi)” for Les Tilleuls Habitat" in log
    html = client.get("/coordination/audit?action=reward_changed").get_data(as_text=True)
    assert f'href="/partners/rewards/{reward_id}"' in html and f'href="/partners/{story["tilleuls"]}"' in html
    assert "Sandrine Morel withdrew" not in text_of(client.get("/coordination/audit?action=reward_changed"))
    with client.application.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "reward_changed")).one()
        assert entry.detail["changed"] == ["minutes", "places", "title"]
        assert (entry.detail["old"]["minutes"], entry.detail["new"]["minutes"]) == (60, 90)
