"""Joining the timebank: Nadia fills in the form, and every mistake gets its own message."""
import pytest

from tests.conftest import text_of

VALID = {
    "display_name": "Nadia Haddad",
    "email": "Nadia.Haddad@Example.org",
    "password": "jasmine on the balcony",
    "locale": "ar",
    "area": "Centre",
    "languages": ["ar", "fr"],
    "charter": "y",
}


def register(client, **changes):
    data = {**VALID, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/register", data=data)


def test_nadia_joins_and_waits_for_approval(client, people):
    response = register(client)

    assert response.status_code == 303
    page = client.get("/", headers={"Accept-Language": "en"})
    stored = people.get(people_by_email(people, "nadia.haddad@example.org"))
    assert stored["status"] == "pending"
    assert stored["email"] == "nadia.haddad@example.org"  # stored in one case
    assert stored["languages"] == ["ar", "fr"]
    assert stored["area"] == "Centre"
    assert stored["locale"] == "ar"
    assert stored["password_hash"].startswith("$argon2id$")
    # Nadia chose Arabic: the page after joining speaks Arabic, right to left.
    html = page.get_data(as_text=True)
    assert 'dir="rtl"' in html and 'lang="ar"' in html


def test_the_form_offers_areas_languages_and_the_charter(client, app):
    page = text_of(client.get("/register"))
    for area in app.config["TIMEBANK_AREAS"]:
        assert area in page
    assert "Arabic" in page and "Wolof" in page and "Turkish" in page
    assert "We keep our appointments or warn in advance." in page  # the English charter, as the page


@pytest.mark.parametrize(("lang", "charter", "others"), [
    ("fr", "Nous tenons nos rendez-vous ou prévenons à l'avance.", ("We keep", "نحترم مواعيدنا")),
    ("en", "We keep our appointments or warn in advance.", ("Nous tenons", "نحترم مواعيدنا")),
    ("ar", "نحترم مواعيدنا أو ننبّه مسبقًا.", ("We keep", "Nous tenons")),
    ("tr", "Randevularımıza uyarız", ("We keep", "Nous tenons")),
    ("pt", "Cumprimos os nossos compromissos", ("We keep", "Nous tenons")),
])
def test_the_register_page_shows_the_charter_in_the_readers_language(client, app, lang, charter, others):
    app.config["LANGUAGES"] = ["fr", "en", "ar", "tr", "pt"]
    response = client.get(f"/register?lang={lang}")
    html, page = response.get_data(as_text=True), text_of(response)
    assert charter in page
    assert not any(other in page for other in others)
    assert '<p dir="auto">' + charter[:10] in html or charter[:10] in html.split('class="charter"')[1]


def test_a_language_without_its_charter_shows_the_default_language_never_english(client, app):
    app.config["LANGUAGES"] = ["fr", "en", "ar", "tr"]
    app.config["TIMEBANK_CHARTER"] = {"fr": "Charte du quartier.", "en": "Charter of the district."}
    assert "Charte du quartier." in text_of(client.get("/register?lang=ar"))
    assert "Charter of the district." not in text_of(client.get("/register?lang=tr"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"display_name": ""}, "Please tell us your name."),
        ({"display_name": "x" * 81}, "Field cannot be longer than 80 characters."),
        ({"email": ""}, "Please give your e-mail address."),
        ({"email": "nadia-at-example.org"}, "This does not look like an e-mail address."),
        ({"password": ""}, "Please choose a password."),
        ({"password": "short"}, "Your password needs at least 10 characters."),
        ({"area": ""}, "Please choose your area."),
        ({"area": "Atlantis"}, "Not a valid choice."),
        ({"languages": None}, "Please tick at least one language."),
        ({"languages": ["klingon"]}, "is not a valid choice"),
        ({"locale": "de"}, "Not a valid choice."),
        ({"charter": None}, "Please read and accept the charter to join."),
    ],
)
def test_each_invalid_field_is_explained_and_nothing_is_written(client, people, changes, message):
    response = register(client, **changes)

    assert response.status_code == 422
    assert message in text_of(response)
    assert "Please correct what is marked below." in text_of(response)
    assert people.count_members() == 0


def test_a_long_password_is_accepted(client, people):
    response = register(client, password="a sentence that is long enough to remember " * 2)
    assert response.status_code == 303
    assert people.count_members() == 1


