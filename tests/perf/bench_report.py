"""Impact report benchmark: the report for one year, next to a floor measured in the same run.

    python -m tests.perf.bench_report [--accounts 10000] [--transfers 1000000] [--keep PATH]
                                       [--postgres postgresql://user@host/emptydb]

Builds a SQLite timebank with the members loader of ``bench_ledger`` (same pragmas), approvals spread
over five and a half years (2021 to mid-2026), and about ``--transfers`` ledger rows shaped like real
use, in time order: agreed exchanges (a reservation and its posting, with the exchange row and a
timeline event), time given directly, voided reservations, donations to and grants from the community
account, welcome hours, corrections, brokered exchanges, disputes, and offers and requests (about 40 %
of exchanges come from a listing). Balances respect every floor and ceiling.

It then times, median of 5 after a warm-up:
- the floor: one query counting the transfers of 2025;
- a reference: one query summing the minutes of 2025's exchange movements (it reads every row the
  report reads at least once);
- ``impact_report`` for 2025 (every figure), for December 2025 alone, and from 10 February to
  20 November 2025 (whole months from the rollups, the edges from the transfers);
- the whole report page through the test client, signed in as a coordinator (queries and rendering),
  and the ``/listings`` page the same way: the reference of issue 21's target;
first with the monthly rollups emptied (every figure from the transfers), then after building them
with the ``reports-rollup`` job (its first run, an idle second run and ``ledger verify``'s rollup
check are timed too). With ``--postgres`` (an empty database, which it migrates and fills by
copying the SQLite instance), the same again on PostgreSQL. Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import bisect
import json
import random
import sqlite3
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from tests.perf.bench_ledger import CEILING, FLOOR, build_app, connect, load_members, migrate
from tests.perf.bench_ledger import timed as ledger_timed
from tests.perf.figures import machine_line

START, END = datetime(2021, 1, 1), datetime(2026, 7, 1)  # the ledger's history
YEAR = (date(2025, 1, 1), date(2025, 12, 31))  # the year reported on
COMMUNITY, SYSTEM = 1, 2  # account ids created by the migrations


def _at(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


def spread_members(connection: sqlite3.Connection, accounts: list[int], rng: random.Random) -> list[datetime]:
    """Approve the members over time (a third before 2021); returns each account's opening, in account order."""
    first = datetime(2019, 1, 1)
    opened = sorted(first + (END - first) * rng.random() for _ in accounts)
    connection.execute("BEGIN")
    connection.executemany("UPDATE member SET created_at = ?, decided_at = ? WHERE id = ?",
                           [(_at(t), _at(t), n) for n, t in enumerate(opened, start=1)])
    connection.executemany("UPDATE account SET created_at = ? WHERE id = ?",
                           [(_at(t), account) for account, t in zip(accounts, opened)])
    connection.execute("COMMIT")
    return opened


def load_listings(connection: sqlite3.Connection, members: int, count: int, rng: random.Random) -> list[float]:
    """Offers and requests over the years; returns their creation times (seconds since START), in id order."""
    categories = [row[0] for row in connection.execute("SELECT id FROM category ORDER BY id")]
    span = (END - START).total_seconds()
    times = sorted(rng.random() * span for _ in range(count))
    rows = [(n, rng.randint(1, members), rng.choice(("offer", "request")), f"Annonce {n}", rng.choice(categories),
             _at(START + timedelta(seconds=t)), _at(START + timedelta(seconds=t)))
            for n, t in enumerate(times, start=1)]
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO listing (id, member_id, type, title, description, category_id, tags, availability, status,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, '', '', 'open', ?, ?)", rows)
    connection.execute("COMMIT")
    return times


