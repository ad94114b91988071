"""What a coordinator may do to whom: members yes; another coordinator or an admin, only an admin; herself, nobody."""
import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.factories import account
from timebank.coordination.models import MemberWarning, Verification
from timebank.extensions import db
from timebank.ledger.verify import ledger_verify
from timebank.members.models import Member

ADMIN_ONLY = "Only an admin can do this for a coordinator or an admin."
NOT_ONESELF = "Another coordinator must do this for you: nobody changes this for themselves."


@pytest.fixture
def cast(people):
    return (people.coordinator("Sandrine Martin"), people.coordinator("Paul Girard"), people.admin("Claire Dubois"),
            people.member("Amina Diallo"))


def _state(app, resident) -> dict:
    with app.app_context():
        member = db.session.get(Member, resident.id)
        return {"status": member.status.value, "brokered": member.brokered, "helper": member.helper_id,
                "verified": member.verified_at is not None, "password": member.password_hash,
                "limits": (account(resident).floor, account(resident).ceiling),
                "warnings": db.session.scalar(sa.select(sa.func.count()).select_from(MemberWarning)
                                              .where(MemberWarning.member_id == resident.id)),
                "verifications": db.session.scalar(sa.select(sa.func.count()).select_from(Verification)
                                                   .where(Verification.member_id == resident.id))}


STEPS = {
    "status": {"status-reason": "Plainte", "status-suspend": "y"},
    "warn": {"warn-body": "Dernier avertissement", "warn-warn": "y"},
    "limits": {"limits-floor_hours": "-1000", "limits-ceiling_hours": "40", "limits-reason": "Pourquoi pas"},
    "verify": {"verify-checked": "Pièce d'identité vue", "verify-verify": "y"},
    "brokered": {"broker-reason": "Demandé", "broker-enable": "y"},
    "password": {},
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_coordinator_cannot_act_on_another_coordinator_or_an_admin(app, client, people, cast, step):
    sandrine, paul, claire, amina = cast
    login(client, sandrine)
    for target in (paul, claire):
        before = _state(app, target)
        refused = client.post(f"/coordination/members/{target.id}/{step}", data=STEPS[step])
        assert refused.status_code == 403, (step, target.name)
        assert ADMIN_ONLY in text_of(refused)
        assert _state(app, target) == before
    assert not [mail for mail in people.outbox() if mail.to in (paul.email, claire.email)]
    # The page she reads about Paul offers none of it.
    page = text_of(client.get(f"/coordination/members/{paul.id}"))
    for button in ("Suspend the membership", "Send the warning", "Change the limits", "Verify this member",
                   "Name this helper", "New temporary password"):
        assert button not in page


def test_a_coordinator_cannot_name_a_helper_for_another_coordinator(app, client, cast):
    sandrine, paul, claire, amina = cast
    login(client, sandrine)
    refused = client.post(f"/coordination/members/{paul.id}/helper", data={
        "helper-number": str(amina.number), "helper-reason": "Il l'a demandé", "helper-name": "y"})
    assert refused.status_code == 403 and ADMIN_ONLY in text_of(refused)
    assert _state(app, paul)["helper"] is None


def test_an_admin_keeps_the_power_over_coordinators(app, client, people, cast):
    sandrine, paul, claire, amina = cast
    login(client, claire)
    assert client.post(f"/coordination/members/{paul.id}/warn", data=STEPS["warn"]).status_code == 303
    assert client.post(f"/coordination/members/{paul.id}/limits", data={
        "limits-floor_hours": "-20", "limits-ceiling_hours": "40", "limits-reason": "Accord du bureau"}
    ).status_code == 303
    assert client.post(f"/coordination/members/{paul.id}/status", data=STEPS["status"]).status_code == 303
    assert _state(app, paul)["status"] == "suspended" and _state(app, paul)["limits"][0] == -1200


def test_nobody_changes_their_own_limits(app, client, people, cast):
    sandrine, paul, claire, amina = cast
    for who in (sandrine, claire):
        login(client, who)
        before = _state(app, who)
        refused = client.post(f"/coordination/members/{who.id}/limits", data=STEPS["limits"])
        assert refused.status_code == 403 and NOT_ONESELF in text_of(refused)
        assert _state(app, who) == before
        assert "Change the limits" not in text_of(client.get(f"/coordination/members/{who.id}"))
    # So Sandrine cannot spend 1 000 hours she does not have: her floor is the usual one.
    login(client, sandrine)
    response = client.post("/give", data={"to": str(amina.id), "hours": "20", "minutes": "0", "memo": "Merci",
                                          "key": "k1", "confirm": "yes"})
    assert response.status_code == 409
    with app.app_context():
        assert account(sandrine).posted == 0 and ledger_verify().ok


def test_a_coordinator_cannot_give_a_member_with_e_mail_a_password_she_does_not_know_of(app, client, people,
                                                                                           cast):
    sandrine, paul, claire, amina = cast
    login(client, sandrine)
    before = _state(app, amina)["password"]
    refused = client.post(f"/coordination/members/{amina.id}/password")
    assert refused.status_code == 403
    assert "Amina Diallo has an e-mail address: she chooses a new password herself" in text_of(refused)
    assert _state(app, amina)["password"] == before
    assert "New temporary password" not in text_of(client.get(f"/coordination/members/{amina.id}"))
    client.post("/logout")
    assert client.post("/login", data={"identifier": amina.email, "password": amina.password}).status_code == 302


def test_a_coordinator_cannot_name_herself_trusted_helper(app, client, people, cast):
    sandrine, paul, claire, amina = cast
    login(client, sandrine)
    refused = client.post(f"/coordination/members/{amina.id}/helper", data={
        "helper-number": str(sandrine.number), "helper-reason": "Elle me l'a demandé", "helper-name": "y"})
    assert refused.status_code == 403
    assert "You cannot name yourself as trusted helper" in text_of(refused)
    assert _state(app, amina)["helper"] is None
    assert not [mail for mail in people.outbox() if mail.subject == "You are a trusted helper"]
