"""The member file a coordinator reads between two appointments: a summary first (status, balance, contact with
call and text links, what waits about her, her trusted helper), then one section at a time, each with its own form,
and the acts that take something away apart, each behind a confirmation. The acting page names people."""
import re

import pytest

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.members.models import Member


@pytest.fixture
def cast(app, people):
    sandrine = people.coordinator("Sandrine Martin")
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    with app.app_context():
        db.session.get(Member, amina.id).phone = "06 12 34 56 78"
        db.session.commit()
    return sandrine, amina, karim


def _summary(html: str) -> str:
    return html[html.index('class="card summary"'):html.index("</section>", html.index('class="card summary"'))]


def test_the_summary_comes_first_with_call_and_text_links(client, cast):
    sandrine, amina, karim = cast
    login(client, sandrine)
    html = client.get(f"/coordination/members/{amina.id}").get_data(as_text=True)
    summary = _summary(html)
    assert 'href="tel:+33612345678"' in summary and 'href="sms:+33612345678"' in summary
    assert 'href="mailto:amina@example.org"' in summary
    text = text_of(client.get(f"/coordination/members/{amina.id}"))
    assert "Status Active · Not verified" in text and "Balance 0 h" in text
    assert "Trusted helper No trusted helper." in text
    assert "Nothing is waiting about her." in text
    # Every form sits below the summary, in a folded section.
    main = html[html.index("<main"):]
    assert main.index('class="card summary"') < main.index("<form")
    assert html.count('<details class="file-section card" name="member-file"') >= 6
    assert not re.search(r'<details class="file-section card"[^>]* open', html)  # nothing open at first


def test_what_waits_about_her_is_listed_with_links(app, client, people, cast):
    sandrine, amina, karim = cast
    from tests.factories import publish

    listing_id = publish(app, amina, "Couscous du vendredi", category="cooking")
    login(client, karim)
    client.post(f"/listings/{listing_id}/report", data={"reason": "Ce n'est pas un service"})
    login(client, sandrine)
    client.post(f"/coordination/members/{amina.id}/warn", data={"warn-body": "Merci de répondre aux messages."})
    text = text_of(client.get(f"/coordination/members/{amina.id}"))
    waiting = text.split("Waiting for the coordinators", 1)[1].split("Exchanges and statement", 1)[0]
    assert "A report about her, on" in waiting
    assert "1 warning not read yet." in waiting
    nadia = people.applicant("Nadia Haddad")
    assert "Her application waits for a decision." in text_of(client.get(f"/coordination/members/{nadia.id}"))


def test_a_refused_form_opens_its_own_section_with_the_error_next_to_the_field(client, cast):
    sandrine, amina, karim = cast
    login(client, sandrine)
    refused = client.post(f"/coordination/members/{amina.id}/limits", data={
        "limits-floor_hours": "-5", "limits-ceiling_hours": "40", "limits-reason": ""})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    opened = re.findall(r'<details class="file-section card" name="member-file" id="(\w+)" open', html)
    assert opened == ["limits"]
    limits = html.split('id="limits"', 1)[1].split("</details>", 1)[0]
    assert "Please write the reason." in limits and 'value="-5"' in limits


def test_suspending_and_withdrawing_a_verification_sit_apart_behind_a_confirmation(app, client, cast):
    sandrine, amina, karim = cast
    login(client, sandrine)
    client.post(f"/coordination/members/{amina.id}/verify", data={"verify-checked": "Pièce d'identité vue",
                                                                  "verify-verify": "y"})
    html = client.get(f"/coordination/members/{amina.id}").get_data(as_text=True)
    danger = html.split('class="card danger-zone"', 1)[1].split("</section>", 1)[0]
    for step, button in (("Withdraw the verification…", "unverify-unverify"), ("Suspend the membership…",
                                                                                "status-suspend")):
        block = danger[danger.rindex("<details", 0, danger.index(step)):]
        assert block.index("<summary") < block.index(step) < block.index(f'name="{button}"')
    before_danger = html.split('class="card danger-zone"', 1)[0]
    assert 'name="status-suspend"' not in before_danger and 'name="unverify-unverify"' not in before_danger
    # The acts themselves still work, with a reason.
    assert client.post(f"/coordination/members/{amina.id}/status", data={
        "status-reason": "Absences répétées", "status-suspend": "y"}).status_code == 303
    assert "Status Suspended" in text_of(client.get(f"/coordination/members/{amina.id}"))


def test_members_cannot_open_the_member_file(client, cast):
    sandrine, amina, karim = cast
    login(client, karim)
    assert client.get(f"/coordination/members/{amina.id}").status_code == 403


def test_the_acting_page_calls_and_names_who_helps_whom(app, client, people):
    sandrine = people.coordinator("Sandrine Martin")
    hawa = people.member("Hawa Coulibaly", email=None)
    jean = people.member("Jean Martin")
    with app.app_context():
        db.session.get(Member, hawa.id).phone = "07 11 22 33 44"
        db.session.commit()
    login(client, jean)
    client.post(f"/exchanges/new?member={hawa.id}", data={
        "title": "Conduire Hawa à l'hôpital", "role": "provide", "hours": "2", "minutes": "0",
        "on_date": __import__("timebank.timeutil", fromlist=["utcnow"]).utcnow().date().isoformat()})
    login(client, sandrine)
    client.post(f"/coordination/members/{hawa.id}/brokered",
                data={"broker-reason": "Demandé au local", "broker-enable": "y"})
    response = client.get(f"/acting/{hawa.id}")
    assert 'href="tel:0711223344"' in response.get_data(as_text=True)
    page = text_of(response)
    assert "Jean Martin helps Hawa Coulibaly" in page
    assert "helps you" not in page and "You help" not in page


def test_after_saving_the_section_used_stays_open(client, cast):
    sandrine, amina, karim = cast
    login(client, sandrine)
    saved = client.post(f"/coordination/members/{amina.id}/notes", data={"body": "Appelée mardi."})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("?open=notes#notes")
    html = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert re.findall(r'<details class="file-section card" name="member-file" id="(\w+)" open', html) == ["notes"]
    assert "Appelée mardi." in html
