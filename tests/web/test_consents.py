"""What Nadia and Amina agreed to is recorded with its date and version; withdrawing is as easy as giving."""
from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.web.test_registration import register
from timebank.extensions import db


def consents(app, resident_id: int) -> list[tuple[str, bool, str | None]]:
    from timebank.privacy.models import Consent

    with app.app_context():
        return [(c.kind, c.given, c.version) for c in db.session.scalars(
            sa.select(Consent).where(Consent.member_id == resident_id).order_by(Consent.id))]


def test_joining_records_the_charter_and_its_version(app, client):
    from timebank.members.models import Member

    app.config["TIMEBANK_CHARTER_CHANGED_AT"] = "2026-09-01T10:00:00"
    assert register(client).status_code == 303
    with app.app_context():
        nadia = db.session.scalar(sa.select(Member).where(Member.email == "nadia.haddad@example.org"))
        assert consents(app, nadia.id) == [("charter", True, "2026-09-01T10:00:00")]


def test_the_phone_shown_to_every_member_is_an_agreement_given_and_withdrawn_in_the_profile(app, client, people):
    amina = people.member("Amina Diallo")
    login(client, amina)
    profile = {"display_name": "Amina Diallo", "area": "Les Tilleuls", "languages": ["fr"], "locale": "en",
               "phone": "07 98 76 54 32"}
    client.post("/me/profile", data={**profile, "contact_visibility": "members"})
    client.post("/me/profile", data={**profile, "contact_visibility": "counterparts"})
    assert [c for c in consents(app, amina.id) if c[0] == "phone_visible"] == [
        ("phone_visible", True, None), ("phone_visible", False, None)]
    page = text_of(client.get("/me/privacy"))
    assert "Withdrawn on" in page and "Charter accepted on" in page


def test_amina_leaves_the_directory_and_comes_back_as_easily(app, client, people):
    amina, karim, sandrine = people.member("Amina Diallo"), people.member("Karim Benali"), people.coordinator()
    login(client, amina)
    response = client.post("/me/privacy", data={"sms": "y"})  # directory unticked (no phone: no texts asked)
    assert response.status_code == 303
    assert ("directory", False, None) in consents(app, amina.id)
    login(client, karim)
    assert "Amina Diallo" not in text_of(client.get("/members"))
    login(client, sandrine)
    assert "Amina Diallo" in text_of(client.get("/members"))  # coordinators still find her
    login(client, amina)
    client.post("/me/privacy", data={"directory": "y"})
    login(client, karim)
    assert "Amina Diallo" in text_of(client.get("/members"))
    assert [c[1] for c in consents(app, amina.id) if c[0] == "directory"] == [False, True]


def test_other_features_record_a_consent_once(app, people):
    from timebank.members.models import Member
    from timebank.privacy.consents import consent_given, record_consent

    amina = people.member("Amina Diallo")
    with app.app_context():
        member = db.session.get(Member, amina.id)
        assert consent_given(member, "push", default=False) is False
        record_consent(member, "push", True, version="2026-11")
        db.session.commit()
        assert record_consent(member, "push", True, version="2026-11") is None  # the same word again: nothing new
        record_consent(member, "push", False)
        db.session.commit()
        assert consent_given(member, "push") is False
    assert [c for c in consents(app, amina.id) if c[0] == "push"] == [("push", True, "2026-11"), ("push", False, None)]


def test_the_page_of_my_data_in_french_and_arabic(client, people):
    amina = people.member("Amina Diallo")
    login(client, amina)
    for language in ("fr", "ar", "en"):
        response = client.get(f"/me/privacy?lang={language}")
        assert response.status_code == 200 and f'lang="{language}"' in response.get_data(as_text=True)
    assert "Download my data" in text_of(client.get("/me/privacy?lang=en"))


def test_every_new_page_speaks_french_english_and_arabic(client, people):
    amina, sandrine = people.member("Amina Diallo"), people.coordinator()
    pages = {amina: ("/privacy", "/me/privacy", "/me/leave"), sandrine: (f"/coordination/members/{amina.id}/data",)}
    for resident, addresses in pages.items():
        login(client, resident)
        for address in addresses:
            for language, direction in (("fr", "ltr"), ("en", "ltr"), ("ar", "rtl")):
                html = client.get(f"{address}?lang={language}").get_data(as_text=True)
                assert f'lang="{language}"' in html and f'dir="{direction}"' in html, (address, language)


def test_texts_turned_off_anywhere_are_a_withdrawn_agreement_and_my_data_turns_them_back_on(app, client, people):
    """The "My data" box, the profile's switch and STOP are one agreement: each records it, and the box shows
    whether texts go now."""
    import sqlalchemy as sa

    from timebank.extensions import db
    from timebank.members.models import Member
    from timebank.privacy.models import Consent

    amina = people.member("Amina Diallo")
    with app.app_context():
        db.session.execute(sa.update(Member).where(Member.id == amina.id).values(phone="+33612345678"))
        db.session.commit()
    login(client, amina)
    assert client.post("/me/email-preferences", data={"texts": "off"}).status_code == 303
    page = client.get("/me/privacy").get_data(as_text=True)
    assert 'id="sms" name="sms" value="y">' in page  # unticked: texts are off
    assert client.post("/me/privacy", data={"directory": "y", "sms": "y"}).status_code == 303
    with app.app_context():
        member = db.session.get(Member, amina.id)
        assert member.sms_stopped_at is None
        records = [(c.kind, c.given) for c in db.session.scalars(
            sa.select(Consent).where(Consent.member_id == amina.id, Consent.kind == "sms").order_by(Consent.id))]
    assert records == [("sms", False), ("sms", True)]
    assert 'id="sms" name="sms" value="y" checked>' in client.get("/me/privacy").get_data(as_text=True)


def test_a_member_without_a_phone_is_not_asked_about_texts_and_keeps_them_for_when_she_adds_one(app, client, people):
    amina = people.member("Amina Diallo")
    login(client, amina)
    page = client.get("/me/privacy").get_data(as_text=True)
    assert 'name="sms"' not in page and "add a phone number in your profile" in page
    assert client.post("/me/privacy", data={"directory": "y"}).status_code == 303
    from timebank.extensions import db
    from timebank.members.models import Member

    with app.app_context():
        assert db.session.get(Member, amina.id).sms_stopped_at is None
