"""Sandrine, coordinator, reads what the coordinators did as sentences with links, not codes: "Sandrine Martin hid
the listing “Couture”", "… recorded Exchange #22 for Hawa Coulibaly", and narrows the log to a person or a kind."""
import re

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.factories import member, publish
from timebank.extensions import db


def entries_of(client, query: str = "") -> str:
    """The entries of the audit log as a coordinator reads them (after the filter form)."""
    return text_of(client.get(f"/coordination/audit{query}")).split(" Show ", 1)[1]


@pytest.fixture
def story(app, client, people):
    """Sandrine hides Karim's listing “Couture” after Amina's report and records a shopping trip Amina did for
    Hawa, who has no phone."""
    from timebank.listings.models import Listing
    from timebank.listings.upkeep import report_create, report_handle

    sandrine = people.coordinator("Sandrine Martin")
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    hawa = people.member("Hawa Coulibaly", email=None)
    listing_id = publish(app, karim, "Couture")
    with app.test_request_context():
        report = report_create(reporter=member(amina), reason="Annonce en double",
                               listing=db.session.get(Listing, listing_id))
        report_handle(report=report, actor=member(sandrine), hide=True, reason="Not a service")
    login(client, sandrine)
    client.post(f"/coordination/members/{hawa.id}/brokered",
                data={"broker-reason": "Demandé au téléphone", "broker-enable": "y"})
    client.post(f"/coordination/members/{hawa.id}/record", data={
        "provider": str(amina.id), "title": "Courses au marché", "hours": "1", "minutes": "30"})
    with app.app_context():
        from timebank.exchanges.models import Exchange

        exchange_id = db.session.scalar(sa.select(sa.func.max(Exchange.id)))
    return {"sandrine": sandrine, "amina": amina, "karim": karim, "hawa": hawa, "listing": listing_id,
            "exchange": exchange_id}


def test_each_act_reads_as_a_sentence_with_links(client, story):
    log = entries_of(client)
    assert "Sandrine Martin hid the listing “Couture”" in log
    assert f"Sandrine Martin recorded Exchange #{story['exchange']} for Hawa Coulibaly" in log
    assert "Sandrine Martin now records the exchanges of Hawa Coulibaly" in log
    assert "listing_hidden" not in log and "exchange_brokered" not in log and "listing 1" not in log
    html = client.get("/coordination/audit").get_data(as_text=True)
    assert f'<a href="/listings/{story["listing"]}"><bdi>“Couture”</bdi></a>' in html
    assert f'<a href="/exchanges/{story["exchange"]}"><bdi>Exchange #{story["exchange"]}</bdi></a>' in html
    assert f'<a href="/coordination/members/{story["hawa"].id}"><bdi>Hawa Coulibaly</bdi></a>' in html
    assert "Annonce en double" in log  # the reason, under the sentence


def test_the_log_is_narrowed_to_a_person_and_to_a_kind(client, story):
    hawa_only = entries_of(client, "?person=Hawa")
    assert "Hawa Coulibaly" in hawa_only and "Couture" not in hawa_only
    by_number = entries_of(client, f"?person={story['karim'].number}")
    assert "Couture" in by_number and "Hawa" not in by_number
    hidden = entries_of(client, "?action=listing_hidden")
    assert "hid the listing “Couture”" in hidden and "Exchange #" not in hidden
    nobody = entries_of(client, "?person=Personne%20inconnue")
    assert "Nothing yet." in nobody
    page = text_of(client.get("/coordination/audit"))
    assert "hid the listing …" in page and "Person (name or member number)" in page  # the kinds, readable


def test_the_member_file_shows_her_history_as_sentences(client, story):
    html = client.get(f"/coordination/members/{story['hawa'].id}").get_data(as_text=True)
    history = text_of(client.get(f"/coordination/members/{story['hawa'].id}")).split("What coordinators did", 1)[1]
    assert f"Sandrine Martin recorded Exchange #{story['exchange']} for Hawa Coulibaly" in history
    assert re.search(rf'<a href="/exchanges/{story["exchange"]}"><bdi>Exchange #\d+</bdi></a>', html)


def test_names_and_titles_are_isolated_in_the_sentences_of_an_arabic_page(client, story):
    html = client.get("/coordination/audit?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert '<bdi>Sandrine Martin</bdi>' in html and '<bdi>«Couture»</bdi>' in html  # Arabic quotation marks


def test_a_sentence_escapes_what_people_wrote(app, people):
    from timebank.audit import AuditEntry, audit_sentence

    with app.test_request_context(headers={"Accept-Language": "en"}):
        karim = member(people.member("Karim <b>Benali</b>"))
        entry = AuditEntry(action="listing_hidden", actor=karim, member=None, target="listing 3", reason="")
        sentence = str(audit_sentence(entry, target=("<i>x</i>", "/listings/3")))
    assert sentence == ('<bdi>Karim &lt;b&gt;Benali&lt;/b&gt;</bdi> hid the listing '
                        '<a href="/listings/3"><bdi>&lt;i&gt;x&lt;/i&gt;</bdi></a>')
