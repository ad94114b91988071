"""The impact report's monthly rollups: they equal a recomputation from the transfers, and the report reads the
same figures with them as without, whatever was written since the job last ran.

The world is the year 2025 of ``test_report`` (reversals, a correction, a voided reservation, a brokered
exchange, group shares, donations and grants, an exchange on 31 December at 23:30).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tests.factories import account, category_id, member
from tests.unit.test_report import YEAR, clock, exchange, year  # noqa: F401  (fixtures of the same world)
from timebank.exchanges.proposals import exchange_accept, exchange_propose
from timebank.exchanges.steps import Terms
from timebank.extensions import db
from timebank.giving import services as giving
from timebank.ledger import services as ledger
from timebank.ledger.models import Account, AccountKind, Transfer, TransferKind
from timebank.ledger.verify import ledger_verify
from timebank.reports import rollups
from timebank.reports.rollups_check import rollups_check
from timebank.reports.models import MonthBalances, MonthCommunity, MonthExchanges, MonthMembers, RollupState
from timebank.reports.services import impact_report

PERIODS = [YEAR, (date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 4, 30)),
           (date(2025, 3, 10), date(2025, 10, 20)), (date(2025, 12, 31), date(2026, 1, 2)),
           (date(2024, 12, 1), date(2026, 1, 2))]


def same_with_and_without_rollups():
    for start, end in PERIODS:
        assert impact_report(start=start, end=end) == impact_report(start=start, end=end, use_rollups=False), \
            (start, end)


def tables():
    return {model.__tablename__: sorted(tuple(getattr(row, c.key) for c in model.__table__.columns)
                                        for row in db.session.scalars(sa.select(model)))
            for model in (MonthExchanges, MonthMembers, MonthCommunity, MonthBalances)}


def roll(now=datetime(2026, 1, 2, 9, 0)):
    summary = rollups.rollups_update(now=now, settle=timedelta(0))
    db.session.commit()
    return summary


def test_rollups_equal_the_transfers_and_the_report_reads_them(year):
    roll()
    assert rollups_check() == []
    plan = rollups.plan(datetime(2025, 1, 1), datetime(2026, 1, 1))
    assert plan.rolled == [f"2025-{n:02d}" for n in range(1, 13)] and plan.live == [] and plan.balances
    # What the rollups hold, month by month: March 90 min (Karim ↔ Amina), April 45 (corrected), May 120
    # (brokered), June nothing (reversed), October two shares, December 90.
    months = {row.month: (row.exchanges, row.minutes, row.brokered)
              for row in db.session.scalars(sa.select(MonthExchanges)) if row.month.startswith("2025")}
    assert {m: sum(v[1] for k, v in months.items() if k == m) for m in months} == {
        "2025-03": 90, "2025-04": 45, "2025-05": 120, "2025-10": 120, "2025-12": 90}
    assert sum(v[2] for v in months.values()) == 1  # the brokered one
    same_with_and_without_rollups()
    assert ledger_verify().problems == []


def test_the_report_stays_exact_after_the_watermark(year, clock):
    roll()
    c = year
    # After the job: Sandrine reverses the March translation, Amina helps Fatou (a new exchange of the same
    # month as the watermark), Karim and Omar agree one (reserved, not posted), Nour donates to the pot commun.
    clock(datetime(2026, 1, 5, 10, 0))
    march = db.session.scalar(sa.select(Transfer).where(Transfer.kind == TransferKind.EXCHANGE,
                                                        Transfer.reservation.is_(False), Transfer.minutes == 90)
                              .order_by(Transfer.id))
    ledger.transfer_correct(transfer=march, minutes=0, reason="Saisi par erreur", key="rev-march",
                            actor=member(c["sandrine"]))
    exchange(c["fatou"], c["amina"], minutes=60, title="Couture")
    agreed = exchange_propose(proposer=member(c["karim"]), counterpart=member(c["omar"]), proposer_provides=False,
                              terms=Terms("Peinture", 120, date(2026, 1, 20), None))
    exchange_accept(exchange=agreed, actor=member(c["omar"]))
    giving.give_time(giver=member(c["nour"]), recipient=None, minutes=30, memo="Pot commun", key="n1")
    db.session.commit()

    assert "2025-03" in rollups.touched_months(after=db.session.get(RollupState, 1).transfer_id, events_after=10**9)
    same_with_and_without_rollups()
    assert impact_report(start=date(2025, 3, 1), end=date(2025, 3, 31)).minutes == 0  # reversed since
    assert rollups_check() == []  # the rollups are behind, not wrong

    roll(datetime(2026, 1, 5, 10, 0))
    assert rollups_check() == []
    assert rollups.plan(datetime(2025, 1, 1), datetime(2026, 1, 1)).live == []
    same_with_and_without_rollups()


def test_the_job_is_idempotent(year):
    first = roll()
    kept = tables()
    assert roll() == roll() and "months recomputed: 0, balance months: 0" in roll()
    assert tables() == kept and "months recomputed: 0" not in first


def test_the_watermark_waits_for_postings_still_being_committed(year):
    # The job runs at 00:12 on 1 January: the gift of 00:10 may still be being committed, it waits.
    rollups.rollups_update(now=datetime(2026, 1, 1, 0, 12), settle=timedelta(minutes=5))
    db.session.commit()
    newest = db.session.scalar(sa.select(sa.func.max(Transfer.id)))
    assert db.session.get(RollupState, 1).transfer_id == newest - 1
    same_with_and_without_rollups()  # whatever is after the watermark is read from the transfers


def test_ledger_verify_names_a_rollup_that_differs_from_the_transfers(year):
    roll()
    c = year
    row = db.session.scalar(sa.select(MonthExchanges).where(MonthExchanges.month == "2025-05"))
    row.minutes += 60
    db.session.execute(sa.delete(MonthMembers).where(MonthMembers.month == "2025-10"))
    db.session.commit()
    problems = ledger_verify().problems
    assert any("report rollups: exchanges of ('2025-05'" in p and "stored (1, 180, 1)" in p for p in problems)
    # October's workshop: Lina and Yusuf paid a share, Fatou gave it; their rows are gone.
    cooking = category_id("cooking")
    for resident, flags in (("lina", "paid 1, gave 0"), ("yusuf", "paid 1, gave 0"), ("fatou", "paid 0, gave 1")):
        assert (f"report rollups: member row of 2025-10, category {cooking}, account {account(c[resident]).id}: "
                f"stored no row; transfers give {flags}") in problems
    assert len(problems) == 4


def member_row(month: str, resident) -> MonthMembers:
    return db.session.scalar(sa.select(MonthMembers).where(MonthMembers.month == month,
                                                           MonthMembers.account_id == account(resident).id))


def test_ledger_verify_names_each_member_row_changed_added_or_moved(year):
    roll()
    c = year
    paperwork, translation, cooking = category_id("paperwork"), category_id("translation"), category_id("cooking")
    malik = account(c["malik"]).id
    member_row("2025-03", c["karim"]).gave = 1  # Karim paid for the translation; now he also gave
    member_row("2025-05", c["hawa"]).account_id = malik  # Hawa's brokered help, moved to Malik
    member_row("2025-12", c["lina"]).gave = 2  # Lina helped Yusuf on the 31st: a flag is 0 or 1
    db.session.add_all([
        MonthMembers(month="2025-08", category_id=0, account_id=malik, paid=1, gave=0),  # nothing in August
        # Among October's workshop rows, one that says nothing (as many paid and gave as the transfers give).
        MonthMembers(month="2025-10", category_id=cooking, account_id=account(c["omar"]).id, paid=0, gave=0),
    ])
    db.session.commit()

    problems = ledger_verify().problems

    def row(month, category, resident):
        return f"report rollups: member row of {month}, category {category}, account {account(c[resident]).id}: "

    assert sorted(problems) == sorted([
        row("2025-03", translation, "karim") + "stored paid 1, gave 1; transfers give paid 1, gave 0",
        row("2025-10", cooking, "omar") + "stored paid 0, gave 0; transfers give no row",
        row("2025-05", paperwork, "hawa") + "stored no row; transfers give paid 1, gave 0",
        row("2025-05", paperwork, "malik") + "stored paid 1, gave 0; transfers give no row",
        row("2025-08", 0, "malik") + "stored paid 1, gave 0; transfers give no row",
        row("2025-12", 0, "lina") + "stored paid 0, gave 2; transfers give paid 0, gave 1",
    ])


def test_ledger_verify_names_a_few_rows_of_a_month_then_counts_the_rest(year):
    roll()
    accounts = db.session.scalars(sa.select(Account.id).where(Account.kind == AccountKind.MEMBER)).all()[:8]
    db.session.add_all([MonthMembers(month="2025-08", category_id=0, account_id=account_id, paid=1, gave=0)
                        for account_id in accounts])
    db.session.commit()
    problems = ledger_verify().problems
    assert len([p for p in problems if "member row of 2025-08" in p]) == 5
    assert "report rollups: 3 more member row(s) of 2025-08 differ" in problems


def test_ledger_verify_names_a_wrong_balance_band_and_community_month(year):
    roll()
    band = db.session.scalar(sa.select(MonthBalances).where(MonthBalances.month == "2025-06",
                                                            MonthBalances.band == "even"))
    band.members += 1
    db.session.scalar(sa.select(MonthCommunity).where(MonthCommunity.month == "2025-08")).given = 90
    db.session.commit()
    problems = ledger_verify().problems
    assert any(p.startswith("report rollups: balances of 2025-06: stored {") for p in problems)
    assert "report rollups: community of 2025-08: stored (90, 0), transfers give (60, 0)" in problems
    assert len(problems) == 2
