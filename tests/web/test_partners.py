"""Through the pages: Claire creates Les Tilleuls Habitat and names Sandrine; Amina books the pool with her hours."""
from __future__ import annotations

import io
import re

import pytest

from tests.conftest import login, text_of
from timebank.extensions import db


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 40), (20, 90, 70)).save(out, format="PNG")
    return out.getvalue()


def key_of(html: str, name: str = "key") -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def story(app, client, people):
    claire = people.admin("Claire Dubois")
    sandrine = people.member("Sandrine Morel")
    amina = people.member("Amina Diallo")
    fatou = people.member("Fatou Sow")
    login(client, claire)
    response = client.post("/admin/partners", data={
        "name": "Les Tilleuls Habitat", "kind": "social_landlord", "description_fr": "Bailleur social du quartier",
        "description_en": "The neighbourhood's social landlord", "description_ar": "المؤجر الاجتماعي للحي",
        "address": "2 rue des Tilleuls", "contact": "01 23 45 67 89",
        "logo": (io.BytesIO(png()), "logo.png")}, content_type="multipart/form-data")
    assert response.status_code == 303, text_of(response)
    partner_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/admin/partners/{partner_id}/representatives",
                       data={"rep-number": str(sandrine.number), "rep-reason": "Chargée de la rénovation"}
                       ).status_code == 303
    response = client.post(f"/admin/partners/{partner_id}/limits", data={
        "limits-floor_hours": "0", "limits-ceiling_hours": "100", "limits-reason": "Convention 2027"})
    assert response.status_code == 303
    response = client.post("/admin/partners", data={"name": "École Jules Ferry", "kind": "school"})
    school_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    client.post(f"/admin/partners/{school_id}/representatives",
                data={"rep-number": str(fatou.number), "rep-reason": "Directrice"})
    return {"claire": claire, "sandrine": sandrine, "amina": amina, "fatou": fatou, "partner_id": partner_id,
            "school_id": school_id}


def publish(client, story, *, title="Entrée piscine", hours="1", places="1") -> int:
    login(client, story["sandrine"])
    response = client.post(f"/partners/{story['partner_id']}/manage", data={
        "title": title, "description": "Piscine municipale, le samedi", "hours": hours, "minutes": "0",
        "places": places})
    assert response.status_code == 303, text_of(response)
    page = client.get(f"/partners/{story['partner_id']}").get_data(as_text=True)
    return int(re.search(r'/partners/rewards/(\d+)"><bdi>' + re.escape(title), page).group(1))


def test_the_admin_creates_a_partner_that_everyone_can_read_in_their_language(client, story):
    client.post("/logout")
    listing = text_of(client.get("/partners"))
    assert "Les Tilleuls Habitat" in listing and "Social landlord" in listing
    page = client.get(f"/partners/{story['partner_id']}")
    assert "The neighbourhood's social landlord" in text_of(page)
    assert "2 rue des Tilleuls" in text_of(page) and "01 23 45 67 89" in text_of(page)
    assert re.search(r'<img class="partner-logo" src="/logo/logo-[0-9a-f]{16}\.png"', page.get_data(as_text=True))
    assert "المؤجر الاجتماعي للحي" in text_of(client.get(f"/partners/{story['partner_id']}?lang=ar"))
    assert "Bailleur social du quartier" in text_of(client.get(f"/partners/{story['partner_id']}?lang=fr"))


def test_the_representative_is_named_in_the_audit_log_with_the_reason(client, story):
    login(client, story["claire"])
    log = text_of(client.get("/coordination/audit?action=representative_named"))
    assert "Chargée de la rénovation" in log and "Sandrine Morel" in log


