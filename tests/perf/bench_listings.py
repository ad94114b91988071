"""Listings benchmark: browse and search latency at 100 000 listings next to the same at 1 000.

    python -m tests.perf.bench_listings [--listings 100000]

Builds a SQLite instance (1 000 members; listings bulk-inserted through SQL so that the full-text
triggers run as in real use), signs a member in, and times whole pages through the test client
(query, rendering, everything but the network): the browse page, a word search, a prefix search
with filters. Median and 95th percentile of 200 requests each, at 1 000 listings and at the full
size; the ratio is the figure that matters. Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tests.perf.bench_ledger import build_app, connect, load_members, migrate
from tests.perf.figures import machine_line

WORDS = ("aide traduction courrier caf garde enfants devoirs maths vélo réparation cuisine couscous jardin "
         "déménagement voiture courses visite lecture ordinateur téléphone couture ourlet peinture meuble "
         "école crèche préfecture logement musique piano yoga coiffure").split()
LANGUAGES = ("fr", "ar", "pt", "tr", "wo", "en", "es", "ff")
AREAS = ("Centre", "Les Tilleuls", "La Source", "Le Port", "Les Hauts", "Gare")


def load_listings(path: Path, start: int, count: int, members: int, rng: random.Random) -> None:
    connection = connect(path)
    created = datetime(2026, 1, 1).isoformat(sep=" ")
    categories = [row[0] for row in connection.execute("SELECT id FROM category")]
    connection.execute("BEGIN")
    rows, languages = [], []
    for n in range(start + 1, start + count + 1):
        title = " ".join(rng.sample(WORDS, 3)).capitalize()
        description = " ".join(rng.choices(WORDS, k=25))
        rows.append((n, rng.randint(1, members), rng.choice(("offer", "request")), title, description,
                     rng.choice(categories), rng.choice(AREAS), created, created))
        languages += [(n, code) for code in rng.sample(LANGUAGES, 2)]
    connection.executemany(
        "INSERT INTO listing (id, member_id, type, title, description, category_id, tags, area, availability,"
        " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '', ?, '', 'open', ?, ?)", rows)
    connection.executemany("INSERT INTO listing_language (listing_id, code) VALUES (?, ?)", languages)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


def measure(client, url: str, repeat: int = 200) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(7)
    urls = {
        "browse page 1": "/listings",
        "search one word": "/listings?q=traduction",
        "prefix + filters": "/listings?q=cour&type=offer&language=ar&area=Centre",
        "arabic word (category)": "/listings?q=%D8%A3%D9%88%D8%B1%D8%A7%D9%82",
        "home (4 near her)": "/",
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        migrate(path)
        connection = connect(path)
        load_members(connection, 1000)
        # The member who browses reads French and Arabic and lives in the Centre: results come in her order.
        connection.execute("UPDATE member SET password_hash = ?, session_token = ?, area = 'Centre' WHERE id = 1",
                           (_hash(path), "bench-1"))
        connection.execute("INSERT INTO member_language (member_id, code) VALUES (1, 'fr'), (1, 'ar')")
        connection.commit()
        connection.close()
        load_listings(path, 0, 1000, 1000, rng)
        app = build_app(path)
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
        client.post("/login", data={"identifier": "m1@bench.example", "password": "bench password"})
        small = {name: measure(client, url) for name, url in urls.items()}
        started = time.perf_counter()
        load_listings(path, 1000, args.listings - 1000, 1000, rng)
        load_seconds = time.perf_counter() - started
        big = {name: measure(client, url) for name, url in urls.items()}

    print(machine_line(sqlite=True))
    print(f"listings: 1000, then {args.listings} (bulk insert with full-text triggers: {load_seconds:.1f} s)")
    print()
    print(f"{'page (ms), median / p95':<28}{'at 1 000':>18}{'at ' + format(args.listings, ','):>20}{'ratio':>8}")
    for name in urls:
        (m1, p1), (m2, p2) = small[name], big[name]
        print(f"{name:<28}{m1 * 1e3:>9.1f} /{p1 * 1e3:>6.1f}{m2 * 1e3:>11.1f} /{p2 * 1e3:>6.1f}{m2 / m1:>8.2f}")


def _hash(path: Path) -> str:
    app = build_app(path)
    with app.app_context():
        from timebank.members.passwords import password_hash

        return password_hash("bench password")


if __name__ == "__main__":
    main()
