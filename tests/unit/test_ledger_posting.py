"""How a posting is written: one statement a row, nothing read again, nothing left half done."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import account, member
from timebank.database import atomic
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.errors import AboveCeiling, BelowFloor
from timebank.ledger.models import TransferKind
from timebank.ledger.verify import ledger_verify


@pytest.fixture
def neighbours(ctx, people):
    """Amina, Karim and Fatou, in the order their accounts were opened (ascending ids)."""
    return people.member("Amina Diallo"), people.member("Karim Benali"), people.member("Fatou Ndiaye")


def statements_of(action) -> list[str]:
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()[:3]))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def posted(resident) -> int:
    db.session.expire_all()
    return ledger.balance_of(account(resident)).posted


def test_karims_gift_is_two_balance_updates_and_one_insert_and_reads_nothing(neighbours):
    amina, karim, _ = neighbours
    debit, credit, actor = account(karim), account(amina), member(karim)  # the page loaded them

    written = statements_of(lambda: ledger.transfer_post(debit=debit, credit=credit, minutes=60,
                                                         kind=TransferKind.DIRECT, key="gift", actor=actor))

    assert [s for s in written if not s.startswith("BEGIN")] == [
        "UPDATE account SET", "UPDATE account SET", "INSERT INTO transfer"]
    assert (posted(karim), posted(amina)) == (-60, 60)
    [line] = ledger.statement(account=account(amina)).lines
    assert (line.minutes, line.balance_after, line.counterpart.member.display_name) == (60, 60, "Karim Benali")


@pytest.mark.parametrize("payer_first", [True, False], ids=["payer updated first", "receiver updated first"])
def test_a_refusal_caught_by_the_caller_leaves_no_hour_moved(neighbours, payer_first):
    """Amina's account (the earlier id) is updated first and goes through; Karim's then refuses: Amina's is put back."""
    amina, karim, fatou = neighbours
    if payer_first:  # Amina pays Karim, whose account is at its upper limit
        account(karim).ceiling = 0
        payer, payee, refusal = amina, karim, AboveCeiling
    else:  # Karim pays Amina, but his account is at its lower limit
        account(karim).floor = 0
        payer, payee, refusal = karim, amina, BelowFloor
    db.session.commit()

    def work():
        with pytest.raises(refusal):
            ledger.transfer_post_in_transaction(debit=account(payer), credit=account(payee), minutes=60,
                                                kind=TransferKind.DIRECT, key="refused", actor=member(payer))
        # The caller goes on in the same transaction (a feature offering something else instead).
        return ledger.transfer_post_in_transaction(debit=account(fatou), credit=account(payer), minutes=30,
                                                   kind=TransferKind.DIRECT, key="instead", actor=member(fatou))

    atomic(work)

    assert (posted(payer), posted(payee), posted(fatou)) == (30, 0, -30)
    assert ledger_verify().problems == []


def test_the_transaction_sees_the_new_balances_without_reading_them_again(neighbours):
    amina, karim, _ = neighbours

    def work():
        debit, credit = account(karim), account(amina)  # read under the write lock
        assert (debit.posted, credit.posted) == (0, 0)
        ledger.transfer_post_in_transaction(debit=debit, credit=credit, minutes=45, kind=TransferKind.DIRECT,
                                            key="k", actor=member(karim))
        return statements_of(lambda: (debit.posted, credit.posted)), (debit.posted, credit.posted)

    reads, balances = atomic(work)

    assert reads == [] and balances == (-45, 45)


def test_a_form_sent_again_moves_nothing_more(neighbours):
    amina, karim, _ = neighbours
    first = ledger.transfer_post(debit=account(karim), credit=account(amina), minutes=60, kind=TransferKind.DIRECT,
                                 key="form-1", actor=member(karim))

    again = ledger.transfer_post(debit=account(karim), credit=account(amina), minutes=60, kind=TransferKind.DIRECT,
                                 key="form-1", actor=member(karim))

    assert again.id == first.id and not ledger.transfer_is_new(again)
    assert (posted(karim), posted(amina)) == (-60, 60)
    assert ledger_verify().problems == []
