"""A sewing workshop: Fatou teaches, four neighbours join and each gives 1 h; all shares move together."""
from datetime import timedelta

import pytest

from tests.factories import account, member
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.exchanges import groups
from timebank.exchanges.models import GroupSession, GroupState
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.verify import ledger_verify
from timebank.members.models import Status
from timebank.timeutil import utcnow

TODAY = utcnow().date()


@pytest.fixture
def fatou(ctx, people):
    return people.member("Fatou Ndiaye")


@pytest.fixture
def neighbours(ctx, people):
    return [people.member(name) for name in ("Amina Diallo", "Karim Benali", "Samira Bouzid", "Hamid Cherif")]


def workshop(fatou, *, places=3, on=TODAY):
    return groups.group_create(provider=member(fatou), title="Atelier couture", description="Ourlets et boutons",
                               on_date=on, at_time=None, share_minutes=60, max_participants=places)


def posted(resident):
    return ledger.balance_of(account(resident)).posted


def test_shares_are_reserved_then_all_posted_together(fatou, neighbours):
    session = workshop(fatou)
    for resident in neighbours[:3]:
        groups.group_join(session=session, member=member(resident))
    with pytest.raises(InvalidTransition):
        groups.group_join(session=session, member=member(neighbours[3]))  # full
    assert ledger.balance_of(account(fatou)).reserved_to_receive == 180

    groups.group_complete(session=session, actor=member(fatou))

    assert posted(fatou) == 180
    assert [posted(r) for r in neighbours[:3]] == [-60, -60, -60]
    assert db.session.get(GroupSession, session.id).state is GroupState.COMPLETED
    assert ledger_verify().problems == []


def test_all_or_nothing_when_one_share_cannot_move(fatou, neighbours):
    session = workshop(fatou)
    for resident in neighbours[:2]:
        groups.group_join(session=session, member=member(resident))
    member(neighbours[1]).status = Status.SUSPENDED
    db.session.commit()

    with pytest.raises(DomainError) as refused:
        groups.group_complete(session=session, actor=member(fatou))

    assert "Nothing was posted: the share of Karim Benali cannot move" in str(refused.value.message)
    db.session.rollback()
    assert posted(fatou) == 0 and posted(neighbours[0]) == 0
    assert ledger_verify().problems == []
    groups.group_leave(session=session, actor=member(fatou), member=member(neighbours[1]))
    groups.group_complete(session=session, actor=member(fatou))
    assert posted(fatou) == 60


def test_leaving_and_cancelling_release_the_hours(fatou, neighbours):
    session = workshop(fatou)
    for resident in neighbours[:2]:
        groups.group_join(session=session, member=member(resident))
    groups.group_leave(session=session, actor=member(neighbours[0]), member=member(neighbours[0]))
    groups.group_join(session=session, member=member(neighbours[0]))  # she changed her mind again
    groups.group_cancel(session=session, actor=member(fatou))
    assert ledger.balance_of(account(fatou)).reserved_to_receive == 0
    assert all(ledger.balance_of(account(r)).reserved_to_pay == 0 for r in neighbours)
    assert ledger_verify().problems == []


def test_only_the_right_people_take_each_step(fatou, neighbours):
    session = workshop(fatou, on=TODAY + timedelta(days=2))
    groups.group_join(session=session, member=member(neighbours[0]))
    with pytest.raises(NotAllowed):
        groups.group_join(session=session, member=member(fatou))
    with pytest.raises(NotAllowed):
        groups.group_complete(session=session, actor=member(neighbours[0]))
    with pytest.raises(NotAllowed):
        groups.group_leave(session=session, actor=member(neighbours[1]), member=member(neighbours[0]))
    with pytest.raises(InvalidTransition):
        groups.group_complete(session=session, actor=member(fatou))  # not yet
    with pytest.raises(InvalidTransition):
        groups.group_join(session=session, member=member(neighbours[0]))  # twice


def test_a_bad_session_is_refused(fatou):
    with pytest.raises(DomainError):
        groups.group_create(provider=member(fatou), title="", description="", on_date=TODAY, at_time=None,
                            share_minutes=60, max_participants=3)
    with pytest.raises(DomainError):
        groups.group_create(provider=member(fatou), title="Atelier", description="", on_date=TODAY, at_time=None,
                            share_minutes=7, max_participants=3)
    with pytest.raises(DomainError):
        groups.group_create(provider=member(fatou), title="Atelier", description="",
                            on_date=TODAY - timedelta(days=1), at_time=None, share_minutes=60, max_participants=3)
