"""A sentence about the community account or the timebank starts with a capital, in English and in French.

Such sentences are written whole for each kind of account, never a lower-case label glued to the front.
"""
import re

import pytest

from tests.conftest import login, text_of
from tests.factories import member
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.errors import AboveCeiling, BelowFloor
from timebank.ledger.models import TransferKind


@pytest.fixture
def pot(app, people):
    """Karim gave 3 h to the community account."""
    karim = people.member("Karim Benali")
    with app.test_request_context():
        from timebank.giving.services import give_time

        give_time(giver=member(karim), recipient=None, minutes=180, memo="", key="don")
    return karim


@pytest.mark.parametrize(("locale", "subject", "body"), [
    ("en", "The community account gave you 1 h 30 min", "The community account gave you 1 h 30 min."),
    ("fr", "Bonne nouvelle : le pot commun vous a donné 1 h 30", "Bonne nouvelle : le pot commun vous a donné 1 h 30."),
])
def test_the_mail_of_a_grant_names_the_community_account_properly(app, client, people, pot, locale, subject, body):
    claire = people.admin("Claire Dubois")
    nadia = people.member("Nadia Haddad", locale=locale)
    login(client, claire)  # Claire reads the admin pages in English, whatever Nadia reads

    page = client.get("/admin/").get_data(as_text=True)
    key = re.search(r'name="grant-key" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/admin/community-grant", data={"grant-key": key, "grant-member": str(nadia.id), "grant-hours": "1",
                                                "grant-minutes": "30", "grant-reason": "Aide après l'incendie"})

    mail = people.outbox(to=nadia.email)[-1]
    assert mail.subject == subject
    assert body in mail.body


def test_a_coordinator_reads_community_account_in_a_statement_acted_for(app, client, people, pot):
    sandrine = people.coordinator("Sandrine Martin")
    hawa = people.member("Hawa Coulibaly", email=None)
    login(client, sandrine)
    client.post(f"/coordination/members/{hawa.id}/brokered",
                data={"broker-reason": "Demandé au local", "broker-enable": "y"})
    with app.app_context():
        ledger.transfer_post(debit=ledger.community_account(), credit=ledger.account_of(member(hawa)), minutes=60,
                             kind=TransferKind.GRANT, key="grant-hawa", actor=member(sandrine), memo="Aide")

    page = text_of(client.get(f"/acting/{hawa.id}"))

    assert "Community account Aide" in page
    assert "the timebank" not in page


@pytest.mark.parametrize(("language", "floor", "ceiling"), [
    ("en", "The community account can give at most 3 h now: it cannot go below 0 h.",
     "The community account can receive at most 1 h more now: it cannot go above 4 h."),
    ("fr", "Pour le moment, le pot commun peut donner au maximum 3 h : il ne peut pas descendre sous 0 h.",
     "Pour le moment, le pot commun peut encore recevoir au maximum 1 h : il ne peut pas dépasser 4 h."),
])
def test_limits_of_the_community_account_read_as_whole_sentences(app, people, pot, language, floor, ceiling):
    nadia = people.member("Nadia Haddad")
    with app.test_request_context(f"/?lang={language}"):
        community, account = ledger.community_account(), ledger.account_of(member(nadia))
        with pytest.raises(BelowFloor) as too_much:
            ledger.transfer_check(debit=community, credit=account, minutes=195, actor=None)
        community.ceiling = 4 * 60
        with pytest.raises(AboveCeiling) as too_full:
            ledger.transfer_check(debit=account, credit=community, minutes=75, actor=None)
        assert str(too_much.value.message).replace("\u2068", "").replace("\u2069", "") == floor  # isolates aside
        assert str(too_full.value.message) == ceiling
        db.session.rollback()


@pytest.mark.parametrize(("language", "floor"), [
    ("en", "The timebank can give at most 2 h now: its account cannot go below −2 h."),
    ("fr", "Pour le moment, la banque de temps peut donner au maximum 2 h : son compte ne peut pas descendre "
           "sous −2 h."),
])
def test_limits_of_the_timebank_account_read_as_whole_sentences(app, people, language, floor):
    nadia = people.member("Nadia Haddad")
    with app.test_request_context(f"/?lang={language}"):
        system = ledger.system_account()
        system.floor = -120
        with pytest.raises(BelowFloor) as too_much:
            ledger.transfer_check(debit=system, credit=ledger.account_of(member(nadia)), minutes=135, actor=None)
        assert str(too_much.value.message).replace("\u2068", "").replace("\u2069", "") == floor  # isolates aside
        db.session.rollback()
