"""French by default, English and Arabic on demand; Arabic reads right to left."""
from tests.conftest import text_of


def test_french_is_the_default(app):
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html
    assert "Donnez une heure, recevez une heure" in html or "heure" in html


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


def test_a_member_choice_is_stored_on_her_profile(client, auth, people):
    amina = people.member("Amina Diallo", locale="en")
    auth.login("amina@example.org")

    client.get("/?lang=ar")

    assert people.get(amina)["locale"] == "ar"
    fresh = client.application.test_client()
    fresh.post("/login", data={"identifier": "amina@example.org", "password": amina.password})
    assert 'dir="rtl"' in fresh.get("/").get_data(as_text=True)


def test_arabic_pages_are_translated(app):
    client = app.test_client()
    page = text_of(client.get("/login?lang=ar"))
    assert "تسجيل الدخول" in page or "الدخول" in page


def test_french_pages_are_translated(app):
    client = app.test_client()
    page = text_of(client.get("/login"))
    assert "Se connecter" in page or "Connexion" in page
    assert "Sign in" not in page