def test_a_bad_partner_form_says_what_is_wrong_and_writes_nothing(client, story):
    login(client, story["claire"])
    response = client.post("/admin/partners", data={"name": "", "kind": "school"})
    assert response.status_code == 422 and "Please give the name." in text_of(response)
    response = client.post("/admin/partners", data={"name": "Cinéma", "kind": "school",
                                                     "logo": (io.BytesIO(b"not a picture"), "logo.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "The logo must be a PNG or JPEG image." in text_of(response)
    assert "Cinéma" not in text_of(client.get("/partners"))
    response = client.post(f"/admin/partners/{story['partner_id']}/representatives",
                           data={"rep-number": "99999", "rep-reason": "x"})
    assert response.status_code == 422 and "No member has this number." in text_of(response)


def test_amina_books_the_pool_and_the_hours_go_to_the_partner_when_it_is_used(client, story):
    reward_id = publish(client, story)
    login(client, story["amina"])
    page = client.get(f"/partners/rewards/{reward_id}").get_data(as_text=True)
    response = client.post(f"/partners/rewards/{reward_id}/book", data={"key": key_of(page)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/me/rewards")
    mine = text_of(client.get("/me/rewards"))
    assert "Entrée piscine — Les Tilleuls Habitat" in mine and "Booked: your hours are reserved." in mine
    assert "Reserved to give to Les Tilleuls Habitat" in text_of(client.get("/me/hours"))

    login(client, story["sandrine"])
    assert "Amina Diallo booked Entrée piscine: the hours are reserved until you mark it used." in text_of(
        client.get("/notifications"))
    manage = client.get(f"/partners/{story['partner_id']}/manage")
    assert "Amina Diallo" in text_of(manage) and "Waiting: the hours are reserved." in text_of(manage)
    booking_id = re.search(r'/partners/bookings/(\d+)/decide', manage.get_data(as_text=True)).group(1)
    response = client.post(f"/partners/bookings/{booking_id}/decide",
                           data={"key": key_of(manage.get_data(as_text=True)), "used": "y"})
    assert response.status_code == 303
    assert "1 h" in text_of(client.get(f"/partners/{story['partner_id']}/manage"))

    login(client, story["amina"])
    hours = text_of(client.get("/me/hours"))
    assert "You gave to Les Tilleuls Habitat Entrée piscine — Les Tilleuls Habitat" in hours
    assert "You have −1 h" in hours
    assert "Used: the hours went to the partner." in text_of(client.get("/me/rewards"))
    result = client.application.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output


def test_the_last_place_is_taken_and_the_next_resident_is_told(client, story, people):
    reward_id = publish(client, story)
    karim = people.member("Karim Benali")
    login(client, story["amina"])
    page = client.get(f"/partners/rewards/{reward_id}").get_data(as_text=True)
    client.post(f"/partners/rewards/{reward_id}/book", data={"key": key_of(page)})
    login(client, karim)
    page = client.get(f"/partners/rewards/{reward_id}")
    assert "Sorry, there is no place left for this reward." in text_of(page)
    response = client.post(f"/partners/rewards/{reward_id}/book", data={"key": "another-key"})
    assert response.status_code == 409 and "Sorry, there is no place left for this reward." in text_of(response)


def test_booking_beyond_the_floor_shows_the_usual_message(client, story):
    reward_id = publish(client, story, title="Salle commune", hours="11")
    login(client, story["amina"])
    page = client.get(f"/partners/rewards/{reward_id}").get_data(as_text=True)
    response = client.post(f"/partners/rewards/{reward_id}/book", data={"key": key_of(page)})
    assert response.status_code == 409
    assert "You can give at most 10 h now: your account cannot go below −10 h." in text_of(response)
    assert "You have not booked any reward yet." in text_of(client.get("/me/rewards"))


def test_amina_cancels_and_her_hours_are_released(client, story):
    reward_id = publish(client, story, places="3")
    login(client, story["amina"])
    page = client.get(f"/partners/rewards/{reward_id}").get_data(as_text=True)
    client.post(f"/partners/rewards/{reward_id}/book", data={"key": key_of(page)})
    mine = client.get("/me/rewards").get_data(as_text=True)
    booking_id = re.search(r"/me/rewards/(\d+)/cancel", mine).group(1)
    assert client.post(f"/me/rewards/{booking_id}/cancel", data={"key": key_of(mine)}).status_code == 303
    assert "Cancelled: your hours are released." in text_of(client.get("/me/rewards"))
    assert "Reserved to give" not in text_of(client.get("/me/hours"))


def test_only_the_partners_representatives_act_for_it_and_a_removed_one_loses_access_at_once(client, story):
    reward_id = publish(client, story, places="3")
    login(client, story["amina"])
    page = client.get(f"/partners/rewards/{reward_id}").get_data(as_text=True)
    client.post(f"/partners/rewards/{reward_id}/book", data={"key": key_of(page)})
    manage = f"/partners/{story['partner_id']}/manage"
    assert client.get(manage).status_code == 403  # a resident
    login(client, story["fatou"])  # the school's representative
    assert client.get(manage).status_code == 403
    assert client.post(manage, data={"title": "Faux", "hours": "1", "minutes": "0", "places": "1"}).status_code == 403
    login(client, story["claire"])  # an admin is not a representative
    assert client.get(manage).status_code == 403
    client.post(f"/admin/partners/{story['partner_id']}/representatives/{story['sandrine'].id}/remove",
                data={"remove-reason": "A quitté le bailleur"})
    login(client, story["sandrine"])
    assert client.get(manage).status_code == 403
    with client.application.app_context():
        from timebank.partners.models import Booking

        booking = db.session.query(Booking).one()
    assert client.post(f"/partners/bookings/{booking.id}/decide", data={"key": "k", "used": "y"}).status_code == 403


def test_a_suspended_partner_disappears_and_its_bookings_are_released(client, story):
    reward_id = publish(client, story, places="3")
    login(client, story["amina"])
    page = client.get(f"/partners/rewards/{reward_id}").get_data(as_text=True)
    client.post(f"/partners/rewards/{reward_id}/book", data={"key": key_of(page)})
    login(client, story["claire"])
    edit = client.get(f"/admin/partners/{story['partner_id']}").get_data(as_text=True)
    response = client.post(f"/admin/partners/{story['partner_id']}/status", data={
        "status-key": key_of(edit, "status-key"), "status-reason": "Convention terminée", "status-suspend": "y"})
    assert response.status_code == 303
    login(client, story["amina"])
    assert "Les Tilleuls Habitat" not in text_of(client.get("/partners"))
    assert client.get(f"/partners/{story['partner_id']}").status_code == 404
    assert client.get(f"/partners/rewards/{reward_id}").status_code == 404
    assert "Ended without being used: your hours are released." in text_of(client.get("/me/rewards"))
    assert "Reserved to give" not in text_of(client.get("/me/hours"))


def test_a_refused_change_on_the_partner_page_keeps_what_the_admin_typed_and_changes_nothing(client, story):
    """Limits the ledger refuses show the message on the page with the typed hours; a status form sent without
    choosing suspend or reactivate changes nothing."""
    login(client, story["claire"])
    page = f"/admin/partners/{story['partner_id']}"
    response = client.post(f"{page}/limits", data={
        "limits-floor_hours": "5", "limits-ceiling_hours": "100", "limits-reason": "Erreur de saisie"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The lower limit must be zero or below" in text_of(response)
    assert re.search(r'name="limits-floor_hours"[^>]*value="5"', html), html
    edit = client.get(page).get_data(as_text=True)
    assert re.search(r'name="limits-floor_hours"[^>]*value="0"', edit)  # still the limits set in the story
    response = client.post(f"{page}/status", data={"status-key": key_of(edit, "status-key"),
                                                   "status-reason": "Sans bouton"})
    assert response.status_code == 422
    assert "Les Tilleuls Habitat" in text_of(client.get("/partners"))  # still active