def test_joining_with_a_known_address_answers_like_a_new_one_and_tells_its_owner(app, people):
    """Nobody learns from the join form whether an address belongs to a member."""
    people.member("Nadia Haddad", email="nadia.haddad@example.org", locale="fr")
    newcomer, stranger = app.test_client(), app.test_client()
    for browser in (newcomer, stranger):
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    new = register(newcomer, email="nadia.h@example.org", locale="en")
    known = register(stranger, email="NADIA.HADDAD@EXAMPLE.ORG", locale="en")

    assert (new.status_code, new.headers["Location"]) == (known.status_code, known.headers["Location"]) == (303, "/login")
    page = text_of(newcomer.get("/login"))
    assert page == text_of(stranger.get("/login"))
    assert "Now sign in with your e-mail address and the password you chose." in page
    assert people.count_members() == 2  # Nadia, and the new address only
    [mail] = people.outbox(to="nadia.haddad@example.org")
    assert mail.locale == "fr"
    assert "/password/forgot" in mail.body
    assert people.outbox(to="nadia.h@example.org") == []
    # The stranger's password opens nothing.
    assert stranger.post("/login", data={"identifier": "nadia.haddad@example.org",
                                         "password": VALID["password"]}).status_code == 401


def test_the_owner_reads_the_warning_in_her_language(app, client, people):
    people.member("Nadia Haddad", email="nadia.haddad@example.org", locale="en")

    register(client)

    [mail] = people.outbox(to="nadia.haddad@example.org")
    assert "Someone tried to join" in mail.subject
    assert "nadia.haddad@example.org" in mail.body
    assert "http://timebank.test/password/forgot" in mail.body
    assert "nothing has changed" in mail.body


def test_joining_costs_one_password_hash_whether_the_address_is_known_or_not(ctx, people):
    from tests.unit.test_sign_in_timing import CountingHasher
    from timebank.members.services import member_register

    people.member("Nadia Haddad", email="nadia.haddad@example.org")
    hasher = ctx.extensions["timebank_password_hasher"] = CountingHasher(**ctx.config["TIMEBANK_ARGON2"])
    fields = {key: VALID[key] for key in ("display_name", "password", "locale", "area", "languages")}

    member_register(email="nadia.h@example.org", charter_accepted=True, **fields)
    new = dict(hasher.calls)
    member_register(email="nadia.haddad@example.org", charter_accepted=True, **fields)

    assert new == {"hash": 1, "verify": 0}
    assert hasher.calls == {"hash": 2, "verify": 0}


def test_one_address_cannot_open_accounts_by_the_dozen(make_app, people):
    app = make_app(TIMEBANK_REGISTER_LIMIT="3 per hour")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for index in range(3):
        assert register(client, email=f"bot{index}@example.org", locale="en").status_code == 303

    refused = register(client, email="bot9@example.org", locale="en")

    assert refused.status_code == 429
    assert "Too many attempts" in text_of(refused)
    assert people.count_members() == 3


def test_mistakes_in_the_form_do_not_count_towards_the_limit(make_app, people):
    app = make_app(TIMEBANK_REGISTER_LIMIT="2 per hour")
    client = app.test_client()
    for _ in range(4):
        assert register(client, password="short").status_code == 422
    assert register(client).status_code == 303


def test_the_owner_of_an_address_is_not_flooded_with_warnings(make_app, people):
    """Strangers at many addresses: the owner gets a few e-mails, not hundreds."""
    app = make_app(TIMEBANK_PROXY_COUNT=1)
    people.member("Nadia Haddad", email="nadia.haddad@example.org")
    answers = []
    for index in range(6):
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{index}"
        answers.append(register(client).status_code)

    assert answers == [303, 303, 303, 429, 429, 429]
    assert len(people.outbox(to="nadia.haddad@example.org")) == 3


def test_open_registration_makes_a_member_at_once(make_app, people):
    app = make_app(TIMEBANK_REGISTRATION_MODE="open")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    register(client, locale="en")
    client.post("/login", data={"identifier": VALID["email"], "password": VALID["password"]})

    page = text_of(client.get("/"))
    assert "Hello Nadia" in page
    assert "waiting for approval" not in page


def people_by_email(people, email):
    import sqlalchemy as sa

    from tests.factories import Resident
    from timebank.extensions import db
    from timebank.members.models import Member

    with people.app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        return Resident(member.id, member.number, member.email, member.display_name)
