"""Claire, admin, changes the timebank's settings from the web page: effective at once, in the audit log."""
import io
import re

import pytest
import sqlalchemy as sa

from tests.conftest import audit_text, login, text_of
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.members.models import Member



def settings_form(client, **changes):
    """The settings form as the page fills it, with some fields changed."""
    import re

    html = client.get("/admin/settings").get_data(as_text=True)
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        if f'name="{name}"' in html and 'type="checkbox"' not in re.search(
                rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html).group(0):
            data[name] = value
    data["languages"] = re.findall(r'<input checked[^>]*name="languages"[^>]*value="([^"]+)"', html) or \
        re.findall(r'<input[^>]*checked[^>]*name="languages"[^>]*value="([^"]+)"', html)
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        data[match.group(1)] = __import__("html").unescape(match.group(2))
    for name in ("default_locale", "step", "email_exchanges", "email_messages", "email_hours", "email_reminders",
                 "email_matches"):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        data[name] = re.search(r'<option selected value="([^"]*)"', select).group(1)
    data["registration_mode"] = re.search(r'<input checked[^>]*name="registration_mode"[^>]*value="([^"]+)"',
                                          html).group(1)
    data.update(changes)
    data.pop("apply_limits", None) if "apply_limits" not in changes else None
    return data


@pytest.fixture
def claire(people):
    return people.admin("Claire Dubois")


def test_an_admin_renames_the_timebank_and_everyone_sees_it_at_once(app, client, people, claire):
    login(client, claire)
    response = client.post("/admin/settings", data=settings_form(
        client, name="Temps Partagé des Tilleuls", contact="bonjour@tilleuls.example",
        opening_hours_fr="Mardi et jeudi, 14 h – 18 h", description_fr="La banque de temps du quartier des Tilleuls."))
    assert response.status_code == 303
    client.post("/logout")
    home = text_of(client.get("/"))
    assert "Temps Partagé des Tilleuls" in home and "bonjour@tilleuls.example" in home
    assert "Mardi et jeudi, 14 h – 18 h" in home and "La banque de temps du quartier des Tilleuls." in home
    login(client, claire)
    log = audit_text(client, "settings_changed")
    assert "Claire Dubois changed the settings" in log


def test_bad_settings_are_refused_with_a_message_and_nothing_is_half_saved(app, client, people, claire):
    login(client, claire)
    for changes, message in [
        ({"auto_confirm_days": "-3"}, "Please give a number between 1 and 60."),
        ({"floor_hours": "5"}, "Please give a number between −1000 and 0."),
        ({"languages": ["en", "ar"], "default_locale": "fr"}, "The default language must be one of the languages"),
        ({"areas": "Centre\ncentre"}, "each different"),
        ({"charter_fr": ""}, "Please write the charter in the default language"),
        ({"name": ""}, "Please give a name."),
        ({"registration_mode": "everyone"}, "Not a valid choice"),
    ]:
        response = client.post("/admin/settings", data=settings_form(client, **{"name": "Nouveau nom", **changes}))
        assert response.status_code == 422, changes
        assert message in text_of(response), changes
    assert "Nouveau nom" not in text_of(client.get("/"))
    with app.app_context():
        from timebank.admin.models import Setting

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Setting)) == 0


def test_settings_are_for_admins_only(client, people, claire):
    sandrine = people.coordinator("Sandrine Martin")
    karim = people.member("Karim Benali")
    assert client.get("/admin/settings").status_code == 302
    for resident in (sandrine, karim):
        login(client, resident)
        assert client.get("/admin/settings").status_code == 403
        assert client.post("/admin/settings", data={"name": "Piraté"}).status_code == 403
        assert client.post("/admin/settings/logo", data={}).status_code == 403
    assert "Piraté" not in text_of(client.get("/"))


