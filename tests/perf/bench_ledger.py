"""Ledger benchmark: figures printed side by side with a floor measured in the same run.

    python -m tests.perf.bench_ledger [--accounts 10000] [--transfers 1000000]

Builds a SQLite ledger by bulk loading (consistent balances, `verify` clean), then measures:
- transfers posted per second through the service, next to the same postings written by hand in plain
  sqlite3 on a copy of the ledger (one transaction each, same pragmas, alternating rounds), in wall-clock
  and in CPU time: the ratio is the figure that matters;
- reading one balance and one statement page, at 10 000 transfers and at the full size;
- `verify` over the whole ledger.
Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tests.perf.figures import machine_line, table

FLOOR, CEILING = -600, 2400


def build_app(path: Path):
    from timebank import create_app

    return create_app({
        "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "WTF_CSRF_ENABLED": False, "TIMEBANK_ARGON2": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    })


def migrate(path: Path) -> None:
    from flask_migrate import upgrade

    from timebank.extensions import db

    app = build_app(path)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def load_members(connection: sqlite3.Connection, count: int) -> list[int]:
    """Members and their accounts (balances filled in later). Returns account ids."""
    now = datetime(2026, 1, 1).isoformat(sep=" ")
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO member (id, number, email, password_hash, display_name, bio, locale, contact_visibility, role,"
        " status, created_at) VALUES (?, ?, ?, 'x', ?, '', 'fr', 'counterparts', 'member', 'active', ?)",
        [(n, 1000 + n, f"m{n}@bench.example", f"Member {n}", now) for n in range(1, count + 1)],
    )
    connection.executemany(
        "INSERT INTO account (kind, member_id, floor, ceiling, created_at) VALUES ('member', ?, ?, ?, ?)",
        [(n, FLOOR, CEILING, now) for n in range(1, count + 1)],
    )
    connection.execute("COMMIT")
    return [row[0] for row in connection.execute("SELECT id FROM account WHERE kind = 'member' ORDER BY id")]


def load_transfers(connection: sqlite3.Connection, accounts: list[int], count: int, balances: dict[int, int],
                   start: int, rng: random.Random) -> None:
    """Append ``count`` posted transfers with running balances that respect every limit."""
    batch, size = [], 20_000
    created = datetime(2026, 1, 1).isoformat(sep=" ")
    made = 0
    connection.execute("BEGIN")
    while made < count:
        debit, credit = rng.sample(accounts, 2)
        minutes = rng.choice((15, 30, 45, 60, 90, 120))
        if balances[debit] - minutes < FLOOR or balances[credit] + minutes > CEILING:
            continue
        balances[debit] -= minutes
        balances[credit] += minutes
        made += 1
        batch.append((f"bulk-{start + made}", debit, credit, minutes, created, balances[debit], balances[credit]))
        if len(batch) == size:
            _insert(connection, batch)
            batch = []
    if batch:
        _insert(connection, batch)
    connection.executemany("UPDATE account SET posted = ? WHERE id = ?", [(b, a) for a, b in balances.items()])
    connection.execute("ANALYZE")
    connection.execute("COMMIT")


def _insert(connection, rows):
    connection.executemany(
        "INSERT INTO transfer (key, debit_account_id, credit_account_id, minutes, kind, state, reservation, memo,"
        " created_at, resolved_at, debit_balance_after, credit_balance_after)"
        " VALUES (?1, ?2, ?3, ?4, 'direct', 'posted', 0, '', ?5, ?5, ?6, ?7)", rows)


def timed(fn, repeat: int = 5, *, warm: bool = False) -> float:
    """Median seconds of one call (after one call to warm the caches, with ``warm``)."""
    if warm:
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


PROBES = 300  # the accounts whose balance and statement are read, busy from the start


def measure_reads(app, rng: random.Random) -> tuple[float, float]:
    """Median time to read one balance and one full statement page (20 lines) of a probe account."""
    from timebank.extensions import db
    from timebank.ledger import services as ledger
    from timebank.members.models import Member

    with app.test_request_context():
        picks = [rng.randint(1, PROBES) for _ in range(300)]
        accounts = {}
        for member_id in set(picks):
            accounts[member_id] = ledger.account_of(db.session.get(Member, member_id)).id
        it = iter(picks * 3)

        def read_balance():
            db.session.expire_all()
            account = db.session.get(type(ledger.community_account()), accounts[next(it)])
            return ledger.balance_of(account).posted

        def read_statement():
            db.session.expire_all()
            account = db.session.get(type(ledger.community_account()), accounts[next(it)])
            return [line.balance_after for line in ledger.statement(account=account, per_page=20).lines]

        return timed(read_balance, 300), timed(read_statement, 300)


ROUNDS = 10


def measure_posting(app, path: Path, accounts: list[int], rows: int, rng: random.Random) -> dict:
    """Service postings next to the same postings by hand, one transaction each, in alternating rounds.

    The hand-written ones go to a copy of the ledger taken just before, so both start from the same balances and
    stay in step (the same rows are valid in both), and the ledger the service wrote stays the one `verify` reads.
    Alternating rounds of ``rows / ROUNDS`` postings keep a change of the machine's load from favouring either.
    Wall-clock and CPU seconds are both counted: CPU time moves less with what other processes do.
    """
    from timebank.extensions import db
    from timebank.ledger import services as ledger
    from timebank.ledger.models import Account, TransferKind
    from timebank.members.models import Member

    floor_path = path.with_name("floor.sqlite")
    with sqlite3.connect(path) as source, sqlite3.connect(floor_path) as copy:
        source.backup(copy)
    plain_connection = connect(floor_path)
    created = datetime(2026, 1, 2).isoformat(sep=" ")
    spent = {"service": [0.0, 0.0], "plain": [0.0, 0.0]}  # wall, CPU
    ratios = []
    with app.test_request_context():
        balances = {a.id: a.posted for a in db.session.query(Account).filter(Account.kind == "member")}
        actor = db.session.get(Member, 1)
        done = 0
        for round_ in range(ROUNDS):
            pairs = []
            while len(pairs) < rows // ROUNDS:
                debit, credit = rng.sample(accounts, 2)
                if balances[debit] - 15 >= FLOOR and balances[credit] + 15 <= CEILING:
                    balances[debit] -= 15
                    balances[credit] += 15
                    pairs.append((debit, credit))
            before = [list(spent["service"]), list(spent["plain"])]
            for n, (debit, credit) in enumerate(pairs, start=done):
                # The caller has its two accounts (a page loaded them); only the posting itself is timed.
                held = db.session.get(Account, debit), db.session.get(Account, credit)
                with _timed(spent["service"]):
                    ledger.transfer_post(debit=held[0], credit=held[1], minutes=15, kind=TransferKind.DIRECT,
                                         key=f"service-{n}", actor=actor)
            for n, (debit, credit) in enumerate(pairs, start=done):
                with _timed(spent["plain"]):
                    plain_posting(plain_connection, f"plain-{n}", debit, credit, created)
            done += len(pairs)
            ratios.append((spent["plain"][0] - before[1][0]) / (spent["service"][0] - before[0][0]))
        db.session.remove()
        db.engine.dispose()
    plain_connection.close()
    floor_path.unlink()
    return {"rows": done, "service": spent["service"], "plain": spent["plain"], "ratios": sorted(ratios)}


class _timed:
    """Add the wall-clock and CPU seconds of the block to ``into`` ([wall, cpu])."""

    def __init__(self, into: list[float]):
        self.into = into

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *_):
        self.into[0] += time.perf_counter() - self.wall
        self.into[1] += time.process_time() - self.cpu


def plain_posting(connection: sqlite3.Connection, key: str, debit: int, credit: int, created: str) -> None:
    """The same posting by hand, the floor: the write lock, both accounts read, the key looked up, the transfer
    and both balances written, one transaction (what the service does, without any of its Python)."""
    connection.execute("BEGIN IMMEDIATE")
    balances = dict(connection.execute(
        "SELECT id, posted FROM account WHERE id IN (?, ?) ORDER BY id", (debit, credit)).fetchall())
    connection.execute("SELECT id FROM transfer WHERE key = ?", (key,)).fetchone()
    connection.execute("UPDATE account SET posted = posted - 15 WHERE id = ?", (debit,))
    connection.execute("UPDATE account SET posted = posted + 15 WHERE id = ?", (credit,))
    connection.execute(
        "INSERT INTO transfer (key, debit_account_id, credit_account_id, minutes, kind, state, reservation, memo,"
        " created_at, resolved_at, debit_balance_after, credit_balance_after)"
        " VALUES (?, ?, ?, 15, 'direct', 'posted', 0, '', ?, ?, ?, ?)",
        (key, debit, credit, created, created, balances[debit] - 15, balances[credit] + 15))
    connection.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=2_000, help="transfers posted through the service")
    args = parser.parse_args()
    rng = random.Random(42)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        migrate(path)
        connection = connect(path)
        accounts = load_members(connection, args.accounts)
        balances = {account: 0 for account in accounts}
        # The first 10 000 transfers are among the probe accounts only, so that their statement
        # pages are full (20 lines) at both sizes and only the size of the ledger differs.
        small = min(10_000, args.transfers)
        load_transfers(connection, accounts[:PROBES], small, balances, 0, rng)
        connection.close()
        app = build_app(path)
        balance_small, statement_small = measure_reads(app, rng)

        connection = connect(path)
        started = time.perf_counter()
        load_transfers(connection, accounts, args.transfers - small, balances, small, rng)
        load_seconds = time.perf_counter() - started
        connection.close()
        balance_big, statement_big = measure_reads(app, rng)

        posting = measure_posting(app, path, accounts, args.posts, rng)

        from timebank.ledger.verify import ledger_verify

        with app.app_context():
            started = time.perf_counter()
            report = ledger_verify()
            verify_seconds = time.perf_counter() - started

    print(machine_line(sqlite=True))
    print(f"ledger: {args.accounts} accounts, {report.transfers} transfers (bulk load of the last "
          f"{args.transfers - small}: {load_seconds:.1f} s); verify {'clean' if report.ok else report.problems[:3]}")
    print()
    rows, service, plain, ratios = posting["rows"], posting["service"], posting["plain"], posting["ratios"]
    print(table(
        ["measure", "value", "floor / ref", "ratio"],
        [("posts/s: service vs plain sqlite3 posting", f"{rows / service[0]:.0f}", f"{rows / plain[0]:.0f}",
          plain[0] / service[0]),
         (f"  the same in CPU time ({rows} postings)", f"{rows / service[1]:.0f}", f"{rows / plain[1]:.0f}",
          plain[1] / service[1]),
         (f"  ratio in each of {ROUNDS} rounds: lowest, median", ratios[0], ratios[len(ratios) // 2], None),
         ("one balance (ms): at full size vs 10k", balance_big * 1e3, balance_small * 1e3,
          balance_big / balance_small),
         ("statement page (ms): at full size vs 10k", statement_big * 1e3, statement_small * 1e3,
          statement_big / statement_small),
         ("verify whole ledger (s)", verify_seconds, None, None)],
        formats=[".2f", ".2f", ".2f"]))
    print(f"posting through the service: {plain[0] / service[0]:.2f}× the plain sqlite3 posting "
          f"(issue 21 asks for at least 0.25×)")


if __name__ == "__main__":
    main()
