"""The partners in the impact report, and a partner's own report for Rachid, who represents Les Tilleuls Habitat.

This year, Les Tilleuls Habitat paid Amina 2 h for helping elderly tenants pack, and Karim 1 h that Sandrine
corrected to 30 min; it paid Omar 1 h that Sandrine reversed (he was reached by nothing). Its caretaker
fixed Fatou's door: she paid the partner 1 h 30. Amina and Hawa used the pool entry (1 h each) and Nour
booked one and cancelled it. Four residents reached: shown "< 5". The school (Lucie) did nothing.
"""
from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import login, text_of
from tests.factories import account, member
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.models import TransferKind
from timebank.partners import rewards, services
from timebank.partners.models import Partner, PartnerKind
from timebank.timeutil import utcnow


def _partner(admin, name, kind, representative):
    made = services.partner_create(actor=admin, fields=services.PartnerFields(name=name, kind=kind,
                                                                               descriptions={"fr": name}))
    services.partner_set_limits(actor=admin, partner=made, floor=-6000, ceiling=6000, reason="Convention")
    services.representative_add(actor=admin, partner=made, member=representative, reason="Nommé")
    return made


@pytest.fixture
def story(app, people):
    cast = {"claire": people.admin("Claire Dubois"), "sandrine": people.coordinator("Sandrine Martin"),
            "rachid": people.member("Rachid Amrani"), "lucie": people.member("Lucie Petit")}
    for name in ("Amina Diallo", "Karim Benali", "Omar Haddad", "Fatou Sow", "Hawa Coulibaly", "Nour Saleh"):
        cast[name.split()[0].lower()] = people.member(name)
    c = cast
    with app.test_request_context():
        claire, sandrine, rachid = member(c["claire"]), member(c["sandrine"]), member(c["rachid"])
        tilleuls = _partner(claire, "Les Tilleuls Habitat", PartnerKind.SOCIAL_LANDLORD, rachid)
        _partner(claire, "École Jules Ferry", PartnerKind.SCHOOL, member(c["lucie"]))
        own = tilleuls.account

        def pay(debit, credit, minutes, key, kind=TransferKind.EXCHANGE):
            return ledger.transfer_post(debit=debit, credit=credit, minutes=minutes, kind=kind, key=key, actor=rachid,
                                        memo="Cartons")

        pay(own, account(c["amina"]), 120, "t-amina")
        karim = pay(own, account(c["karim"]), 60, "t-karim", TransferKind.DIRECT)
        ledger.transfer_correct(transfer=karim, minutes=30, reason="Une demi-heure", key="fix-karim", actor=sandrine)
        omar = pay(own, account(c["omar"]), 60, "t-omar")
        ledger.transfer_correct(transfer=omar, minutes=0, reason="Pas venu", key="rev-omar", actor=sandrine)
        pay(account(c["fatou"]), db.session.get(Partner, tilleuls.id).account, 90, "t-fatou")
        pool = rewards.reward_create(actor=rachid, partner=db.session.get(Partner, tilleuls.id),
                                     fields=rewards.RewardFields(title="Entrée piscine", description="", minutes=60,
                                                                 places=5))
        bookings = {name: rewards.reward_book(member=member(c[name]), reward=pool, key=f"book-{name}")
                    for name in ("amina", "hawa", "nour")}
        for name in ("amina", "hawa"):
            rewards.booking_decide(actor=member(c["rachid"]), booking=bookings[name], used=True)
        rewards.booking_cancel(member=member(c["nour"]), booking=bookings["nour"])
        c["partner_id"], c["pool"] = tilleuls.id, pool.id
        db.session.commit()
    return c


