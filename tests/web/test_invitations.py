"""Claire (admin) makes invitation links for a number of people and a time, sees them, and withdraws one."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import audit_text, login, text_of
from timebank.extensions import db
from timebank.members.invitations import Invitation
from timebank.members.models import Member


@pytest.fixture
def claire(people):
    return people.admin("Claire Dubois")


def _make(client, **fields) -> str:
    response = client.post("/admin/people/invitations", data={"note": "Atelier couture du mardi", "uses": "1",
                                                               "days": "14", **fields})
    assert response.status_code == 200, text_of(response)
    return re.search(r"invite=([A-Za-z0-9_\-]+)", response.get_data(as_text=True)).group(1)


def _join(app, token: str, name: str):
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return visitor.post(f"/register?invite={token}", data={
        "display_name": name, "email": f"{name.split()[0].lower()}@example.org", "password": "un mot de passe long",
        "locale": "en", "area": "Centre", "languages": ["fr"], "charter": "y"})


def _status(app, name: str) -> str | None:
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.display_name == name))
        return member.status.value if member else None


def test_an_invitation_link_lets_in_as_many_people_as_the_admin_chose_then_says_so(app, client, people, claire):
    login(client, claire)
    token = _make(client, uses="2")
    assert _join(app, token, "Hawa Coulibaly").status_code == 303
    assert _join(app, token, "Binta Kane").status_code == 303
    third = _join(app, token, "Oumar Sy")
    assert third.status_code == 403
    assert "already been used by as many people as it was made for" in text_of(third)
    assert _status(app, "Oumar Sy") is None
    page = text_of(client.get("/admin/people"))
    assert "Atelier couture du mardi Claire Dubois" in page and "0 of 2 Used up" in page


def test_who_joins_by_a_link_waits_for_approval_unless_the_admin_chose_otherwise(app, client, people, claire):
    login(client, claire)
    waiting = _make(client)
    assert _join(app, waiting, "Hawa Coulibaly").status_code == 303
    assert _status(app, "Hawa Coulibaly") == "pending"
    at_once = _make(client, approve_at_once="y")
    assert _join(app, at_once, "Binta Kane").status_code == 303
    assert _status(app, "Binta Kane") == "active"
    assert "approved at once" in text_of(client.get("/admin/people"))


def test_a_withdrawn_or_expired_link_gives_a_clear_page(app, client, people, claire):
    login(client, claire)
    withdrawn, expired = _make(client, uses="10"), _make(client, uses="10", days="1")
    with app.app_context():
        ids = db.session.scalars(sa.select(Invitation.id).order_by(Invitation.id)).all()
        db.session.get(Invitation, ids[1]).expires_at -= timedelta(days=2)
        db.session.commit()
    client.post(f"/admin/people/invitations/{ids[0]}/revoke")
    assert "revoked an invitation link" in audit_text(client, "invitation_revoked")
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = visitor.get(f"/register?invite={withdrawn}")
    assert page.status_code == 403 and "This invitation link was withdrawn by the association." in text_of(page)
    page = visitor.get(f"/register?invite={expired}")
    assert page.status_code == 403 and "This invitation link has expired." in text_of(page)
    assert _join(app, withdrawn, "Hawa Coulibaly").status_code == 403
    assert _status(app, "Hawa Coulibaly") is None
    listing = text_of(client.get("/admin/people"))
    assert "Withdrawn" in listing and "Expired" in listing


def test_only_admins_make_or_withdraw_links_and_within_bounds(app, client, people, claire):
    karim = people.coordinator("Karim Benali")
    login(client, claire)
    too_many = client.post("/admin/people/invitations", data={"note": "Fête", "uses": "500", "days": "14"})
    assert too_many.status_code == 422 and "between 1 and 50" in text_of(too_many)
    _make(client)
    with app.app_context():
        invitation_id = db.session.scalar(sa.select(Invitation.id))
    login(client, karim)
    assert client.post(f"/admin/people/invitations/{invitation_id}/revoke").status_code == 403
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is None


def test_two_people_opening_the_last_use_of_a_link_at_once_let_in_only_one(app, client, people, claire):
    import threading

    login(client, claire)
    token = _make(client, uses="1", approve_at_once="y")
    start, answers = threading.Barrier(2), []

    def join(name):
        start.wait()
        answers.append(_join(app, token, name).status_code)

    threads = [threading.Thread(target=join, args=(name,)) for name in ("Hawa Coulibaly", "Binta Kane")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    joined = [name for name in ("Hawa Coulibaly", "Binta Kane") if _status(app, name) is not None]
    assert len(joined) == 1 and sorted(answers)[0] == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Invitation.uses)) == 1