def load_history(connection: sqlite3.Connection, accounts: list[int], opened: list[datetime], rows: int,
                 listing_times: list[float], rng: random.Random) -> None:
    """Append about ``rows`` transfers in time order, with their exchanges, events and disputes."""
    span = (END - START).total_seconds()
    opened_at = [(t - START).total_seconds() for t in opened]
    member_of = {account: n for n, account in enumerate(accounts, start=1)}
    categories = [row[0] for row in connection.execute("SELECT id FROM category ORDER BY id")]
    balances = {account: 0 for account in accounts} | {COMMUNITY: 0, SYSTEM: 0}
    events = sorted(rng.random() * span for _ in range(int(rows / 1.45)))
    transfers, exchanges, timeline, disputes = [], [], [], []
    postings: list[tuple[int, int, int, int]] = []  # id, debit, credit, minutes: what a correction may correct
    tid = eid = 0

    def transfer(debit, credit, minutes, kind, at, *, reservation=False, state="posted", pending=None,
                 corrects=None, exchange=None):
        nonlocal tid
        tid += 1
        moves = state == "posted" and not reservation
        if moves:
            balances[debit] -= minutes
            balances[credit] += minutes
        transfers.append((tid, f"bench-{tid}", debit, credit, minutes, kind, state, int(reservation), pending,
                          corrects, exchange, at, at, balances[debit] if moves else None,
                          balances[credit] if moves else None))
        return tid

    def fits(debit, credit, minutes):
        floor = 0 if debit == COMMUNITY else None if debit == SYSTEM else FLOOR
        return (floor is None or balances[debit] - minutes >= floor) and \
            (credit in (COMMUNITY, SYSTEM) or balances[credit] + minutes <= CEILING)

    for moment in events:
        open_accounts = bisect.bisect_right(opened_at, moment)
        if open_accounts < 2:
            continue
        at = _at(START + timedelta(seconds=moment))
        first, second = rng.randrange(open_accounts), rng.randrange(open_accounts - 1)
        payer, provider = accounts[first], accounts[second + (second >= first)]
        minutes = rng.choice((30, 45, 60, 60, 90, 120, 180))
        roll = rng.random()
        if roll < 0.05 and postings:  # a coordinator corrects an earlier transfer
            original, debit, credit, moved = postings[rng.randrange(len(postings))]
            back = rng.choice((moved, 15, 30)) if moved > 30 else moved
            if fits(credit, debit, back):
                transfer(credit, debit, back, "reversal" if back == moved else "adjustment", at, corrects=original)
            continue
        if roll < 0.11:  # a donation to the community account
            if fits(payer, COMMUNITY, 60):
                transfer(payer, COMMUNITY, 60, "donation", at)
            continue
        if roll < 0.14:  # a grant from it
            if fits(COMMUNITY, provider, 60):
                transfer(COMMUNITY, provider, 60, "grant", at)
            continue
        if roll < 0.16:  # welcome hours
            transfer(SYSTEM, provider, 60, "welcome", at)
            continue
        if not fits(payer, provider, minutes):
            continue
        eid += 1
        listing = None
        if rng.random() < 0.4:
            known = bisect.bisect_right(listing_times, moment)
            listing = rng.randint(1, known) if known else None
        if roll < 0.24:  # agreed, then cancelled: the reservation is voided
            reservation = transfer(payer, provider, minutes, "exchange", at, reservation=True, state="voided",
                                   exchange=eid)
            state = "cancelled"
        elif roll < 0.45:  # "X helped me": given directly
            reservation = None
            postings.append((transfer(payer, provider, minutes, "direct", at, exchange=eid), payer, provider,
                             minutes))
            state = "completed"
        else:  # proposed, agreed (reserved), done, confirmed (posted)
            reservation = transfer(payer, provider, minutes, "exchange", at, reservation=True, exchange=eid)
            postings.append((transfer(payer, provider, minutes, "exchange", at, pending=reservation, exchange=eid),
                             payer, provider, minutes))
            state = "completed"
        exchanges.append((eid, listing, rng.choice(categories + [None]), member_of[provider], member_of[payer],
                          member_of[payer], minutes, at[:10], state, reservation, at, at))
        timeline.append((eid, member_of[payer], "confirmed" if state == "completed" else "cancelled", "{}", at))
        if rng.random() < 0.04:  # recorded by a coordinator for a member without a phone
            timeline.append((eid, 1, "brokered", json.dumps({"minutes": minutes}), at))
        elif rng.random() < 0.02:  # a coordinator accepted for the member
            timeline.append((eid, 1, "accepted", json.dumps({"by": 1, "by_role": "coordinator"}), at))
        if state == "completed" and rng.random() < 0.005:
            opened_on = START + timedelta(seconds=moment, days=2)
            disputes.append((eid, member_of[payer], "Pas d'accord", "completed", _at(opened_on),
                             _at(opened_on + timedelta(days=rng.randint(1, 20))), "upheld"))

    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO transfer (id, key, debit_account_id, credit_account_id, minutes, kind, state, reservation,"
        " pending_id, corrects_id, exchange_id, memo, created_at, resolved_at, debit_balance_after,"
        " credit_balance_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)", transfers)
    connection.executemany(
        "INSERT INTO exchange (id, listing_id, category_id, provider_id, recipient_id, proposer_id, title, minutes,"
        " on_date, state, reservation_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'Service', ?, ?, ?, ?,"
        " ?, ?)", exchanges)
    connection.executemany(
        "INSERT INTO exchange_event (exchange_id, actor_id, kind, detail, created_at) VALUES (?, ?, ?, ?, ?)",
        timeline)
    connection.executemany(
        "INSERT INTO exchange_dispute (exchange_id, opened_by_id, reason, state_before, opened_at, resolved_at,"
        " resolution) VALUES (?, ?, ?, ?, ?, ?, ?)", disputes)
    connection.executemany("UPDATE account SET posted = ? WHERE id = ?", [(b, a) for a, b in balances.items()])
    connection.execute("COMMIT")
    connection.execute("ANALYZE")


