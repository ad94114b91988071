"""Amina publishes offers from her phone, Karim finds them; the rules that keep it safe."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import count_queries, text_of
from tests.factories import category_id, publish
from timebank.extensions import db
from timebank.listings.models import Listing, ListingStatus
from timebank.members.models import Member, Status
from timebank.timeutil import utcnow


@pytest.fixture
def amina(people, auth):
    amina = people.member("Amina Diallo", languages=("fr", "ar"), area="Les Tilleuls")
    auth.login("amina@example.org")
    return amina


def form(app, **changes):
    with app.app_context():
        translation = category_id("translation")
    data = {"type": "offer", "title": "Traduction arabe → français", "category": str(translation),
            "description": "Courriers, rendez-vous.\nLe soir.", "languages": ["ar", "fr"], "area": "Les Tilleuls",
            "duration": "60", "availability": "Le soir", "ends_on": "", "tags": "CAF, lettres"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def listing(app, listing_id):
    with app.app_context():
        row = db.session.get(Listing, listing_id)
        return {"title": row.title, "status": row.status.value, "hidden": row.hidden_at is not None,
                "tags": row.tags, "languages": row.language_codes} if row else None


def test_amina_publishes_an_offer_and_sees_it(app, client, amina):
    page = text_of(client.get("/listings/new?type=offer"))
    assert "What do you want to do?" in page

    response = client.post("/listings/new", data=form(app))

    assert response.status_code == 303
    shown = text_of(client.get(response.headers["Location"]))
    assert "Your listing is published." in shown
    assert "Traduction arabe → français" in shown and "Courriers, rendez-vous." in shown
    assert "Arabic, French" in shown and "1 h" in shown and "CAF, lettres" in shown
    assert "Who offers Amina Diallo" in shown


def test_the_form_starts_from_the_profile(app, client, amina):
    html = client.get("/listings/new?type=request").get_data(as_text=True)
    assert re.search(r'<input checked [^>]*value="request">', html)
    assert re.search(r'<input checked [^>]*value="ar">', html) and re.search(r'<input checked [^>]*value="fr">', html)
    assert not re.search(r'<input checked [^>]*value="pt">', html)
    assert '<option selected value="Les Tilleuls">' in html


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": ""}, "Please give a title."),
    ({"title": "x" * 101}, "Field cannot be longer than 100 characters."),
    ({"title": "   "}, "Please write something, not only spaces."),
    ({"title": "Bonjour\x07"}, "Please remove the invisible characters"),
    ({"type": None}, "Please choose: an offer or a request."),
    ({"type": "gift"}, "Not a valid choice."),
    ({"category": ""}, "Please choose a category."),
    ({"category": "99999"}, "Not a valid choice."),
    ({"languages": None}, "Please tick at least one language."),
    ({"description": "x" * 2001}, "Field cannot be longer than 2000 characters."),
    ({"ends_on": "2001-01-01"}, "The end date is already past."),
    ({"ends_on": "tomorrow"}, "Not a valid date value."),
    ({"duration": "7"}, "Not a valid choice."),
    ({"area": "Atlantis"}, "Not a valid choice."),
])
def test_each_bad_field_is_explained_and_nothing_is_published(app, client, amina, changes, message):
    response = client.post("/listings/new", data=form(app, **changes))
    assert 400 <= response.status_code < 500
    assert message in text_of(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Listing)) == 0


def test_html_in_a_listing_is_shown_as_text(app, client, amina):
    client.post("/listings/new", data=form(app, title="<script>alert(1)</script>",
                                           description="<b>bold</b> https://example.org/x?a=1&b=2"))
    listing_id = db_listing_id(app)
    html = client.get(f"/listings/{listing_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert '<a href="https://example.org/x?a=1&amp;b=2" rel="nofollow noopener noreferrer">' in html


def db_listing_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(Listing.id).order_by(Listing.id.desc()))


def test_an_unverified_member_cannot_offer_childcare_even_by_forging_the_form(app, client, amina):
    response = client.post("/listings/new", data=form(app, category=str(with_app(app, category_id, "childcare"))))

    assert response.status_code == 403
    assert "Only members verified by a coordinator can offer “Childcare”." in text_of(response)
    assert "meet a coordinator" in text_of(response)
    ok = client.post("/listings/new", data=form(app, type="request",
                                                category=str(with_app(app, category_id, "childcare"))))
    assert ok.status_code == 303  # asking for childcare is fine


def with_app(app, fn, *args):
    with app.app_context():
        return fn(*args)


def test_a_verified_member_offers_childcare_with_a_badge(app, client, people, amina, auth):
    people.coordinator("Sandrine Martin")
    auth.logout()
    auth.login("sandrine@example.org")
    client.post(f"/coordination/members/{amina.id}/verify", data={"verify-checked": "ID seen", "verify-verify": "y"})
    auth.logout()
    auth.login("amina@example.org")

    response = client.post("/listings/new", data=form(app, title="Garde le mercredi",
                                                      category=str(with_app(app, category_id, "childcare"))))

    assert response.status_code == 303
    assert "✓ verified" in text_of(client.get("/listings"))


def test_withdrawing_verification_hides_sensitive_offers(app, client, people, auth):
    sandrine = people.coordinator("Sandrine Martin")
    amina = people.member("Amina Diallo")
    with app.test_request_context():
        from timebank.coordination.vetting import verification_grant

        verification_grant(member=db.session.get(Member, amina.id), actor=db.session.get(Member, sandrine.id),
                           checked="ID seen", expires_on=None)
    publish(app, amina, "Garde le mercredi", category="childcare")
    people.member("Karim Benali")
    auth.login("karim@example.org")
    assert "Garde le mercredi" in text_of(client.get("/listings"))
    auth.logout()
    auth.login("sandrine@example.org")

    client.post(f"/coordination/members/{amina.id}/unverify", data={"unverify-reason": "Complaint", "unverify-unverify": "y"})
    auth.logout()
    auth.login("karim@example.org")

    assert "Garde le mercredi" not in text_of(client.get("/listings"))


def test_only_the_author_or_a_coordinator_can_change_a_listing(app, client, people, auth, amina):
    listing_id = publish(app, amina, "Traduction")
    auth.logout()
    people.member("Karim Benali")
    auth.login("karim@example.org")

    assert client.get(f"/listings/{listing_id}/edit").status_code == 403
    assert client.post(f"/listings/{listing_id}/edit", data=form(app, title="Mine now")).status_code == 403
    assert client.post(f"/listings/{listing_id}/status", data={"close": "y"}).status_code == 403
    assert listing(app, listing_id)["title"] == "Traduction"
    assert listing(app, listing_id)["status"] == "open"

    people.coordinator("Sandrine Martin")
    auth.logout()
    auth.login("sandrine@example.org")
    assert client.post(f"/listings/{listing_id}/edit", data=form(app, title="Corrigé")).status_code == 303
    assert listing(app, listing_id)["title"] == "Corrigé"


def test_pause_reopen_and_close(app, client, amina):
    listing_id = publish(app, amina, "Traduction")
    client.post(f"/listings/{listing_id}/status", data={"pause": "y"})
    assert listing(app, listing_id)["status"] == "paused"
    assert "Paused" in text_of(client.get("/me/listings"))
    client.post(f"/listings/{listing_id}/status", data={"reopen": "y"})
    assert listing(app, listing_id)["status"] == "open"
    client.post(f"/listings/{listing_id}/status", data={"close": "y"})
    refused = client.post(f"/listings/{listing_id}/status", data={"reopen": "y"})
    assert refused.status_code == 409
    assert "This listing is closed. Publish a new one instead." in text_of(refused)
    assert client.post(f"/listings/{listing_id}/status", data={}).status_code == 400


def test_what_others_do_not_see(app, client, people, auth):
    amina = people.member("Amina Diallo")
    hamid = people.member("Hamid Cherif")
    paused = publish(app, amina, "En pause")
    expired = publish(app, amina, "Terminée", ends_on=utcnow().date() + timedelta(days=1))
    by_suspended = publish(app, hamid, "Du membre suspendu")
    visible = publish(app, amina, "Visible")
    with app.app_context():
        db.session.get(Listing, paused).status = ListingStatus.PAUSED
        db.session.get(Listing, expired).ends_on = utcnow().date() - timedelta(days=1)
        db.session.get(Member, hamid.id).status = Status.SUSPENDED
        db.session.commit()
    people.member("Karim Benali")
    auth.login("karim@example.org")

    page = text_of(client.get("/listings"))

    assert "Visible" in page and "1 listing" in page
    for hidden_id in (paused, expired, by_suspended):
        assert client.get(f"/listings/{hidden_id}").status_code == 404
    auth.logout()
    auth.login("amina@example.org")
    assert "Ended" in text_of(client.get("/me/listings"))  # the author still sees hers


def test_visitors_cannot_browse_and_applicants_only_look(app, client, people, auth):
    amina = people.member("Amina Diallo")
    listing_id = publish(app, amina, "Traduction")
    assert client.get("/listings").headers["Location"].startswith("/login")
    people.applicant("Nadia Haddad")
    auth.login("nadia@example.org")
    assert "Amina" not in text_of(client.get("/listings"))  # she looks, without names (issue 15)
    assert "Amina" not in text_of(client.get(f"/listings/{listing_id}"))
    assert client.post("/listings/new", data=form(app)).status_code == 403


def test_browse_page_empty_state_and_count(app, client, amina):
    assert "No offers or requests yet — be the first!" in text_of(client.get("/listings"))
    assert "Nothing found. Try other words" in text_of(client.get("/listings?q=zzz"))
    publish(app, amina, "Traduction")
    assert "1 listing" in text_of(client.get("/listings?q=tradu"))
    assert client.get("/listings?page=7").status_code == 404
    assert client.get("/listings?type=gift&category=abc&language=xx&area=nowhere").status_code == 200


def test_browse_runs_a_fixed_number_of_queries(app, client, people, amina):
    others = [people.member(f"Voisine {n}", email=f"v{n}@example.org") for n in range(6)]

    def queries_for_page():
        return count_queries(app, client, "/listings")

    publish(app, others[0], "Annonce 0", languages=("fr", "ar"))
    client.get("/listings")  # the first view reads what the process then keeps (the categories)
    few = queries_for_page()
    for n, other in enumerate(others):
        publish(app, other, f"Annonce {n + 1}", languages=("fr", "pt"), category="cooking")
    many = queries_for_page()
    assert "7 listings" in text_of(client.get("/listings"))
    assert many == few


def test_the_author_sees_matches_and_matching_authors_are_told(app, client, people, auth):
    karim = people.member("Karim Benali", area="Les Tilleuls")
    samira = people.member("Samira Bouzid", area="Gare")
    fatou = people.member("Fatou Ndiaye", area="Les Tilleuls")
    with app.app_context():
        for resident in (karim, samira, fatou):
            db.session.get(Member, resident.id).notify_matches = True
        db.session.commit()
    near = publish(app, karim, "Je traduis l'arabe", languages=("ar",))
    far = publish(app, samira, "Je traduis aussi l'arabe", languages=("ar", "fr"), area="Gare")
    no_common_language = publish(app, fatou, "Je traduis le wolof", languages=("wo",))
    people.member("Amina Diallo")
    auth.login("amina@example.org")

    response = client.post("/listings/new", data=form(app, type="request", title="Lettre de la CAF à traduire",
                                                      languages=["ar"]))

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index(f"/listings/{near}") < page.index(f"/listings/{far}")  # same area first
    assert f"/listings/{no_common_language}" not in page  # no shared language: not a match
    [mail] = people.outbox(to="karim@example.org")
    assert mail.subject == "Someone near you needs help: Lettre de la CAF à traduire"
    assert people.outbox(to="samira@example.org") == []  # another area: not "near you"
    assert people.outbox(to="fatou@example.org") == []  # no shared language
    auth.logout()
    auth.login("karim@example.org")
    assert ("Someone near you needs help with Translation and interpreting: Lettre de la CAF à traduire"
            in text_of(client.get("/notifications")))


def test_members_who_did_not_opt_in_are_not_told(app, client, people, auth):
    karim = people.member("Karim Benali", area="Les Tilleuls")
    publish(app, karim, "Je traduis l'arabe", languages=("ar",))
    people.member("Amina Diallo")
    auth.login("amina@example.org")
    client.post("/listings/new", data=form(app, type="request", languages=["ar"]))
    assert people.outbox(to="karim@example.org") == []


def test_reports_reach_the_coordinators_who_hide_the_listing(app, client, people, auth):
    amina = people.member("Amina Diallo")
    listing_id = publish(app, amina, "Vente de cigarettes")
    people.member("Karim Benali")
    people.coordinator("Sandrine Martin")
    auth.login("karim@example.org")

    assert client.post(f"/listings/{listing_id}/report", data={"reason": ""}).status_code == 422
    client.post(f"/listings/{listing_id}/report", data={"reason": "This is selling, not helping."})
    auth.logout()
    auth.login("sandrine@example.org")
    queue = text_of(client.get("/coordination/"))
    assert "Reports 1" in queue and queue.count("This is selling, not helping.") == 1
    with app.app_context():
        from timebank.listings.models import Report

        report_id = db.session.scalar(sa.select(Report.id))
    refused = client.post(f"/coordination/reports/{report_id}/decide", data={"hide": "y"})
    assert refused.status_code == 400 and "Please write the reason: the author reads it." in text_of(refused)
    assert not listing(app, listing_id)["hidden"]
    client.post(f"/coordination/reports/{report_id}/decide",
                data={"hide": "y", "reason": "Une vente n'est pas un échange de temps."})

    assert listing(app, listing_id)["hidden"]
    assert "Reports 0" in text_of(client.get("/coordination/"))
    again = client.post(f"/coordination/reports/{report_id}/decide", data={"dismiss": "y"})
    assert again.status_code == 409
    auth.logout()
    auth.login("karim@example.org")
    assert client.get(f"/listings/{listing_id}").status_code == 404
    assert "a coordinator has looked at it" in text_of(client.get("/notifications"))
    auth.logout()
    auth.login("amina@example.org")  # the author is told, with the coordinator's words
    assert ("A coordinator hid your listing Vente de cigarettes: Une vente n'est pas un échange de temps."
            in text_of(client.get("/notifications")))


def test_members_cannot_handle_reports_or_verify(app, client, people, auth):
    amina = people.member("Amina Diallo")
    listing_id = publish(app, amina, "Traduction")
    people.member("Karim Benali")
    auth.login("karim@example.org")
    client.post(f"/listings/{listing_id}/report", data={"reason": "Rude"})
    with app.app_context():
        from timebank.listings.models import Report

        report_id = db.session.scalar(sa.select(Report.id))

    assert client.post(f"/coordination/members/{amina.id}/verify", data={"verify-checked": "ID seen", "verify-verify": "y"}).status_code == 403
    assert client.post(f"/coordination/reports/{report_id}/decide", data={"hide": "y"}).status_code == 403

    assert listing(app, listing_id)["hidden"] is False
    with app.app_context():
        assert db.session.get(Member, amina.id).verified_at is None
        assert db.session.get(Report, report_id).handled_at is None


def test_nobody_vouches_for_themselves_or_reports_themselves(app, client, people, auth):
    sandrine = people.coordinator("Sandrine Martin")
    auth.login("sandrine@example.org")
    listing_id = publish(app, sandrine, "Aide aux papiers")

    assert client.post(f"/coordination/members/{sandrine.id}/verify", data={"verify-checked": "ID seen", "verify-verify": "y"}).status_code == 403
    assert client.post(f"/members/{sandrine.id}/report", data={"reason": "me"}).status_code == 403
    assert client.post(f"/listings/{listing_id}/report", data={"reason": "me"}).status_code == 403
    with app.app_context():
        from timebank.listings.models import Report

        assert db.session.get(Member, sandrine.id).verified_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_every_post_needs_its_csrf_token(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=True)
    amina = people.member("Amina Diallo")
    listing_id = publish(app, amina, "Traduction")
    sandrine = people.coordinator("Sandrine Martin")
    client = app.test_client()
    from tests.conftest import csrf_token

    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"identifier": sandrine.email, "password": sandrine.password, "csrf_token": token})
    for url, data in [("/listings/new", form(app)), (f"/listings/{listing_id}/edit", form(app, title="x")),
                      (f"/listings/{listing_id}/status", {"close": "y"}),
                      (f"/listings/{listing_id}/report", {"reason": "x"}),
                      (f"/coordination/members/{amina.id}/verify", {"verify-checked": "ID", "verify-verify": "y"}), ("/coordination/reports/1/decide", {"hide": "y"}),
                      ("/give", {"to": "community", "hours": "1", "minutes": "0", "key": "k", "confirm": "yes"}),
                      ("/me/profile", {"display_name": "x"})]:
        assert client.post(url, data=data).status_code == 400, url
    assert listing(app, listing_id) == {"title": "Traduction", "status": "open", "hidden": False, "tags": "",
                                        "languages": ["fr"]}


def test_reminder_before_the_end_date_is_sent_once(app, people):
    amina = people.member("Amina Diallo")
    hamid = people.member("Hamid Cherif")
    publish(app, amina, "Aide aux devoirs", ends_on=utcnow().date() + timedelta(days=2))
    publish(app, hamid, "Du membre suspendu", ends_on=utcnow().date() + timedelta(days=2))
    with app.app_context():
        db.session.get(Member, hamid.id).status = Status.SUSPENDED
        db.session.commit()
    publish(app, amina, "Plus tard", ends_on=utcnow().date() + timedelta(days=20))
    runner = app.test_cli_runner()

    assert "reminders queued: 1" in runner.invoke(args=["listings", "remind"]).output
    assert "reminders queued: 0" in runner.invoke(args=["listings", "remind"]).output
    [mail] = people.outbox(to="amina@example.org")
    assert people.outbox(to="hamid@example.org") == []
    assert mail.subject == "Your listing ends soon"
    assert "Aide aux devoirs" in mail.body and "/edit" in mail.body


def test_key_words_are_split_on_any_comma(app, client, amina):
    client.post("/listings/new", data=form(app, tags="CAF، رسائل; lettres, CAF"))
    assert listing(app, db_listing_id(app))["tags"] == "CAF, رسائل, lettres"


def test_the_printed_directory_lists_open_listings_by_category_with_member_numbers(app, client, people, auth):
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    publish(app, amina, "Traduction arabe-français", category="translation")
    publish(app, karim, "Réparer un vélo", kind="request", category="sewing-repairs", area="Centre")
    hidden = publish(app, karim, "Annonce retirée")
    with app.app_context():
        db.session.get(Listing, hidden).status = ListingStatus.CLOSED
        db.session.commit()
    auth.login("amina@example.org")
    page = text_of(client.get("/listings/print"))
    assert "Can help Traduction arabe-français Amina Diallo No. " + str(amina.number) in page
    assert "Needs help Réparer un vélo Karim Benali No. " + str(karim.number) + " Centre" in page
    assert "Annonce retirée" not in page
    only = text_of(client.get("/listings/print?area=Centre"))
    assert "Réparer un vélo" in only and "Traduction arabe-français" not in only
    assert text_of(client.get("/listings/print?area=<script>")).count("Réparer un vélo") == 1


def test_a_directory_too_long_to_print_says_so(app, client, people, auth, monkeypatch):
    from timebank.listings import services

    amina = people.member("Amina Diallo")
    for n in range(3):
        publish(app, amina, f"Annonce {n}")
    auth.login("amina@example.org")
    assert "choose an area to print the others" not in text_of(client.get("/listings/print"))
    monkeypatch.setattr(services, "DIRECTORY_MAX", 2)
    page = text_of(client.get("/listings/print"))
    assert "Only the first 2 offers and requests are shown" in page and page.count("Annonce") == 2