def test_rules_of_exchanges_and_hours_apply_at_once(app, client, people, claire):
    karim = people.member("Karim Benali")
    sandrine = people.coordinator("Sandrine Martin")
    login(client, sandrine)
    client.post(f"/coordination/members/{karim.id}/limits", data={
        "limits-floor_hours": "-20", "limits-ceiling_hours": "40", "limits-reason": "Aide à domicile"})
    login(client, claire)
    client.post("/admin/settings", data=settings_form(client, floor_hours="-5", ceiling_hours="30",
                                                      apply_limits="y", auto_confirm_days="3"))
    amina = people.member("Amina Diallo")
    with app.app_context():
        assert app.config["TIMEBANK_AUTO_CONFIRM_DAYS"] == 3
        claire_account = ledger.account_of(db.session.get(Member, claire.id))
        assert (claire_account.floor, claire_account.ceiling) == (-300, 1800)  # followed the defaults
        karim_account = ledger.account_of(db.session.get(Member, karim.id))
        assert (karim_account.floor, karim_account.ceiling) == (-1200, 2400)  # set by hand: kept
        amina_account = ledger.account_of(db.session.get(Member, amina.id))
        assert (amina_account.floor, amina_account.ceiling) == (-300, 1800)  # a new account
    login(client, karim)
    assert "You can receive up to 20 h more help" in text_of(client.get("/me/hours"))  # his own floor, kept


def test_a_new_charter_is_accepted_again_by_every_member(app, client, people, claire):
    karim = people.member("Karim Benali")
    login(client, claire)
    client.post("/admin/settings", data=settings_form(client, charter_fr="Nous nous respectons. Une heure vaut une "
                                                                      "heure. Nous prévenons si nous sommes en retard."))
    login(client, karim)
    response = client.get("/listings")
    assert response.status_code == 303 and response.headers["Location"].endswith("/me/charter")
    # Only the French text changed: Karim reads in English, is asked again, and reads the English charter.
    page = text_of(client.get("/me/charter"))
    assert "We keep our appointments or warn in advance." in page and "Nous prévenons" not in page
    assert "Nous prévenons si nous sommes en retard." in text_of(client.get("/me/charter?lang=fr"))
    assert client.post("/me/charter", data={}).status_code == 422
    client.post("/me/charter", data={"accept": "y"})
    assert client.get("/listings").status_code == 200


def test_a_charter_changed_only_in_arabic_is_accepted_again(app, client, people, claire):
    karim = people.member("Karim Benali")
    login(client, claire)
    client.post("/admin/settings", data=settings_form(client, charter_ar="نحترم بعضنا. الساعة تساوي ساعة."))
    login(client, karim)
    assert client.get("/listings").headers["Location"].endswith("/me/charter")
    assert "نحترم بعضنا. الساعة تساوي ساعة." in text_of(client.get("/me/charter?lang=ar"))


def test_each_text_has_one_box_per_language_of_the_website(client, people, claire):
    login(client, claire)
    html = client.get("/admin/settings").get_data(as_text=True)
    assert '<textarea dir="rtl" id="charter_ar" lang="ar"' in html or re.search(
        r'<textarea(?=[^>]*name="charter_ar")(?=[^>]*dir="rtl")(?=[^>]*lang="ar")', html)
    for name in ("description", "opening_hours", "welcome_meeting", "welcome_message", "email_signature", "charter"):
        assert {f"{name}_{code}" for code in ("fr", "en", "ar")} <= set(re.findall(rf'name="({name}_\w+)"', html))
    assert 'name="charter_tr"' not in html  # Turkish is not a language of this website (yet)
    text = text_of(client.get("/admin/settings"))
    assert "Charter" in text and "العربية" in text and "Français" in text


def test_the_home_page_shows_the_description_of_the_readers_language_else_the_default_one(app, client, people,
                                                                                         claire):
    login(client, claire)
    client.post("/admin/settings", data=settings_form(
        client, description_fr="La banque de temps des Tilleuls.", description_ar="بنك الوقت في حي الزيزفون.",
        opening_hours_fr="Mardi, 14 h – 18 h"))
    client.post("/logout")
    assert "بنك الوقت في حي الزيزفون." in text_of(client.get("/?lang=ar"))
    english = text_of(client.get("/?lang=en"))  # no English text: the default language's, never nothing
    assert "La banque de temps des Tilleuls." in english and "Mardi, 14 h – 18 h" in english
    assert "La banque de temps des Tilleuls." not in text_of(client.get("/?lang=ar"))