def timed(fn, repeat: int = 5) -> float:
    """Median seconds of one call, after one call to warm the caches."""
    return ledger_timed(fn, repeat, warm=True)


def measure(app, client) -> dict[str, float]:
    """Seconds (median) of the floor, the one-pass reference, the report, its page and the /listings page."""
    import sqlalchemy as sa

    from timebank.extensions import db
    from timebank.reports.services import impact_report

    start, end = (datetime.combine(day, datetime.min.time()) for day in (YEAR[0], YEAR[1] + timedelta(days=1)))
    year = {"start": start, "end": end}
    with app.test_request_context():
        def floor():
            return db.session.scalar(sa.text("SELECT count(*) FROM transfer WHERE created_at >= :start AND "
                                             "created_at < :end"), year)

        def one_pass():
            return db.session.execute(sa.text(
                "SELECT count(*), sum(minutes) FROM transfer WHERE created_at >= :start AND created_at < :end "
                "AND kind IN ('exchange', 'direct') AND NOT reservation"), year).one()

        def report():
            db.session.expire_all()
            return impact_report(start=YEAR[0], end=YEAR[1])

        def month():
            db.session.expire_all()
            return impact_report(start=date(2025, 12, 1), end=YEAR[1])

        def custom():
            db.session.expire_all()
            return impact_report(start=date(2025, 2, 10), end=date(2025, 11, 20))

        figures = {"floor": timed(floor), "one pass": timed(one_pass), "report": timed(report),
                   "december": timed(month), "custom": timed(custom), "rows": floor()}
        db.session.remove()

    def get(address):
        def page():
            response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)
        return page

    figures["page"] = timed(get(f"/admin/reports/?period=year&year={YEAR[0].year}"))
    figures["listings"] = timed(get("/listings"))
    return figures


def signed_in_client(app):
    """A test client signed in as a coordinator created for the benchmark."""
    import sqlalchemy as sa

    from timebank.extensions import db
    from timebank.members.models import Role
    from timebank.members.services import member_create

    with app.app_context():
        if not db.session.execute(sa.text("SELECT 1 FROM member WHERE email = 'sandrine@bench.example'")).first():
            member_create(display_name="Sandrine Martin", email="sandrine@bench.example", password="bench-pass",
                          role=Role.COORDINATOR)
            db.session.commit()
        db.session.remove()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post("/login", data={"identifier": "sandrine@bench.example", "password": "bench-pass"})
    return client


def with_and_without_rollups(app) -> tuple[dict, dict, dict]:
    """Measure with the rollups emptied (the report reads every transfer), build them, and measure again."""
    import sqlalchemy as sa

    from timebank.extensions import db
    from timebank.reports import rollups
    from timebank.reports.rollups_check import rollups_check
    from timebank.reports.models import MonthBalances, MonthCommunity, MonthExchanges, MonthMembers, RollupState

    with app.app_context():
        for model in (MonthExchanges, MonthMembers, MonthCommunity, MonthBalances, RollupState):
            db.session.query(model).delete()
        db.session.commit()
        db.session.remove()
    client = signed_in_client(app)
    live = measure(app, client)
    jobs = {}

    def once(label, work):
        started = time.perf_counter()
        summary = work()
        jobs[label] = (time.perf_counter() - started, summary)

    with app.app_context():
        once("first run", lambda: rollups.rollups_update(settle=timedelta(0)))
        once("next run, nothing new", lambda: rollups.rollups_update(settle=timedelta(0)))
        once("verify's rollup check", lambda: f"{len(rollups_check())} problem(s)")
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    rolled = measure(app, client)
    with app.app_context():
        db.engine.dispose()
    return live, rolled, jobs


COPIED = ("member", "account", "listing", "transfer", "exchange", "exchange_event", "exchange_dispute")


