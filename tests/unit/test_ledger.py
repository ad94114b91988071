"""The hour ledger's rules, told with Amina, Karim and the others."""
from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from tests.factories import account, member
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.errors import (
    AboveCeiling,
    AccountFrozen,
    AlreadyResolved,
    BelowFloor,
    IdempotencyConflict,
    InvalidAmount,
    ReasonRequired,
    SameAccount,
)
from timebank.ledger.models import Transfer, TransferKind, TransferState
from timebank.ledger.verify import ledger_verify
from timebank.members.models import Status
from timebank.errors import NotAllowed

keys = (f"key-{n}" for n in itertools.count())


def give(payer, payee, minutes, *, kind=TransferKind.DIRECT, key=None, actor=None, memo=""):
    return ledger.transfer_post(debit=account(payer), credit=account(payee), minutes=minutes, kind=kind,
                                key=key or next(keys), actor=member(actor or payer), memo=memo)


def reserve(payer, payee, minutes, *, key=None):
    return ledger.transfer_reserve(debit=account(payer), credit=account(payee), minutes=minutes,
                                   kind=TransferKind.EXCHANGE, key=key or next(keys), actor=member(payer))


def balance(resident):
    return ledger.balance_of(account(resident))


@pytest.fixture
def amina(ctx, people):
    return people.member("Amina Diallo")


@pytest.fixture
def karim(ctx, people):
    return people.member("Karim Benali")


@pytest.fixture
def sandrine(ctx, people):
    return people.coordinator("Sandrine Martin")


def assert_clean():
    report = ledger_verify()
    assert report.problems == []


def test_karim_gives_amina_ninety_minutes_of_french_lessons(amina, karim):
    transfer = give(karim, amina, 90, memo="French lessons")

    assert (balance(karim).posted, balance(amina).posted) == (-90, 90)
    assert transfer.state is TransferState.POSTED
    assert (transfer.debit_balance_after, transfer.credit_balance_after) == (-90, 90)
    assert_clean()


def test_every_new_member_account_starts_with_the_default_limits(amina):
    assert (balance(amina).floor, balance(amina).ceiling) == (-600, 2400)
    assert balance(amina).can_give == 600
    assert balance(amina).can_receive == 2400


@pytest.mark.parametrize(("minutes", "message"), [
    (0, "Please give a duration of at least 15 min."),
    (-60, "Please give a duration of at least 15 min."),
    (7, "Durations go in steps of 15 min, for example 1 h 15 min."),
    (24 * 60 + 15, "At most 24 h in one transfer."),
    (10_000 * 60, "At most 24 h in one transfer."),
])
def test_impossible_amounts_are_refused(amina, karim, minutes, message):
    account(karim).floor = -100 * 60  # room enough: only the size of one transfer stops 24 h 15
    db.session.commit()
    with pytest.raises(InvalidAmount) as refused:
        give(karim, amina, minutes)
    assert message in str(refused.value.message)
    assert balance(karim).posted == 0 and balance(amina).posted == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == 0


def test_step_and_maximum_come_from_the_settings(make_app, people):
    app = make_app(TIMEBANK_LEDGER_STEP=30, TIMEBANK_LEDGER_MAX_TRANSFER=120)
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    with app.app_context():
        with pytest.raises(InvalidAmount):
            give(karim, amina, 45)
        with pytest.raises(InvalidAmount):
            give(karim, amina, 150)
        give(karim, amina, 120)


def test_nobody_gives_to_themselves(amina):
    with pytest.raises(SameAccount):
        give(amina, amina, 60)


def test_floor_counts_reserved_hours(amina, karim):
    give(karim, amina, 8 * 60)  # Karim is at −8 h, floor −10 h
    reserve(karim, amina, 90)  # 1 h 30 reserved: 30 min left before the floor

    with pytest.raises(BelowFloor) as refused:
        give(karim, amina, 60, actor=karim)

    assert "You can give at most 30 min now: your account cannot go below \u2068−10 h\u2069." in str(refused.value.message)
    assert balance(karim).available == -8 * 60 - 90
    give(karim, amina, 30)
    with pytest.raises(BelowFloor) as refused:
        give(karim, amina, 15)
    assert "You cannot give hours just now" in str(refused.value.message)


def test_ceiling_counts_hours_reserved_to_receive(people, ctx, amina):
    account(amina).ceiling = 150
    db.session.commit()
    donors = [people.member(name) for name in ("Karim Benali", "Fatou Ndiaye")]
    reserve(donors[0], amina, 60)

    coordinator = people.coordinator("Sandrine Martin")
    with pytest.raises(AboveCeiling) as refused:
        give(donors[1], amina, 120, actor=coordinator)  # a coordinator may know Amina's room

    assert "Amina Diallo can receive at most 1 h 30 min more" in str(refused.value.message)
    give(donors[1], amina, 90)
    assert_clean()


