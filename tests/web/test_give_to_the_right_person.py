"""Giving time finds the recipient by what Karim types (name or member number), never in a list of everyone; the
kind of service is asked, defaults to the listing's, and counts in the report's hours by category."""
import re

import pytest

from tests.conftest import login, text_of
from tests.factories import category_id, publish
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.members.models import Member


@pytest.fixture
def karim(people, client):
    karim = people.member("Karim Benali")
    login(client, karim)
    return karim


def posted(app, resident):
    with app.app_context():
        return ledger.account_of(db.session.get(Member, resident.id)).posted


def _key(html):
    return re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)


def test_the_give_page_lists_nobody_until_karim_types_a_name(client, people, karim):
    for n in range(30):
        people.member(f"Voisine {n}", email=f"voisine{n}@example.org")
    html = client.get("/give").get_data(as_text=True)
    assert "Voisine" not in html
    assert "<select" not in html.split('name="who"')[0].rsplit("<fieldset", 1)[-1]
    assert 'name="who"' in html and "To whom: a name or a member number" in text_of(client.get("/give"))


def test_karim_finds_helene_without_accents_then_gives_her_time(app, client, people, karim):
    helene = people.member("Hélène Dupont")
    people.member("Hélène Martin", email="helene.martin@example.org")
    people.member("Amina Diallo")
    html = client.get("/give").get_data(as_text=True)
    found = client.post("/give", data={"who": "helene", "find": "y", "key": _key(html), "hours": "1",
                                       "minutes": "30", "memo": "Courses"})
    page = text_of(found)
    assert found.status_code == 200
    assert "Choose the person:" in page
    assert f"Hélène Dupont · Member number {helene.number}" in page and "Hélène Martin" in page
    assert "Amina" not in page
    assert 'value="Courses"' in found.get_data(as_text=True)  # what he typed stays

    form = {"to": str(helene.id), "hours": "1", "minutes": "30", "memo": "Courses", "key": _key(html),
            "category": str(_category(app, "cooking")), "who": "helene"}
    confirm = client.post("/give", data=form)
    assert "You give 1 h 30 min to Hélène Dupont." in text_of(confirm)
    assert client.post("/give", data={**form, "confirm": "yes"}).status_code == 303
    assert posted(app, helene) == 90


def test_a_member_number_finds_one_person_who_is_chosen_at_once(app, client, people, karim):
    amina = people.member("Amina Diallo")
    html = client.get("/give").get_data(as_text=True)
    found = client.post("/give", data={"who": str(amina.number), "find": "y", "key": _key(html), "hours": "1",
                                       "minutes": "0"})
    body = found.get_data(as_text=True)
    assert f'<input type="hidden" name="to" value="{amina.id}">' in body
    assert "Amina Diallo" in text_of(found) and "Choose someone else" in text_of(found)


def test_nobody_found_says_so_and_karim_himself_is_never_found(client, people, karim):
    html = client.get("/give").get_data(as_text=True)
    found = client.post("/give", data={"who": "Karim", "find": "y", "key": _key(html)})
    assert "Nobody found. Try the member number, or part of the name." in text_of(found)


def test_continuing_without_choosing_is_refused_next_to_to_whom(client, people, karim):
    html = client.get("/give").get_data(as_text=True)
    refused = client.post("/give", data={"key": _key(html), "hours": "1", "minutes": "0"})
    assert refused.status_code == 422
    fieldset = refused.get_data(as_text=True).split('class="field recipient', 1)[1].split("</fieldset>", 1)[0]
    assert "Please choose who receives the hours." in fieldset


def _category(app, slug):
    with app.app_context():
        return category_id(slug)


def test_the_kind_of_service_defaults_to_the_listings(app, client, people, karim):
    amina = people.member("Amina Diallo")
    listing_id = publish(app, amina, "Traduction arabe-français", category="translation")
    html = client.get(f"/give?to={amina.id}&listing={listing_id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{_category(app, "translation")}">', html) or \
        re.search(rf'<option value="{_category(app, "translation")}" selected>', html)
    assert f'<input type="hidden" name="to" value="{amina.id}">' in html


def test_a_gift_with_a_kind_of_service_counts_in_the_report_old_ones_as_not_said(app, client, people, karim):
    amina = people.member("Amina Diallo")
    sandrine = people.coordinator("Sandrine Martin")
    for minutes, category in ((120, str(_category(app, "paperwork"))), (60, "")):
        html = client.get("/give").get_data(as_text=True)
        form = {"to": str(amina.id), "hours": str(minutes // 60), "minutes": "0", "memo": "CAF", "key": _key(html),
                "category": category, "confirm": "yes"}
        assert client.post("/give", data=form).status_code == 303
    login(client, sandrine)
    page = text_of(client.get("/admin/reports/"))
    assert "Paperwork and letters (CAF, housing, school…) 1 2 h" in page
    assert "Not said 1 1 h" in page


def test_a_member_out_of_the_directory_is_found_by_her_number_only(app, client, people, karim):
    """Amina asked not to be shown to other members: typing her name finds nobody; her member number, given by
    her, still finds her."""
    from timebank.privacy.consents import record_consent

    amina = people.member("Amina Diallo")
    with app.app_context():
        record_consent(db.session.get(Member, amina.id), "directory", False)
        db.session.commit()
    html = client.get("/give").get_data(as_text=True)
    by_name = client.post("/give", data={"who": "Amina", "find": "y", "key": _key(html)})
    assert "Nobody found" in text_of(by_name) and "Amina Diallo" not in text_of(by_name)
    by_number = client.post("/give", data={"who": str(amina.number), "find": "y", "key": _key(html)})
    assert f'name="to" value="{amina.id}"' in by_number.get_data(as_text=True)