def copy_to_postgres(path: Path, url: str) -> None:
    """Migrate the empty PostgreSQL database at ``url`` and copy the SQLite instance into it."""
    import psycopg
    from flask_migrate import upgrade

    from timebank import create_app
    from timebank.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    source = sqlite3.connect(path)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as target:
        for table in COPIED:
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            flags = {name for (name,) in target.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND data_type = 'boolean'",
                (table,))}
            where = " WHERE kind = 'member'" if table == "account" else ""  # the migration made the other two
            names = ", ".join(f'"{name}"' for name in columns)
            with target.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {names} FROM {table}{where}"):
                    copy.write_row([bool(v) if name in flags and v is not None else v
                                    for name, v in zip(columns, row)])
            target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        for account, posted in source.execute("SELECT id, posted FROM account WHERE kind <> 'member'"):
            target.execute("UPDATE account SET posted = %s WHERE id = %s", (posted, account))
        target.commit()
        target.execute("ANALYZE")
    source.close()


ROWS = (("floor: count the year's transfers", "floor"), ("one pass: sum the year's exchange minutes", "one pass"),
        ("impact_report for 2025 (all figures)", "report"), ("report page for 2025 (queries + rendering)", "page"),
        ("impact_report for December 2025", "december"), ("impact_report 10 Feb - 20 Nov 2025", "custom"),
        ("/listings page (signed in)", "listings"))


def table(title: str, live: dict, rolled: dict, jobs: dict) -> None:
    print(f"{title:<46}{'from transfers':>16}{'from rollups':>14}")
    for label, key in ROWS:
        print(f"{label:<46}{live[key] * 1e3:>16.1f}{rolled[key] * 1e3:>14.1f}")
    for label, key in (("ratio report page / floor", "floor"), ("ratio report page / one pass", "one pass"),
                       ("ratio report page / /listings page", "listings")):
        print(f"{label:<46}{live['page'] / live[key]:>16.1f}{rolled['page'] / rolled[key]:>14.1f}")
    for label, (seconds, summary) in jobs.items():
        print(f"rollups, {label}: {seconds:.2f} s ({summary})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--listings", type=int, default=60_000)
    parser.add_argument("--keep", type=Path, help="build the database at this path (reused if it exists)")
    parser.add_argument("--postgres", help="also measure on this empty PostgreSQL database (it is migrated and filled)")
    args = parser.parse_args()
    rng = random.Random(42)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.sqlite"
        built = None
        if not path.exists():
            started = time.perf_counter()
            migrate(path)
            connection = connect(path)
            accounts = load_members(connection, args.accounts)
            opened = spread_members(connection, accounts, rng)
            listing_times = load_listings(connection, args.accounts, args.listings, rng)
            load_history(connection, accounts, opened, args.transfers, listing_times, rng)
            connection.close()
            built = time.perf_counter() - started
        migrate(path)  # a kept instance gets the newer tables (the rollups)
        connection = connect(path)  # and the schema's index on dates, which earlier versions of this bench dropped
        connection.execute("CREATE INDEX IF NOT EXISTS ix_transfer_created_at ON transfer (created_at)")
        connection.execute("ANALYZE")
        connection.close()
        app = build_app(path)
        live, rolled, jobs = with_and_without_rollups(app)
        if args.postgres:
            started = time.perf_counter()
            copy_to_postgres(path, args.postgres)
            copied = time.perf_counter() - started
            from timebank import create_app

            pg_app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": args.postgres,
                                 "WTF_CSRF_ENABLED": False,
                                 "TIMEBANK_ARGON2": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})
            pg = with_and_without_rollups(pg_app)
        connection = connect(path)
        totals = dict(connection.execute(
            "SELECT 'transfers', count(*) FROM transfer UNION ALL SELECT 'exchanges', count(*) FROM exchange "
            "UNION ALL SELECT 'events', count(*) FROM exchange_event UNION ALL SELECT 'listings', count(*) "
            "FROM listing UNION ALL SELECT 'members', count(*) FROM member").fetchall())
        connection.close()

    print(machine_line(sqlite=True))
    print(f"timebank: {totals['members']} members, {totals['transfers']} transfers, {totals['exchanges']} exchanges, "
          f"{totals['events']} timeline events, {totals['listings']} listings"
          + (f" (built in {built:.1f} s)" if built else " (reused)"))
    print(f"report for {YEAR[0].year}: {live['rows']} transfers in the year")
    print()
    table("SQLite (ms, median of 5)", live, rolled, jobs)
    if args.postgres:
        print()
        print(f"PostgreSQL: copied in {copied:.1f} s")
        table("PostgreSQL (ms, median of 5)", *pg)


if __name__ == "__main__":
    main()