def test_a_member_refused_by_another_members_ceiling_does_not_learn_her_balance(people, ctx, amina):
    account(amina).ceiling = 150
    db.session.commit()
    karim = people.member("Karim Benali")

    with pytest.raises(AboveCeiling) as refused:
        give(karim, amina, 180)

    message = str(refused.value.message)
    assert "Amina Diallo cannot receive this many hours just now" in message
    assert "2 h 30" not in message and "150" not in message
    assert_clean()


@pytest.mark.parametrize("status", [Status.PENDING, Status.SUSPENDED, Status.DECLINED])
def test_a_frozen_account_cannot_move(ctx, people, amina, status):
    hamid = people.member("Hamid Cherif")
    member(hamid).status = status
    db.session.commit()

    with pytest.raises(AccountFrozen) as refused:
        give(amina, hamid, 60)
    assert "The account of Hamid Cherif is not active" in str(refused.value.message)
    with pytest.raises(AccountFrozen):
        give(hamid, amina, 60)


def test_reserve_then_post_fewer_minutes_releases_the_rest(amina, karim):
    pending = reserve(karim, amina, 120)
    assert (balance(karim).reserved_to_pay, balance(amina).reserved_to_receive) == (120, 120)
    assert balance(karim).posted == 0 and balance(karim).available == -120

    posting = ledger.transfer_post_pending(pending=pending, minutes=90, key="post-1", actor=member(amina))

    assert posting.pending_id == pending.id and posting.minutes == 90
    assert db.session.get(Transfer, pending.id).state is TransferState.POSTED
    assert db.session.get(Transfer, pending.id).minutes == 120  # never rewritten
    assert (balance(karim).posted, balance(karim).reserved_to_pay) == (-90, 0)
    assert (balance(amina).posted, balance(amina).reserved_to_receive) == (90, 0)
    assert_clean()


def test_a_reservation_resolves_only_once(amina, karim):
    pending = reserve(karim, amina, 60)
    ledger.transfer_post_pending(pending=pending, key="post-1", actor=member(amina))

    with pytest.raises(AlreadyResolved):
        ledger.transfer_post_pending(pending=pending, key="post-2", actor=member(amina))
    with pytest.raises(AlreadyResolved):
        ledger.transfer_void(pending=pending, actor=member(amina))
    assert balance(karim).posted == -60
    assert_clean()


def test_posting_more_than_reserved_is_refused(amina, karim):
    pending = reserve(karim, amina, 60)
    with pytest.raises(InvalidAmount):
        ledger.transfer_post_pending(pending=pending, minutes=75, key="post-1", actor=member(amina))
    assert balance(karim).reserved_to_pay == 60


def test_voiding_releases_the_reservation_and_twice_is_harmless(amina, karim):
    pending = reserve(karim, amina, 60)
    ledger.transfer_void(pending=pending, actor=member(karim))
    ledger.transfer_void(pending=pending, actor=member(karim))

    assert (balance(karim).reserved_to_pay, balance(amina).reserved_to_receive) == (0, 0)
    assert db.session.get(Transfer, pending.id).state is TransferState.VOIDED
    with pytest.raises(AlreadyResolved):
        ledger.transfer_post_pending(pending=pending, key="post-1", actor=member(amina))
    assert_clean()


def test_a_suspended_member_reservation_can_still_be_released(amina, karim):
    pending = reserve(karim, amina, 60)
    member(karim).status = Status.SUSPENDED
    db.session.commit()

    ledger.transfer_void(pending=pending, actor=None)

    assert balance(karim).reserved_to_pay == 0


def test_same_key_same_content_returns_the_first_transfer(amina, karim):
    first = give(karim, amina, 60, key="form-123")
    again = give(karim, amina, 60, key="form-123")

    assert again.id == first.id
    assert balance(amina).posted == 60


def test_same_key_different_content_is_refused(amina, karim):
    give(karim, amina, 60, key="form-123")
    with pytest.raises(IdempotencyConflict):
        give(karim, amina, 90, key="form-123")
    with pytest.raises(IdempotencyConflict):
        give(amina, karim, 60, key="form-123")
    assert balance(amina).posted == 60


def test_a_replay_is_answered_even_when_the_balance_no_longer_allows_it(amina, karim):
    give(karim, amina, 600, key="big")  # Karim reaches his floor
    assert give(karim, amina, 600, key="big").minutes == 600
    assert balance(karim).posted == -600


def test_reversal_undoes_a_transfer_with_a_new_one(amina, karim, sandrine):
    original = give(karim, amina, 90)

    reversal = ledger.transfer_correct(transfer=original, minutes=0, reason="Recorded twice by mistake",
                                       key="fix-1", actor=member(sandrine))

    assert reversal.kind is TransferKind.REVERSAL and reversal.corrects_id == original.id
    assert (reversal.debit_account_id, reversal.credit_account_id) == (account(amina).id, account(karim).id)
    assert reversal.memo == "Recorded twice by mistake"
    assert (balance(karim).posted, balance(amina).posted) == (0, 0)
    assert db.session.get(Transfer, original.id).minutes == 90
    assert_clean()


