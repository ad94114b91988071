"""Many workers at once (separate OS processes) against one account near its floor."""
from __future__ import annotations

import multiprocessing
import time

import pytest
import sqlalchemy as sa

from tests.conftest import base_config
from timebank.extensions import db
from timebank.ledger.models import Transfer

WORKERS = 6


def _spend(args):
    """One worker: build its own app, wait for the common start, then try to pay many times."""
    url, karim_id, amina_id, start_at, attempts, minutes, key_prefix = args
    from timebank import create_app
    from timebank.errors import DomainError
    from timebank.ledger import services as ledger
    from timebank.ledger.models import TransferKind
    from timebank.members.models import Member

    app = create_app(base_config(url))
    results = []
    with app.test_request_context():
        time.sleep(max(0.0, start_at - time.time()))
        for attempt in range(attempts):
            key = key_prefix if key_prefix.endswith("same") else f"{key_prefix}-{attempt}"
            try:
                karim = db.session.get(Member, karim_id)
                amina = db.session.get(Member, amina_id)
                if key_prefix.startswith("reserve"):
                    # Reserve, then confirm every other reservation for less and release the rest.
                    pending = ledger.transfer_reserve(debit=ledger.account_of(karim),
                                                      credit=ledger.account_of(amina), minutes=minutes,
                                                      kind=TransferKind.EXCHANGE, key=key, actor=karim)
                    if attempt % 2:
                        ledger.transfer_void(pending=pending, actor=karim)
                        results.append(("voided", pending.id))
                    else:
                        posting = ledger.transfer_post_pending(pending=pending, minutes=minutes - 15,
                                                               key=f"{key}-post", actor=amina)
                        results.append(("ok", posting.id))
                    continue
                transfer = ledger.transfer_post(debit=ledger.account_of(karim), credit=ledger.account_of(amina),
                                                minutes=minutes, kind=TransferKind.DIRECT, key=key, actor=karim)
                results.append(("ok", transfer.id))
            except DomainError as error:
                results.append(("refused", type(error).__name__))
        db.session.remove()
        db.engine.dispose()
    return results


def run_workers(database_url, karim, amina, *, attempts, minutes, same_key=False, prefix="w"):
    start_at = time.time() + 3.0  # every process has built its app by then
    jobs = [(database_url, karim.id, amina.id, start_at, attempts, minutes,
             "all-same" if same_key else f"{prefix}{n}") for n in range(WORKERS)]
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        return [result for worker in pool.map(_spend, jobs) for result in worker]


@pytest.fixture
def neighbours(app, people):
    return people.member("Karim Benali"), people.member("Amina Diallo")


def test_many_workers_spending_near_the_floor_never_pass_it(app, database_url, neighbours):
    karim, amina = neighbours

    results = run_workers(database_url, karim, amina, attempts=6, minutes=60)

    successes = [r for r in results if r[0] == "ok"]
    refusals = [r for r in results if r[0] == "refused"]
    assert len(successes) == 10  # 10 h of room above the floor of −10 h
    assert {name for _, name in refusals} == {"BelowFloor"}
    assert len(successes) + len(refusals) == WORKERS * 6
    with app.app_context():
        transfers = db.session.scalars(sa.select(Transfer)).all()
        assert sorted(t.id for t in transfers) == sorted(tid for _, tid in successes)  # each success once
        from timebank.ledger.verify import ledger_verify

        report = ledger_verify()
        assert report.problems == []
        from timebank.ledger.services import account_of
        from timebank.members.models import Member

        assert account_of(db.session.get(Member, karim.id)).posted == -600


def test_many_workers_retrying_one_key_pay_once(app, database_url, neighbours):
    karim, amina = neighbours

    results = run_workers(database_url, karim, amina, attempts=3, minutes=90, same_key=True)

    assert {r[0] for r in results} == {"ok"}
    assert len({tid for _, tid in results}) == 1  # everyone got the same transfer
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == 1
        from timebank.ledger.verify import ledger_verify

        assert ledger_verify().problems == []


def test_many_workers_reserving_posting_and_voiding_keep_the_ledger_whole(app, database_url, neighbours):
    karim, amina = neighbours

    results = run_workers(database_url, karim, amina, attempts=6, minutes=60, prefix="reserve")

    refused = [r for r in results if r[0] == "refused"]
    posted = [r for r in results if r[0] == "ok"]
    assert {name for _, name in refused} <= {"BelowFloor"}
    assert len(posted) + len([r for r in results if r[0] == "voided"]) + len(refused) == WORKERS * 6
    with app.app_context():
        from timebank.ledger.services import account_of
        from timebank.ledger.verify import ledger_verify
        from timebank.members.models import Member

        assert ledger_verify().problems == []
        karim_account = account_of(db.session.get(Member, karim.id))
        assert karim_account.posted == -45 * len(posted)
        assert karim_account.pending_debits == 0
        assert karim_account.posted >= karim_account.floor