def test_a_text_saved_before_texts_had_a_language_still_reads(app, client, people, claire):
    with app.app_context():
        from timebank.admin.models import Setting

        db.session.add(Setting(key="TIMEBANK_DESCRIPTION", value="Un seul texte, d'avant."))
        db.session.add(Setting(key="TIMEBANK_CHARTER", value="Ancienne charte, en un seul texte."))
        db.session.merge(Setting(key="_version", value="saved-long-ago"))  # whoever writes settings says so
        db.session.commit()
    assert "Un seul texte, d'avant." in text_of(client.get("/?lang=ar"))
    assert "Ancienne charte, en un seul texte." in text_of(client.get("/register?lang=en"))
    login(client, claire)
    html = client.get("/admin/settings").get_data(as_text=True)
    assert re.search(r'name="charter_fr"[^>]*>\s*Ancienne charte, en un seul texte.</textarea>', html)
    assert client.post("/admin/settings", data=settings_form(client)).status_code == 303
    with app.app_context():
        assert db.session.get(Setting, "TIMEBANK_CHARTER").value == "Ancienne charte, en un seul texte."  # unchanged


def test_the_signature_and_the_welcome_message_reach_a_new_member_in_her_language(app, client, people, claire):
    from timebank.notifications.models import OutboxMessage

    login(client, claire)
    client.post("/admin/settings", data=settings_form(
        client, email_signature_fr="L'équipe des Tilleuls", email_signature_en="The Tilleuls team",
        welcome_message_fr="Bienvenue ! Passez nous voir.", welcome_message_en="Welcome! Come and see us."))
    client.post("/logout")
    client.post("/register", data={"display_name": "Nadia Haddad", "email": "nadia@example.org",
                                   "password": "correct horse battery", "locale": "en", "area": "Centre",
                                   "languages": ["ar"], "charter": "y"})
    sandrine = people.coordinator("Sandrine Martin")
    with app.test_request_context():
        from timebank.members.approval import member_approve

        nadia = db.session.scalar(sa.select(Member).where(Member.email == "nadia@example.org"))
        member_approve(member=nadia, actor=db.session.get(Member, sandrine.id))
        mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == "nadia@example.org")
                                   .order_by(OutboxMessage.id)).all()
    approved = [m.body for m in mails if "approved" in m.body]
    assert approved, [m.subject for m in mails]
    assert "Welcome! Come and see us." in approved[-1] and approved[-1].rstrip().endswith("The Tilleuls team")
    assert "Bienvenue" not in approved[-1] and "L'équipe" not in approved[-1]


def test_invitation_only_registration(app, client, people, claire):
    login(client, claire)
    client.post("/admin/settings", data=settings_form(client, registration_mode="invitation"))
    client.post("/logout")
    closed = client.get("/register")
    assert closed.status_code == 403 and "by invitation" in text_of(closed)
    login(client, claire)
    with app.test_request_context():
        from timebank.members.services import invitation_create

        token = invitation_create(actor=db.session.get(Member, claire.id), note="Atelier couture du mardi",
                                  approve_at_once=True)
    client.post("/logout")
    assert client.get("/register?invite=forged").status_code == 403
    response = client.post(f"/register?invite={token}", data={
        "display_name": "Hawa Coulibaly", "email": "hawa@example.org", "password": "un mot de passe long",
        "locale": "fr", "area": "Centre", "languages": ["fr"], "charter": "y"})
    assert response.status_code == 303, text_of(response)
    client.post("/login", data={"identifier": "hawa@example.org", "password": "un mot de passe long"})
    page = text_of(client.get("/?lang=en"))
    assert "Hello Hawa" in page and "waiting for approval" not in page


def _png(width=64, height=64) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 70)).save(out, format="PNG")
    return out.getvalue()