def test_adjustments_bring_a_transfer_to_the_right_amount(amina, karim, sandrine):
    original = give(karim, amina, 120)
    down = ledger.transfer_correct(transfer=original, minutes=90, reason="It lasted 1 h 30", key="fix-1",
                                   actor=member(sandrine))
    up = ledger.transfer_correct(transfer=original, minutes=150, reason="Travel time agreed", key="fix-2",
                                 actor=member(sandrine))

    assert (down.kind, down.minutes) == (TransferKind.ADJUSTMENT, 30)
    assert (up.debit_account_id, up.minutes) == (account(karim).id, 60)
    assert ledger.effective_minutes(original) == 150
    assert balance(amina).posted == 150
    assert_clean()


def test_a_correction_needs_a_reason_and_a_coordinator(amina, karim, sandrine):
    original = give(karim, amina, 60)
    with pytest.raises(ReasonRequired):
        ledger.transfer_correct(transfer=original, minutes=0, reason="  ", key="fix-1", actor=member(sandrine))
    with pytest.raises(NotAllowed):
        ledger.transfer_correct(transfer=original, minutes=0, reason="I changed my mind", key="fix-2",
                                actor=member(karim))
    assert balance(amina).posted == 60


def test_a_correction_cannot_break_a_limit(amina, karim, sandrine, people):
    fatou = people.member("Fatou Ndiaye")
    original = give(karim, amina, 60)
    give(amina, fatou, 660)  # Amina is now at her floor, −10 h

    with pytest.raises(BelowFloor):
        ledger.transfer_correct(transfer=original, minutes=0, reason="Never happened", key="fix-1",
                                actor=member(sandrine))
    assert balance(amina).posted == -600


def test_statement_lists_movements_newest_first_with_a_running_balance(amina, karim, people):
    fatou = people.member("Fatou Ndiaye")
    give(karim, amina, 60, memo="Bike repair")
    give(amina, fatou, 30, memo="Hem of a skirt")
    reserve(karim, amina, 45)  # a reservation is not a movement
    give(fatou, amina, 120, memo="Childcare")

    page = ledger.statement(account=account(amina), per_page=2)

    assert page.total == 3 and page.pages == 2 and page.has_next
    assert [(line.minutes, line.balance_after, line.transfer.memo) for line in page.lines] == [
        (120, 150, "Childcare"), (-30, 30, "Hem of a skirt")]
    assert page.lines[0].counterpart.member.display_name == "Fatou Ndiaye"
    second = ledger.statement(account=account(amina), page=2, per_page=2)
    assert [(line.minutes, line.balance_after) for line in second.lines] == [(60, 60)]
    assert [r.minutes for r in ledger.reservations(account=account(amina))] == [45]


def test_statement_reads_a_fixed_number_of_queries(amina, karim, people):
    others = [people.member(f"Neighbour {n}", email=f"n{n}@example.org") for n in range(6)]
    for other in others:
        give(other, amina, 30)
        give(amina, karim, 15)
    target = account(amina)

    def queries_for(per_page):
        queries = []

        def record(conn, cursor, statement, *args):
            queries.append(statement)

        db.session.expire_all()
        sa.event.listen(db.engine, "before_cursor_execute", record)
        page = ledger.statement(account=target, per_page=per_page)
        names = [line.counterpart.member.display_name for line in page.lines]
        recorders = [line.transfer.recorded_by.display_name for line in page.lines]
        sa.event.remove(db.engine, "before_cursor_execute", record)
        assert len(names) == len(recorders) == per_page
        return len(queries)

    assert queries_for(2) == queries_for(12)  # no query per line


def test_a_coordinator_gives_an_elderly_member_a_lower_floor(amina, karim, sandrine, people):
    marie = people.member("Marie Dupont")

    ledger.account_set_limits(account=account(marie), floor=-20 * 60, ceiling=40 * 60, actor=member(sandrine),
                              reason="Marie receives more help than she can give")

    assert (balance(marie).floor, account(marie).limits_overridden) == (-1200, True)
    from timebank.ledger.models import AccountLimitChange

    [change] = db.session.scalars(sa.select(AccountLimitChange)).all()
    assert (change.old_floor, change.floor, change.actor_id) == (-600, -1200, sandrine.id)
    assert change.reason == "Marie receives more help than she can give"
    give(marie, amina, 900)  # beyond the usual −10 h
    assert balance(marie).posted == -900


def test_limits_cannot_be_set_past_the_current_balance_or_by_a_member(amina, karim, sandrine):
    give(karim, amina, 300)
    with pytest.raises(BelowFloor) as refused:
        ledger.account_set_limits(account=account(karim), floor=-120, ceiling=2400, actor=member(sandrine),
                                  reason="test")
    assert "already has \u2068−5 h\u2069 available" in str(refused.value.message)
    with pytest.raises(NotAllowed):
        ledger.account_set_limits(account=account(karim), floor=-1200, ceiling=2400, actor=member(karim),
                                  reason="I want more")
    with pytest.raises(ReasonRequired):
        ledger.account_set_limits(account=account(karim), floor=-1200, ceiling=2400, actor=member(sandrine),
                                  reason="")
    assert balance(karim).floor == -600
