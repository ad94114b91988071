"""The association's texts per language: the reader's language, else the default one, never English by accident;
and the small helpers that keep a person's words apart in a sentence."""
from flask_babel import force_locale

from timebank.i18n import FSI, PDI, isolate, local_text, texts_by_language


def test_a_single_text_saved_before_languages_reads_as_the_default_languages():
    assert texts_by_language("Notre charte.", "fr") == {"fr": "Notre charte."}
    assert texts_by_language({"fr": " Charte ", "ar": "", "en": None}, "fr") == {"fr": "Charte"}
    assert texts_by_language("", "fr") == {} and texts_by_language(None, "fr") == {}


def test_a_text_is_read_in_the_readers_language_else_in_the_default_one(app):
    app.config["TIMEBANK_DESCRIPTION"] = {"fr": "Le quartier s'entraide.", "en": "The district helps itself.",
                                          "ar": "الحي يتعاون."}
    app.config["TIMEBANK_OPENING_HOURS"] = {"en": "Tuesdays", "ar": "الثلاثاء"}  # none in French, the default
    with app.test_request_context():
        with force_locale("ar"):
            assert local_text("description") == "الحي يتعاون."
        with force_locale("tr"):
            assert local_text("description") == "Le quartier s'entraide."  # the default language, not English
            assert local_text("opening_hours") == ""  # neither Turkish nor French: nothing, never English
        assert local_text("description", "en") == "The district helps itself."


def test_the_default_charter_speaks_five_languages(app):
    with app.test_request_context():
        charters = {code: local_text("charter", code) for code in ("fr", "en", "ar", "tr", "pt")}
    assert charters["fr"].startswith("Nous nous traitons avec respect.")
    assert charters["ar"].startswith("نتعامل مع بعضنا باحترام.")
    assert len(set(charters.values())) == 5


def test_a_persons_words_are_isolated_in_plain_text():
    assert isolate("Karim") == f"{FSI}Karim{PDI}"
    assert isolate("") == "" and isolate(None) == ""
