"""The association of the Tilleuls offers Turkish and Portuguese too: Elif reads the website in Turkish, João in
Portuguese; the categories, the charter and the language picker follow. Arabic lists use the Arabic comma."""
import re

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.factories import publish
from timebank.extensions import db


@pytest.fixture
def five_languages(app):
    app.config["LANGUAGES"] = ["fr", "en", "ar", "tr", "pt"]
    return app


def test_an_admin_offers_turkish_and_portuguese_and_the_picker_shows_them(app, client, people):
    from tests.web.test_settings import settings_form

    claire = people.admin("Claire Dubois")
    login(client, claire)
    page = text_of(client.get("/admin/settings"))
    assert "Türkçe" in page and "Português" in page  # offered in the settings
    response = client.post("/admin/settings", data=settings_form(client, languages=["fr", "en", "ar", "tr", "pt"]))
    assert response.status_code == 303
    html = client.get("/?lang=tr").get_data(as_text=True)
    assert '<html lang="tr" dir="ltr">' in html
    assert 'hreflang="tr"' in html and 'hreflang="pt"' in html and "Türkçe" in text_of(client.get("/"))
    # Now the settings have a box per text in Turkish and Portuguese, with their language.
    settings = client.get("/admin/settings").get_data(as_text=True)
    assert re.search(r'<textarea(?=[^>]*name="charter_tr")(?=[^>]*lang="tr")', settings)
    assert re.search(r'<textarea(?=[^>]*name="charter_pt")[^>]*>\s*Tratamo-nos com respeito', settings)


def test_the_shipped_categories_are_named_in_turkish_and_portuguese(five_languages, client, people):
    login(client, people.member("Elif Yılmaz"))
    assert "Çocuk bakımı" in text_of(client.get("/listings?lang=tr"))
    assert "Guarda de crianças" in text_of(client.get("/listings?lang=pt"))
    assert "Garde d'enfants" not in text_of(client.get("/listings?lang=pt"))


def test_a_category_needs_a_name_in_every_language_the_website_offers(five_languages, client, people):
    claire = people.admin("Claire Dubois")
    login(client, claire)
    form = client.get("/admin/categories").get_data(as_text=True)
    assert 'name="name_tr"' in form and 'name="name_pt"' in form and "Name in Portuguese" in text_of(
        client.get("/admin/categories"))
    names = {"name_fr": "Atelier vélo", "name_en": "Bike workshop", "name_ar": "ورشة الدراجات",
             "name_tr": "Bisiklet atölyesi", "icon": "hammer"}
    missing = client.post("/admin/categories", data=names)
    assert missing.status_code == 422 and "Please name the category in each language" in text_of(missing)
    assert client.post("/admin/categories", data={**names, "name_pt": "Oficina de bicicletas"}).status_code == 303
    with five_languages.app_context():
        from timebank.listings.models import Category

        bikes = db.session.scalar(sa.select(Category).where(Category.slug == "bike-workshop"))
        assert bikes.names["tr"] == "Bisiklet atölyesi" and bikes.names["pt"] == "Oficina de bicicletas"


def test_a_website_without_turkish_does_not_ask_for_a_turkish_name(app, client, people):
    claire = people.admin("Claire Dubois")
    login(client, claire)
    response = client.post("/admin/categories", data={"name_fr": "Atelier vélo", "name_en": "Bike workshop",
                                                       "name_ar": "ورشة الدراجات", "icon": "hammer"})
    assert response.status_code == 303


def test_an_admin_is_created_in_turkish_from_the_command_line(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create-admin", "--name", "Elif Yılmaz", "--email", "elif@example.org",
        "--password", "a long enough password", "--locale", "tr"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from timebank.members.models import Member

        assert db.session.scalar(sa.select(Member.locale).where(Member.email == "elif@example.org")) == "tr"


def test_languages_are_listed_with_the_arabic_comma_on_an_arabic_page(app, client, people):
    amina = people.member("Amina Diallo")
    listing = publish(app, amina, "Aide aux devoirs", languages=("fr", "ar", "tr"))
    login(client, amina)
    arabic = text_of(client.get(f"/listings/{listing}?lang=ar"))
    assert "العربية، الفرنسية، التركية" in arabic
    french = text_of(client.get(f"/listings/{listing}?lang=fr"))
    assert "Arabe, Français, Turc" in french and "،" not in french.split("Aide aux devoirs", 1)[1][:200]


def test_empty_states_are_not_in_italics(app):
    from pathlib import Path

    css = (Path(app.static_folder) / "css" / "timebank.css").read_text()
    rule = re.search(r"^\.empty \{([^}]*)\}", css, re.M).group(1)
    assert "italic" not in rule


def test_the_join_list_filter_escapes_what_it_joins(app):
    with app.test_request_context("/?lang=ar"):
        from flask import g, render_template_string

        g.locale = "ar"
        html = render_template_string('{{ ["<b>a</b>", "b"]|join_list }}')
        text = render_template_string('{% autoescape false %}{{ ["a", "b"]|join_list }}{% endautoescape %}')
    assert html == "&lt;b&gt;a&lt;/b&gt;، b" and text == "a، b"


@pytest.mark.parametrize("locale, named", [("fr", "Arabe, Français, Wolof"), ("en", "Arabic, French, Wolof"),
                                           ("ar", "العربية، الفرنسية، الولوفية")])
def test_a_list_of_languages_is_named_in_the_reader_s_language_each_time(app, locale, named):
    """``language_names`` keeps each list it named a process: the same list in another language is named anew,
    and says what ``map("language_name")|join_list`` says."""
    from flask import render_template_string

    for asked in (locale, "tr", locale):
        with app.test_request_context(f"/?lang={asked}", headers={"Accept-Language": asked}):
            kept = render_template_string('{{ ["ar", "fr", "wo"]|language_names }}')
            plain = render_template_string('{{ ["ar", "fr", "wo"]|map("language_name")|join_list }}')
        assert kept == plain
    assert kept == named
