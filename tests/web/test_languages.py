"""French by default, English and Arabic on demand; Arabic reads right to left."""
from tests.conftest import text_of


def test_french_is_the_default(app):
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html
    assert "Donnez une heure, recevez une heure" in html


def test_accept_language_is_honoured(app):
    client = app.test_client()
    html = client.get("/", headers={"Accept-Language": "ar,fr;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html


def test_lang_parameter_switches_and_is_remembered(app):
    client = app.test_client()
    assert '<html lang="ar" dir="rtl">' in client.get("/?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in client.get("/login").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in text_of(client.get("/login"))


def test_an_unknown_language_is_ignored(app):
    client = app.test_client()
    html = client.get("/?lang=xx").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html


def test_a_link_changes_the_language_for_the_visit_only(client, auth, people):
    amina = people.member("Amina Diallo", locale="en")
    auth.login("amina@example.org")

    # A link, or an image on another site, that asks for Arabic: the visit switches, her profile does not.
    assert 'dir="rtl"' in client.get("/?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in client.get("/me/hours").get_data(as_text=True)

    assert people.get(amina)["locale"] == "en"  # her e-mails stay in English
    fresh = client.application.test_client()
    fresh.post("/login", data={"identifier": "amina@example.org", "password": amina.password})
    assert 'lang="en"' in fresh.get("/").get_data(as_text=True)


def test_a_member_changes_her_stored_language_in_her_profile(client, auth, people):
    amina = people.member("Amina Diallo", locale="en")
    auth.login("amina@example.org")

    client.post("/me/profile", data={"display_name": "Amina Diallo", "area": "Les Tilleuls", "languages": ["fr"],
                                     "contact_visibility": "counterparts", "locale": "ar"})

    assert people.get(amina)["locale"] == "ar"
    fresh = client.application.test_client()
    fresh.post("/login", data={"identifier": "amina@example.org", "password": amina.password})
    assert 'dir="rtl"' in fresh.get("/").get_data(as_text=True)


def test_arabic_pages_are_translated(app):
    client = app.test_client()
    page = text_of(client.get("/login?lang=ar"))
    assert "تسجيل الدخول" in page
    assert "Sign in" not in page


def test_french_pages_are_translated(app):
    client = app.test_client()
    page = text_of(client.get("/login"))
    assert "Se connecter" in page
    assert "Sign in" not in page


def test_approval_mail_is_written_in_the_applicant_language(client, auth, people):
    people.coordinator("Sandrine Martin")
    nadia = people.applicant("Nadia Haddad", locale="ar")
    marie = people.applicant("Marie Dupont", locale="fr")
    auth.login("sandrine@example.org")

    client.post(f"/coordination/members/{nadia.id}/decide", data={"approve": "y"})
    client.post(f"/coordination/members/{marie.id}/decide", data={"approve": "y"})

    [arabic] = people.outbox(to="nadia@example.org")
    [french] = people.outbox(to="marie@example.org")
    assert "مرحبًا" in arabic.body or "Nadia" in arabic.body and "Hello" not in arabic.body
    assert french.body.startswith("Bonjour Marie,")
    assert "Hello" not in french.body


def test_durations_are_said_the_way_people_say_them(app):
    from flask_babel import force_locale

    from timebank.i18n import format_minutes

    with app.test_request_context():
        with force_locale("fr"):
            assert [format_minutes(m) for m in (90, 60, 45, -135, 0)] == ["1 h 30", "1 h", "45 min", "\u2068−2 h 15\u2069",
                                                                               "0 h"]
        with force_locale("en"):
            assert format_minutes(90) == "1 h 30 min"
        with force_locale("ar"):
            assert [format_minutes(m) for m in (90, 120, 180, 15)] == ["ساعة و30 دقيقة", "ساعتان", "3 ساعات", "15 دقيقة"]
