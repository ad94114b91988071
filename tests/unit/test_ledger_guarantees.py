"""What the database itself guarantees, and what `verify` finds when someone tampers with it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import account, member
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.models import Transfer, TransferKind, TransferState
from timebank.ledger.verify import ledger_verify


@pytest.fixture
def gift(ctx, people):
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    transfer = ledger.transfer_post(debit=account(karim), credit=account(amina), minutes=90,
                                    kind=TransferKind.DIRECT, key="gift", actor=member(karim))
    return transfer.id, amina, karim


def raw(sql: str, **params):
    with db.engine.begin() as connection:
        connection.execute(sa.text(sql), params)


@pytest.mark.parametrize("sql", [
    "UPDATE transfer SET minutes = 900 WHERE id = :id",
    "UPDATE transfer SET credit_account_id = debit_account_id + 0, debit_account_id = credit_account_id WHERE id = :id",
    "UPDATE transfer SET memo = 'changed' WHERE id = :id",
    "UPDATE transfer SET state = 'voided' WHERE id = :id",
    "DELETE FROM transfer WHERE id = :id",
])
def test_the_database_refuses_to_change_or_delete_a_transfer(gift, sql):
    transfer_id, _, _ = gift
    with pytest.raises(sa.exc.DatabaseError) as refused:
        raw(sql, id=transfer_id)
    assert "ledger:" in str(refused.value)
    assert db.session.get(Transfer, transfer_id).minutes == 90


def test_a_resolved_reservation_cannot_change_state_again(ctx, people):
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    pending = ledger.transfer_reserve(debit=account(karim), credit=account(amina), minutes=60,
                                      kind=TransferKind.EXCHANGE, key="r", actor=member(karim))
    ledger.transfer_void(pending=pending, actor=member(karim))
    with pytest.raises(sa.exc.DatabaseError):
        raw("UPDATE transfer SET state = 'posted', resolved_at = NULL WHERE id = :id", id=pending.id)


def test_the_database_refuses_a_balance_past_the_floor(gift):
    _, _, karim = gift
    with pytest.raises(sa.exc.IntegrityError):
        raw("UPDATE account SET posted = -601 WHERE member_id = :id", id=karim.id)


def test_the_database_refuses_zero_minutes_and_a_transfer_to_the_same_account(gift):
    _, amina, _ = gift
    account_id = account(amina).id
    for minutes, credit in ((0, account_id + 1), (60, account_id)):
        with pytest.raises(sa.exc.IntegrityError):
            raw("INSERT INTO transfer (key, debit_account_id, credit_account_id, minutes, kind, state, reservation,"
                " memo, created_at) VALUES (:key, :debit, :credit, :minutes, 'direct', 'posted', false, '',"
                " CURRENT_TIMESTAMP)", key=f"raw-{minutes}", debit=account_id, credit=credit, minutes=minutes)


def test_verify_names_an_account_whose_balance_was_changed(gift, app):
    _, amina, _ = gift
    raw("UPDATE account SET posted = posted + 60 WHERE member_id = :id", id=amina.id)
    account_id = account(amina).id
    db.session.rollback()  # end this test's read snapshot: the command must see the change

    result = app.test_cli_runner().invoke(args=["ledger", "verify"])

    assert result.exit_code == 1
    output = result.output
    assert f"account {account_id} (member {amina.id}): balance 150 but transfers give 90" in output
    assert "balances sum to 60 minutes, not zero" in output


def behind_the_triggers(sql: str, **params):
    """Someone with the database owner's rights switches the ledger's guard off and edits a transfer."""
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS transfer_immutable")
        else:
            connection.exec_driver_sql("ALTER TABLE transfer DISABLE TRIGGER transfer_immutable")
        connection.execute(sa.text(sql), params)
        if db.engine.dialect.name != "sqlite":  # the PostgreSQL schema outlives this test
            connection.exec_driver_sql("ALTER TABLE transfer ENABLE TRIGGER transfer_immutable")
    db.session.rollback()


def test_verify_finds_a_transfer_changed_behind_the_triggers(gift):
    transfer_id, _, _ = gift
    behind_the_triggers("UPDATE transfer SET minutes = 60 WHERE id = :id", id=transfer_id)
    problems = ledger_verify().problems
    assert any(f"transfer {transfer_id}: recorded running balances" in p for p in problems)


def test_verify_names_the_one_transfer_whose_running_balance_was_changed(gift):
    transfer_id, amina, karim = gift
    thanks = ledger.transfer_post(debit=account(amina), credit=account(karim), minutes=30, kind=TransferKind.DIRECT,
                                  key="thanks", actor=member(amina))
    behind_the_triggers("UPDATE transfer SET credit_balance_after = 100 WHERE id = :id", id=transfer_id)
    # Amina's balance after the gift reads 100 instead of 90; the transfer after it is still right.
    assert ledger_verify().problems == [
        f"transfer {transfer_id}: recorded running balances (-90, 100) differ from the recomputed (-90, 90): "
        "this transfer or an earlier one was changed"]
    assert thanks.debit_balance_after == 60


@pytest.fixture
def reserved(ctx, people):
    """Karim reserves 60 minutes for Amina's help; returns the reservation's id, Amina and Karim."""
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    pending = ledger.transfer_reserve(debit=account(karim), credit=account(amina), minutes=60,
                                      kind=TransferKind.EXCHANGE, key="r", actor=member(karim))
    return pending.id, amina, karim


def named(resident) -> str:
    return f"account {account(resident).id} (member {resident.id})"


def test_verify_names_a_reservation_marked_posted_without_its_posting(reserved):
    pending_id, amina, karim = reserved
    raw("UPDATE transfer SET state = 'posted', resolved_at = CURRENT_TIMESTAMP WHERE id = :id", id=pending_id)
    db.session.rollback()
    assert sorted(ledger_verify().problems) == sorted([
        f"reservation {pending_id}: marked posted but no posting transfer exists",
        f"{named(karim)}: reserved to pay 60 but pending transfers give 0",
        f"{named(amina)}: reserved to receive 60 but pending transfers give 0",
    ])


def test_verify_names_a_posted_reservation_set_back_to_pending(reserved):
    pending_id, amina, karim = reserved
    ledger.transfer_post_pending(pending=db.session.get(Transfer, pending_id), key="p", actor=None)
    behind_the_triggers("UPDATE transfer SET state = 'pending', resolved_at = NULL WHERE id = :id", id=pending_id)
    assert sorted(ledger_verify().problems) == sorted([
        f"reservation {pending_id}: pending but has a posting",
        f"{named(karim)}: reserved to pay 0 but pending transfers give 60",
        f"{named(amina)}: reserved to receive 0 but pending transfers give 60",
    ])


def test_verify_names_a_posting_above_its_reservation_or_of_a_movement(reserved):
    pending_id, amina, karim = reserved
    posting = ledger.transfer_post_pending(pending=db.session.get(Transfer, pending_id), key="p", actor=None,
                                           minutes=45)
    gift = ledger.transfer_post(debit=account(amina), credit=account(karim), minutes=15, kind=TransferKind.DIRECT,
                                key="gift", actor=member(amina))
    behind_the_triggers("UPDATE transfer SET minutes = 90 WHERE id = :id", id=posting.id)
    behind_the_triggers("UPDATE transfer SET pending_id = :posting WHERE id = :id", posting=posting.id, id=gift.id)
    problems = ledger_verify().problems
    assert f"reservation {pending_id}: posted more than the 60 minutes reserved" in problems
    assert f"transfer {gift.id}: posts reservation {posting.id}, which is not a reservation" in problems


def test_verify_names_an_account_whose_reserved_hours_were_changed(reserved):
    _, _, karim = reserved
    raw("UPDATE account SET pending_debits = pending_debits + 30 WHERE member_id = :id", id=karim.id)
    db.session.rollback()
    assert ledger_verify().problems == [f"{named(karim)}: reserved to pay 90 but pending transfers give 60"]


def test_verify_is_clean_and_summarises(gift, app):
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "transfers: 1" in result.output
    assert "hours in circulation: 1:30" in result.output
    assert "ledger OK" in result.output


# Property-based: random sequences keep every invariant -------------------------------------------

operations = st.lists(
    st.tuples(
        st.sampled_from(["direct", "reserve", "post", "void", "correct"]),
        st.integers(0, 3),  # payer
        st.integers(0, 3),  # payee
        st.sampled_from([15, 30, 60, 90, 240, 600, 1440]),
        st.integers(0, 50),  # which earlier transfer, for post/void/correct
    ),
    max_size=40,
)


_cast: dict[int, list] = {}
_keys = iter(range(10**9))


def _residents(people):
    """Three residents and a coordinator, created once per test database."""
    if id(people) not in _cast:
        residents = [people.member(f"Resident {n}", email=f"r{n}@example.org") for n in range(3)]
        _cast[id(people)] = residents + [people.coordinator("Sandrine Martin")]
    return _cast[id(people)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_random_sequences_keep_all_invariants(ctx, people, steps):
    """Hypothesis runs many sequences on one database: the invariants hold for all of it, always."""
    residents = _residents(people)
    coordinator = member(residents[3])
    made: list[int] = []
    for op, payer, payee, minutes, pick in steps:
        key = f"step-{next(_keys)}"
        try:
            if op in ("direct", "reserve"):
                call = ledger.transfer_post if op == "direct" else ledger.transfer_reserve
                made.append(call(debit=account(residents[payer]), credit=account(residents[payee]), minutes=minutes,
                                 kind=TransferKind.EXCHANGE, key=key, actor=member(residents[payer])).id)
            elif made:
                target = db.session.get(Transfer, made[pick % len(made)])
                if op == "post":
                    ledger.transfer_post_pending(pending=target, minutes=min(minutes, target.minutes), key=key,
                                                 actor=coordinator)
                elif op == "void":
                    ledger.transfer_void(pending=target, actor=coordinator)
                else:
                    ledger.transfer_correct(transfer=target, minutes=minutes if pick % 2 else 0,
                                            reason="property test", key=key, actor=coordinator)
        except DomainError:
            pass
        report = ledger_verify()
        assert report.problems == [], (op, report.problems)
    for reservation in db.session.scalars(sa.select(Transfer).where(Transfer.reservation.is_(True))).all():
        postings = db.session.scalar(sa.select(sa.func.count()).where(Transfer.pending_id == reservation.id))
        assert postings == (1 if reservation.state is TransferState.POSTED else 0)