def test_the_logo_must_be_a_real_png_or_jpeg_and_is_re_encoded(app, client, people, claire):
    login(client, claire)
    for name, body, message in [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "must be a PNG or JPEG image"),
        ("logo.png", b"not an image at all", "must be a PNG or JPEG image"),
        ("logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "must be a PNG or JPEG image"),
    ]:
        response = client.post("/admin/settings/logo", data={"logo": (io.BytesIO(body), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 422 and message in text_of(response), name
    too_big = client.post("/admin/settings/logo", data={"logo": (io.BytesIO(b"0" * (3 * 1024 * 1024)), "big.png")},
                          content_type="multipart/form-data")
    assert too_big.status_code == 413
    response = client.post("/admin/settings/logo", data={"logo": (io.BytesIO(_png(2000, 1000)), "logo.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    src = html.split('class="brand"')[1].split('src="')[1].split('"')[0]
    image = client.get(src)
    assert image.status_code == 200 and image.mimetype == "image/png"
    from PIL import Image

    assert Image.open(io.BytesIO(image.data)).size == (512, 256)
    assert client.get("/logo/..%2Fconfig.py").status_code == 404


def test_new_members_get_the_e_mail_defaults_the_association_chose(app, client, people, claire):
    login(client, claire)
    client.post("/admin/settings", data=settings_form(client, email_messages="never"))
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    login(client, karim)
    assert client.post(f"/messages/{amina.id}", data={"body": "Bonjour Amina"}).status_code == 303
    assert not [mail for mail in people.outbox(to=amina.email) if "Karim" in mail.subject]
    login(client, amina)
    assert "Bonjour Amina" in text_of(client.get(f"/messages/{karim.id}"))  # the message itself arrived


def _huge_png(side: int) -> bytes:
    """A solid picture of side × side pixels: a few kilobytes as PNG, whatever its size once decoded."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (side, side), 1).save(out, format="PNG")
    return out.getvalue()


def test_a_huge_logo_is_refused_before_it_is_decoded(app, client, people, claire):
    body = _huge_png(6300)
    assert len(body) < 1024 * 1024  # under the 1 MB limit: only its size in pixels is wrong
    login(client, claire)
    response = client.post("/admin/settings/logo", data={"logo": (io.BytesIO(body), "logo.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The logo is too large: at most 4096 × 4096 pixels." in text_of(response)
    assert "logo-" not in client.get("/").get_data(as_text=True).split('class="brand"')[1][:300]


def test_applying_new_default_limits_says_which_accounts_kept_theirs_and_why(app, client, people, claire):
    karim = people.member("Karim Benali")
    amina = people.member("Amina Diallo")
    nadia = people.member("Nadia Haddad")
    sandrine = people.coordinator("Sandrine Martin")
    with app.app_context():
        from timebank.ledger.models import TransferKind

        karim_account = ledger.account_of(db.session.get(Member, karim.id))
        amina_account = ledger.account_of(db.session.get(Member, amina.id))
        ledger.transfer_post(debit=karim_account, credit=amina_account, minutes=8 * 60, kind=TransferKind.DIRECT,
                             key="k1", actor=db.session.get(Member, karim.id))
    login(client, sandrine)
    client.post(f"/coordination/members/{nadia.id}/limits", data={
        "limits-floor_hours": "-20", "limits-ceiling_hours": "40", "limits-reason": "Aide à domicile"})
    login(client, claire)
    response = client.post("/admin/settings", data=settings_form(client, floor_hours="-5", ceiling_hours="30",
                                                                 apply_limits="y"), follow_redirects=True)
    page = text_of(response)
    assert "The settings are saved." in page
    assert "3 accounts got the new limits." in page  # Claire, Amina and Sandrine
    assert "2 accounts kept their limits:" in page
    assert "Karim Benali kept −10 h to 40 h: the balance −8 h is below the new lowest balance." in page
    assert "Nadia Haddad kept −20 h to 40 h: a coordinator set these limits for this member." in page
    with app.app_context():
        assert (ledger.account_of(db.session.get(Member, karim.id)).floor) == -600
        from timebank.audit import AuditEntry

        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "settings_changed")).one()
        assert entry.detail["accounts_updated"] == 3
        assert any("Karim Benali kept" in kept for kept in entry.detail["accounts_kept"])
