"""The coordinators' queues read one page from the database, not every waiting item, and keep their order."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.conftest import login, text_of
from timebank.extensions import db
from timebank.timeutil import utcnow

TODAY = utcnow().date()


def loaded(app, model, client, url: str, *, where=lambda row: True) -> int:
    """How many rows of ``model`` one page view reads out of the database."""
    seen = []

    def count(target, context):
        if where(target):
            seen.append(target)

    sa.event.listen(model, "load", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(model, "load", count)
    assert response.status_code == 200
    return len(seen)


def test_a_page_of_reports_reads_fifty_reports_not_all_of_them(app, client, people):
    from timebank.listings.models import Report

    sandrine = people.coordinator("Sandrine Martin")
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    with app.app_context():
        db.session.add_all(Report(reporter_id=amina.id, member_id=karim.id, reason=f"Signalement numéro {number}")
                           for number in range(120))
        db.session.commit()
    login(client, sandrine)

    assert loaded(app, Report, client, "/coordination/?reports=2") == 50
    last = text_of(client.get("/coordination/?reports=3"))
    assert "Reports 120" in last and "Page 3 of 3" in last and "Signalement numéro 119" in last
    assert "Signalement numéro 99 " not in last


def test_a_page_of_applications_reads_fifty_applicants_not_all_of_them(app, client, people):
    from timebank.members.models import Member, Status

    sandrine = people.coordinator("Sandrine Martin")
    for number in range(60):
        people.applicant(f"Candidate {number:02d}", email=f"candidate{number}@example.org")
    login(client, sandrine)

    pending = loaded(app, Member, client, "/coordination/", where=lambda m: m.status is Status.PENDING)

    assert pending == 50
    second = text_of(client.get("/coordination/?applications=2"))
    assert "Candidate 59" in second and "Candidate 09" not in second and "Page 2 of 2" in second


def test_hours_held_in_exchanges_and_group_sessions_are_one_queue_paged_oldest_first(app, client, people,
                                                                                      monkeypatch):
    """Three reservations held too long: Karim's for a workshop, Fatou's and Nadia's for exchanges; two a page."""
    from timebank.exchanges import groups
    from timebank.exchanges.models import Exchange, GroupSession
    from timebank.exchanges.proposals import exchange_accept, exchange_propose
    from timebank.exchanges.steps import Terms
    from timebank.members.models import Member

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    fatou, nadia = people.member("Fatou Ndiaye"), people.member("Nadia Haddad")
    sandrine = people.coordinator("Sandrine Martin")

    def held_exchange(payer, title):
        with app.test_request_context():
            exchange = exchange_propose(
                proposer=db.session.get(Member, payer.id), counterpart=db.session.get(Member, amina.id),
                proposer_provides=False, terms=Terms(title, 60, TODAY, None))
            exchange_accept(exchange=exchange, actor=db.session.get(Member, amina.id))
            db.session.get(Exchange, exchange.id).on_date = date(9999, 12, 31)
            db.session.commit()

    def held_workshop(member, title):
        with app.test_request_context():
            session = groups.group_create(provider=db.session.get(Member, amina.id), title=title, description="",
                                          on_date=TODAY + timedelta(days=2), at_time=None, share_minutes=60,
                                          max_participants=5)
            groups.group_join(session=session, member=db.session.get(Member, member.id))
            db.session.get(GroupSession, session.id).on_date = date(9999, 12, 31)
            db.session.commit()

    held_exchange(fatou, "Cours de français")
    held_workshop(karim, "Atelier couture")
    held_exchange(nadia, "Garde d'enfants")
    monkeypatch.setattr("timebank.coordination.queues.PER_PAGE", 2)
    login(client, sandrine)

    first = text_of(client.get("/coordination/")).split("Hours reserved for a long time 3", 2)[2]
    second = text_of(client.get("/coordination/?held=2")).split("Hours reserved for a long time 3", 2)[2]

    first, second = first.split("Applications waiting")[0], second.split("Applications waiting")[0]
    assert first.index("Cours de français") < first.index("Atelier couture") and "Garde d'enfants" not in first
    assert "1 h of Karim Benali held for Amina Diallo" in first and "Page 1 of 2" in first
    assert "Garde d'enfants" in second and "Cours de français" not in second and "Page 2 of 2" in second
