"""Every message of a form, WTForms' own included, is in the page's language (French and Arabic)."""
import pytest
from wtforms.i18n import messages_path

from tests.conftest import login, text_of
from timebank.forms import FlaskForm, wtforms_messages
from timebank.timeutil import utcnow

ENGLISH = ("Field cannot", "Field must", "Not a valid", "This field is required", "is not a valid choice",
           "Invalid", "CSRF")

# What a resident reads, per language, for: too long (80 and 2000 characters), invalid e-mail, invalid
# choice (one select, one checkbox list), required, not a number, not a time, out of range, expired form.
READS = {
    "fr": {
        "long_name": "Ce champ ne peut pas dépasser 80 caractères.",
        "long_text": "Ce champ ne peut pas dépasser 2000 caractères.",
        "email": "Cela ne ressemble pas à une adresse e-mail.",
        "choice": "N'est pas un choix valide.",
        "choices": "« xx » n’est pas un choix possible pour ce champ.",
        "required": "Pour vous inscrire, merci de lire et d'accepter la charte.",
        "number": "Veuillez écrire un nombre entier, en chiffres.",
        "time": "Veuillez écrire une heure valide, par exemple 14:30.",
        "range": "Entre 1 et 50 participant·es.",
        "csrf": "Ce formulaire n'est plus valable",
    },
    "ar": {
        "long_name": "لا يمكن أن يتجاوز هذا الحقل 80 حرفًا.",
        "long_text": "لا يمكن أن يتجاوز هذا الحقل 2000 حرف.",
        "email": "هذا لا يبدو عنوان بريد إلكتروني.",
        "choice": "اختيار غير صحيح.",
        "choices": "«xx» ليس خيارًا صالحًا لهذا الحقل.",
        "required": "للانضمام، يُرجى قراءة الميثاق والموافقة عليه.",
        "number": "يرجى كتابة عدد صحيح بالأرقام.",
        "time": "يرجى كتابة وقت صالح، مثل 14:30.",
        "range": "عدد المشاركين من 1 إلى 50.",
        "csrf": "انتهت صلاحية هذه الاستمارة",
    },
}


def assert_no_english(page: str):
    assert [words for words in ENGLISH if words in page] == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_refused_application_speaks_the_page_language(app, language):
    client = app.test_client()
    client.get(f"/?lang={language}")

    response = client.post("/register", data={
        "display_name": "A" * 81, "email": "not an address", "password": "correct horse battery",
        "locale": language, "area": "Nowhere", "languages": ["xx"]})

    page = text_of(response)
    assert response.status_code == 422
    reads = READS[language]
    for what in ("long_name", "email", "choice", "choices", "required"):
        assert reads[what] in page, what
    assert_no_english(page)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_refused_group_session_speaks_the_page_language(client, people, language):
    amina = people.member("Amina Diallo")
    login(client, amina)
    client.get(f"/?lang={language}")
    session = {"title": "Atelier couture", "on_date": utcnow().date().isoformat(), "hours": "2", "minutes": "0"}

    not_numbers = text_of(client.post("/groups/new", data={
        **session, "description": "x" * 2001, "at_time": "25:99", "max_participants": "beaucoup"}))
    too_many = text_of(client.post("/groups/new", data={**session, "max_participants": "99"}))

    reads = READS[language]
    for what in ("long_text", "time", "number"):
        assert reads[what] in not_numbers, what
    assert reads["range"] in too_many
    assert_no_english(not_numbers + too_many)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_expired_form_is_explained_in_the_page_language(make_app, language):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.get(f"/login?lang={language}")

    response = client.post("/login", data={"identifier": "amina@example.org", "password": "x"})

    assert response.status_code == 400
    page = text_of(response)
    assert READS[language]["csrf"] in page
    assert_no_english(page)


def test_english_pages_keep_the_messages_of_wtforms(app):
    client = app.test_client()
    page = text_of(client.post("/register?lang=en", data={"display_name": "A" * 81}))
    assert "Field cannot be longer than 80 characters." in page


def test_our_catalogue_holds_wtforms_own_messages():
    """The messages marked in timebank.forms are still WTForms' msgids (a renamed one would show in English)."""
    from babel.messages.pofile import read_po

    with open(f"{messages_path()}/wtforms.pot", "rb") as handle:
        theirs = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle) if m.id}
    ours = wtforms_messages(lambda s: s, lambda s, p, n: s)
    assert ours and set(ours) <= theirs


def test_every_form_uses_the_timebank_base_form(app):
    """The base form gives WTForms' messages in the page's language and hidden inputs without ids."""
    import importlib
    import pkgutil

    import flask_wtf

    import timebank

    for module in pkgutil.walk_packages(timebank.__path__, "timebank."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)

    def every_subclass(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every_subclass(sub)

    strays = [f"{cls.__module__}.{cls.__name__}" for cls in every_subclass(flask_wtf.FlaskForm)
              if cls.__module__.startswith("timebank.") and not issubclass(cls, FlaskForm)]
    assert strays == []