def test_the_impact_report_has_a_partners_section(client, story):
    login(client, story["sandrine"])
    page = text_of(client.get("/admin/reports/"))
    # to the partner, by the partner, rewards used, hours spent on rewards, residents reached
    assert ("Partner Hours given to the partner Hours given by the partner Rewards used Hours spent on rewards "
            "Residents reached Les Tilleuls Habitat 2 h 30 min 1 h 30 min 2 2 h < 5") in page
    assert "École Jules Ferry" not in page  # nothing happened with the school this year
    response = client.get(f"/admin/reports/partners.csv?period=year&year={utcnow().year}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1:] == [["Les Tilleuls Habitat", "2.50", "1.50", "2", "2.00", "< 5"]]


def test_rachid_reads_his_partners_report_and_lucie_does_not(client, story):
    login(client, story["rachid"])
    manage = text_of(client.get(f"/partners/{story['partner_id']}/manage"))
    assert "See the partner's report" in manage
    page = text_of(client.get(f"/partners/{story['partner_id']}/report"))
    assert "Report of Les Tilleuls Habitat" in page
    assert ("Hours given to the partner 2 h 30 min Hours given by the partner 1 h 30 min Rewards used 2 "
            "Hours spent on rewards 2 h Residents reached < 5") in page
    csv_text = client.get(f"/partners/{story['partner_id']}/report.csv").get_data(as_text=True)
    assert "Les Tilleuls Habitat,2.50,1.50,2,2.00,< 5" in csv_text.replace('"', "")
    for other in ("lucie", "amina"):
        login(client, story[other])
        assert client.get(f"/partners/{story['partner_id']}/report").status_code == 403
        assert client.get(f"/partners/{story['partner_id']}/report.csv").status_code == 403


def test_five_residents_are_shown_as_five(app, client, story):
    with app.test_request_context():
        pool = db.session.get(rewards.Reward, story["pool"])
        booking = rewards.reward_book(member=member(story["nour"]), reward=pool, key="book-nour-again")
        rewards.booking_decide(actor=member(story["rachid"]), booking=booking, used=True)
    login(client, story["rachid"])
    page = text_of(client.get(f"/partners/{story['partner_id']}/report"))
    assert "Rewards used 3 Hours spent on rewards 3 h Residents reached 5" in page


def test_a_representative_removed_loses_the_report_at_once(app, client, story):
    login(client, story["rachid"])
    assert client.get(f"/partners/{story['partner_id']}/report").status_code == 200
    with app.test_request_context():
        services.representative_remove(actor=member(story["claire"]),
                                       partner=db.session.get(Partner, story["partner_id"]),
                                       member=member(story["rachid"]), reason="A quitté le bailleur")
    assert client.get(f"/partners/{story['partner_id']}/report").status_code == 403


def test_a_bad_period_is_a_clear_400(client, story):
    login(client, story["rachid"])
    response = client.get(f"/partners/{story['partner_id']}/report?period=month&year=1800&month=2")
    assert response.status_code == 400 and "Please give a year between" in text_of(response)
    assert client.get("/partners/999999/report").status_code == 404


def test_the_hours_of_a_project_the_partner_sponsors_are_hours_given_to_it(app, client, story):
    """Amina gives 1 h to the garden Les Tilleuls Habitat sponsors: 2 h 30 + 1 h given to the partner."""
    from tests.factories import category_id
    from timebank.projects import hours, services as projects

    with app.test_request_context():
        garden = projects.project_open(
            actor=member(story["rachid"]), partner=db.session.get(Partner, story["partner_id"]),
            fields=projects.ProjectFields(title="Jardin partagé", description="", goal_minutes=600),
            tasks=["Bêcher"], category_id=category_id("paperwork"))
        joined = projects.task_join(member=member(story["amina"]), task=projects.tasks_of(garden)[0], shown=False)
        stated = hours.hours_state(member=member(story["amina"]), participation=joined, minutes=60)
        hours.hours_confirm(actor=member(story["rachid"]), hours=stated)
    login(client, story["rachid"])
    page = text_of(client.get(f"/partners/{story['partner_id']}/report"))
    assert "Hours given to the partner 3 h 30 min Hours given by the partner 1 h 30 min" in page
    login(client, story["sandrine"])  # the impact report's projects table, on the page and as CSV
    assert "Hours given to each project Project Hours People taking part Jardin partagé 1 h < 5" in text_of(
        client.get("/admin/reports/"))
    response = client.get(f"/admin/reports/projects.csv?period=year&year={utcnow().year}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["Project", "Hours (decimal)", "People taking part"], ["Jardin partagé", "1.00", "< 5"]]
    login(client, story["rachid"])
    assert client.get(f"/admin/reports/projects.csv?period=year&year={utcnow().year}").status_code == 403
