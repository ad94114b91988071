"""The privacy page says who keeps what, why and for how long, from the settings, in every language."""
from __future__ import annotations

from tests.conftest import login, text_of
from tests.web.test_settings import settings_form


def test_the_privacy_page_is_built_from_the_settings(make_app):
    app = make_app(TIMEBANK_NAME="Accorderie des Tilleuls", TIMEBANK_CONTACT="bonjour@accorderie.example",
                   TIMEBANK_ADDRESS="12 rue des Lilas, Rennes", TIMEBANK_PHONE="02 99 00 00 00",
                   TIMEBANK_RETENTION_DECLINED_MONTHS=4, TIMEBANK_ERASURE_GRACE_DAYS=15)
    client = app.test_client()
    page = text_of(client.get("/privacy?lang=en"))
    assert "Accorderie des Tilleuls, the association that runs this timebank, is responsible" in page
    assert "12 rue des Lilas, Rennes" in page and "02 99 00 00 00" in page and "bonjour@accorderie.example" in page
    assert "A declined application: 4 months." in page
    assert "you can change your mind for 15 days" in page
    assert "CNIL" in page  # the supervisory authority, by default
    assert "private notes about you are not in your download" in page


def test_the_privacy_page_is_linked_from_every_footer_and_the_sign_up_form(client):
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in client.get("/register").get_data(as_text=True)


def test_the_privacy_page_in_french_and_arabic(client):
    french = client.get("/privacy?lang=fr")
    arabic = client.get("/privacy?lang=ar")
    assert french.status_code == arabic.status_code == 200
    assert 'lang="fr"' in french.get_data(as_text=True)
    assert 'dir="rtl"' in arabic.get_data(as_text=True)


def test_an_admin_changes_the_retention_and_the_authority(client, people):
    claire = people.admin("Claire Dubois")
    login(client, claire)
    response = client.post("/admin/settings", data=settings_form(
        client, retention_outbox_months="2", supervisory_authority="Autorité de protection des données, Bruxelles",
        export_notes="y", erasure_to_community="y"))
    assert response.status_code == 303
    page = text_of(client.get("/privacy"))
    assert "The text of e-mails sent to you: 2 months." in page
    assert "Autorité de protection des données, Bruxelles" in page
    assert "private notes about you are included in your download" in page
    assert "Your remaining balance goes to the community account." in page
    refused = client.post("/admin/settings", data=settings_form(client, retention_inactive_years="0"))
    assert refused.status_code == 422
    assert "Please give a number between 1 and 10." in text_of(refused)
