"""Neighbourhood projects: residents give hours to the shared garden, and its sponsor gives them back."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import account, category_id, member
from timebank.errors import InvalidTransition, NotAllowed
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.errors import BelowFloor
from timebank.ledger.models import Transfer, TransferKind
from timebank.ledger.verify import ledger_verify
from timebank.notifications.models import Notification
from timebank.partners import services as partners
from timebank.partners.models import PartnerKind
from timebank.projects import hours, services
from timebank.projects.models import HoursState, ProjectHours
from timebank.projects.report import project_figures
from timebank.timeutil import utcnow


def open_garden(actor, partner=None, *, title="Jardin partagé des Tilleuls", goal_minutes=20 * 60):
    return services.project_open(actor=member(actor), partner=partner, fields=services.ProjectFields(
        title=title, description="Derrière le bâtiment B", goal_minutes=goal_minutes),
        tasks=["Bêcher les carrés", "Arroser le samedi"], category_id=category_id("paperwork"))


def say(resident, project, minutes, *, shown=False, key=None):
    task = services.tasks_of(project)[0]
    joined = services.task_join(member=member(resident), task=task, shown=shown)
    return hours.hours_state(member=member(resident), participation=joined, minutes=minutes, key=key)


@pytest.fixture
def tilleuls(ctx, people):
    """Les Tilleuls Habitat may give up to 3 h of its own (floor −3 h); Rachid represents it."""
    claire = people.admin("Claire Dubois")
    rachid = people.member("Rachid Amrani")
    partner = partners.partner_create(actor=member(claire), fields=partners.PartnerFields(
        name="Les Tilleuls Habitat", kind=PartnerKind.SOCIAL_LANDLORD, descriptions={}))
    partners.partner_set_limits(actor=member(claire), partner=partner, floor=-180, ceiling=6000, reason="Convention")
    partners.representative_add(actor=member(claire), partner=partner, member=member(rachid), reason="Référent")
    return {"claire": claire, "rachid": rachid, "partner": partner, "sandrine": people.coordinator("Sandrine Martin"),
            "amina": people.member("Amina Diallo"), "karim": people.member("Karim Benali")}


def test_a_partners_project_pays_the_residents_hours_from_the_partners_account(tilleuls):
    garden = open_garden(tilleuls["rachid"], tilleuls["partner"])
    stated = say(tilleuls["amina"], garden, 120, shown=True)

    hours.hours_confirm(actor=member(tilleuls["rachid"]), hours=stated)

    assert ledger.balance_of(account(tilleuls["amina"])).posted == 120
    assert tilleuls["partner"].account.posted == -120
    [line] = ledger.statement(account=account(tilleuls["amina"])).lines
    assert line.minutes == 120 and line.transfer.kind is TransferKind.PROJECT
    assert ledger.account_label(line.counterpart) == "Les Tilleuls Habitat"
    assert line.transfer.memo == "Jardin partagé des Tilleuls — Bêcher les carrés"
    assert services.tasks_of(garden)[0].type.value == "request"
    assert hours.progress(garden) == {"given": 120, "goal": 1200, "people": 1, "percent": 10}
    assert hours.shown_names(garden) == ["Amina Diallo"]
    assert db.session.scalar(sa.select(Notification.kind).where(
        Notification.member_id == tilleuls["amina"].id)) == "project_hours_confirmed"
    assert ledger_verify().ok


def test_a_coordinators_project_pays_from_the_community_account(tilleuls):
    community = ledger.community_account()
    ledger.transfer_post(debit=account(tilleuls["karim"]), credit=community, minutes=300, kind=TransferKind.DONATION,
                         key="don", actor=member(tilleuls["karim"]))
    garden = open_garden(tilleuls["sandrine"])
    before = ledger.community_account().posted

    hours.hours_confirm(actor=member(tilleuls["sandrine"]), hours=say(tilleuls["amina"], garden, 90))

    assert ledger.community_account().posted == before - 90
    assert ledger.balance_of(account(tilleuls["amina"])).posted == 90
    assert hours.shown_names(garden) == []  # she did not agree to be shown


def test_the_sponsors_floor_stops_the_payment_with_a_clear_message_and_nothing_is_written(tilleuls):
    garden = open_garden(tilleuls["rachid"], tilleuls["partner"])
    hours.hours_confirm(actor=member(tilleuls["rachid"]), hours=say(tilleuls["amina"], garden, 120))
    too_much = say(tilleuls["karim"], garden, 120)
    transfers = db.session.scalar(sa.select(sa.func.count()).select_from(Transfer))

    with pytest.raises(BelowFloor) as refused:
        hours.hours_confirm(actor=member(tilleuls["rachid"]), hours=too_much)

    message = str(refused.value.message)
    assert message.startswith("Les Tilleuls Habitat can give at most 1 h now: the account cannot go below")
    assert "3 h" in message.rsplit("below", 1)[1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == transfers
    assert db.session.get(ProjectHours, too_much.id).state is HoursState.STATED
    assert ledger.balance_of(account(tilleuls["karim"])).posted == 0


def test_confirming_twice_posts_once(tilleuls):
    garden = open_garden(tilleuls["rachid"], tilleuls["partner"])
    stated = say(tilleuls["amina"], garden, 60)

    hours.hours_confirm(actor=member(tilleuls["rachid"]), hours=stated, key="k1")
    hours.hours_confirm(actor=member(tilleuls["rachid"]), hours=stated, key="k1")  # the same form again
    with pytest.raises(InvalidTransition):
        hours.hours_confirm(actor=member(tilleuls["sandrine"]), hours=stated, key="k2")  # another manager, later

    assert ledger.balance_of(account(tilleuls["amina"])).posted == 60
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer).where(
        Transfer.kind == TransferKind.PROJECT)) == 1


def test_only_coordinators_and_current_representatives_open_and_confirm(tilleuls, people):
    lucie = people.member("Lucie Petit")
    with pytest.raises(NotAllowed):
        open_garden(lucie, tilleuls["partner"])
    with pytest.raises(NotAllowed):
        open_garden(tilleuls["rachid"])  # a representative opens for her partner, not for the community account
    garden = open_garden(tilleuls["rachid"], tilleuls["partner"])
    stated = say(tilleuls["amina"], garden, 60)
    with pytest.raises(NotAllowed):
        hours.hours_confirm(actor=member(lucie), hours=stated)
    with pytest.raises(NotAllowed):
        hours.hours_confirm(actor=member(tilleuls["amina"]), hours=stated)  # not her own hours

    partners.representative_remove(actor=member(tilleuls["claire"]), partner=tilleuls["partner"],
                                   member=member(tilleuls["rachid"]), reason="A quitté le bailleur")
    with pytest.raises(NotAllowed):
        hours.hours_confirm(actor=member(tilleuls["rachid"]), hours=stated)
    assert ledger.balance_of(account(tilleuls["amina"])).posted == 0


def test_a_suspended_partners_project_is_hidden_and_its_hours_are_not_paid(tilleuls):
    garden = open_garden(tilleuls["rachid"], tilleuls["partner"])
    stated = say(tilleuls["amina"], garden, 60)
    partners.partner_set_suspended(actor=member(tilleuls["claire"]), partner=tilleuls["partner"], suspended=True,
                                   reason="Convention terminée")

    assert services.projects_list(viewer=member(tilleuls["amina"])) == []
    from timebank.listings.services import listings_search  # nor are its tasks among the listings

    tasks = {task.id for task in services.tasks_of(garden)}
    assert not tasks & {listing.id for listing in listings_search(per_page=100).listings}
    with pytest.raises(NotAllowed):
        hours.hours_confirm(actor=member(tilleuls["sandrine"]), hours=stated)
    assert ledger.balance_of(account(tilleuls["amina"])).posted == 0


def test_declining_says_why_and_moves_nothing(tilleuls):
    garden = open_garden(tilleuls["rachid"], tilleuls["partner"])
    stated = say(tilleuls["amina"], garden, 60)

    hours.hours_decline(actor=member(tilleuls["rachid"]), hours=stated, reason="Le jardin était fermé ce jour-là")

    assert db.session.get(ProjectHours, stated.id).state is HoursState.DECLINED
    assert ledger.balance_of(account(tilleuls["amina"])).posted == 0
    assert hours.progress(garden)["given"] == 0


def test_a_closed_project_closes_its_tasks_and_takes_no_one_new(tilleuls):
    garden = open_garden(tilleuls["rachid"], tilleuls["partner"])
    services.project_close(actor=member(tilleuls["rachid"]), project=garden)

    assert {task.status.value for task in services.tasks_of(garden)} == {"closed"}
    with pytest.raises(InvalidTransition):
        services.task_join(member=member(tilleuls["amina"]), task=services.tasks_of(garden)[0], shown=False)


def test_the_report_counts_each_projects_hours_and_keeps_small_groups_hidden(tilleuls):
    garden = open_garden(tilleuls["rachid"], tilleuls["partner"])
    hours.hours_confirm(actor=member(tilleuls["rachid"]), hours=say(tilleuls["amina"], garden, 60))
    hours.hours_confirm(actor=member(tilleuls["rachid"]), hours=say(tilleuls["karim"], garden, 30))
    today = utcnow().date()

    [row] = project_figures(start=today, end=today)

    assert (row.title, row.minutes, row.people.count, row.people.hidden) == ("Jardin partagé des Tilleuls", 90, 2,
                                                                            True)
