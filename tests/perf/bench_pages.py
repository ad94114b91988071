"""Page benchmark: every main page under gunicorn, next to a floor page measured in the same run.

    python -m tests.perf.bench_pages [--database URL] [--scale MEMBERS,LISTINGS,TRANSFERS,MESSAGES]
                                     [--duration 5] [--connections 8] [--workers 2]
    python -m tests.perf.bench_pages --in-process N --compare SMALL_URL LARGE_URL [--rounds 3] [--wall]

Without ``--database`` it builds a fresh SQLite demo instance in a temporary folder (``timebank db upgrade``,
``timebank demo load``, and ``timebank demo scale`` with ``--scale``). It serves the app with gunicorn
(2 sync workers by default) and the floor page (``tests/perf/floor_app.py``: bare Flask + Jinja, 20 listing
cards from memory) the same way, signs in as a demo member (and as the coordinator for ``/coordination/``), and
loads each page with ``wrk`` (one thread, 8 connections) when it is installed, or else with a loop of Python
threads. It prints requests per second, p50 and p99, and each page's ratio to the floor: the ratio is the
figure that matters, since absolute times depend on the machine. Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from tests.perf.figures import machine_line, table

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "timebank-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timebank(env: dict, *args: str) -> str:
    """Run the ``timebank`` command of this checkout."""
    code = "import sys; sys.argv[0] = 'timebank'; from timebank.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True)
    return done.stdout


def serve(app: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app], cwd=ROOT, env=env)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{app} did not start")


def request(port: int, method: str, path: str, cookie: str = "", body: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept-Language": "fr", "Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def sign_in(port: int, email: str) -> str:
    """Sign in through the login form (CSRF included); return the Cookie header of the session."""
    response, data = request(port, "GET", "/login")
    jar = _cookies(response)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', data).group(1).decode()
    body = urllib.parse.urlencode({"csrf_token": token, "identifier": email, "password": PASSWORD})
    response, _ = request(port, "POST", "/login", _header(jar), body)
    if response.status not in (302, 303):
        raise SystemExit(f"could not sign in as {email}: {response.status}")
    jar.update(_cookies(response))
    return _header(jar)


def _cookies(response) -> dict:
    jar = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()
    return jar


def _header(jar: dict) -> str:
    return "; ".join(f"{key}={value}" for key, value in jar.items())


def load_wrk(port: int, path: str, cookie: str, duration: float, connections: int) -> tuple[float, float, float]:
    headers = ["-H", "Accept-Language: fr"] + (["-H", f"Cookie: {cookie}"] if cookie else [])
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "30s", "--latency", *headers,
         f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{path} answered errors under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps, _wrk_ms(out, "50%"), _wrk_ms(out, "99%")


def _wrk_ms(out: str, percent: str) -> float:
    value, unit = re.search(rf"{percent}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def load_threads(port: int, path: str, cookie: str, duration: float, connections: int) -> tuple[float, float, float]:
    """The same measure without wrk: ``connections`` threads, each requesting the page in a loop."""
    latencies: list[float] = []
    errors: list[int] = []
    stop = time.perf_counter() + duration

    def worker():
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            response, _ = request(port, "GET", path, cookie)
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                errors.append(response.status)
        latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{path} answered {sorted(set(errors))} under load")
    latencies.sort()
    return (len(latencies) / elapsed, statistics.median(latencies) * 1e3,
            latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1e3)


def pages(database_url: str) -> tuple[list[str], list[str]]:
    """The resident's pages (signed in as Amina) and the coordinator's, with ids read from the database."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        def one(sql: str, **params):
            return connection.execute(sa.text(sql), params).scalar()

        amina = one("SELECT id FROM member WHERE email = 'amina@example.org'")
        karim = one("SELECT id FROM member WHERE email = 'karim@example.org'")
        listing = one("SELECT max(id) FROM listing WHERE status = 'open'")
        exchange = one("SELECT max(id) FROM exchange WHERE provider_id = :m OR recipient_id = :m", m=amina)
    engine.dispose()
    resident = ["/", "/listings", f"/listings/{listing}", "/members", f"/members/{karim}", "/me/hours",
                "/exchanges", f"/exchanges/{exchange}", "/messages", "/notifications",
                "/listings?q=aide", "/listings?q=aide&type=offer&language=fr&area=Centre"]
    return resident, ["/coordination/"]


def cpu_per_request(client, path: str, count: int, headers: dict | None = None, clock=time.process_time) -> float:
    """Median CPU milliseconds of one request through the test client (no network, no other process); with
    ``clock=time.perf_counter``, wall-clock milliseconds (PostgreSQL works in its own processes)."""
    samples = []
    for _ in range(count):
        started = clock()
        response = client.get(path, headers=headers or {})
        samples.append(clock() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return statistics.median(samples) * 1e3


def in_process(database: str, resident: list[str], coordinator: list[str], count: int) -> None:
    """CPU time a request in this process, next to the floor's: steady on a busy machine, where wall-clock
    figures move with the other processes."""
    from tests.perf.floor_app import app as floor_app
    from timebank import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench-pages", "WTF_CSRF_ENABLED": False})
    floor = cpu_per_request(floor_app.test_client(), "/", count * 2)
    print(f"floor (bare Flask + Jinja, 20 cards): {floor:.2f} ms CPU a request (test client, median of {count * 2})")
    print()
    rows = []
    for who, paths in (("amina@example.org", resident), ("coordination@example.org", coordinator)):
        client = app.test_client()
        client.post("/login", data={"identifier": who, "password": PASSWORD})
        for path in paths:
            cpu_per_request(client, path, 3, {"Accept-Language": "fr"})  # warm
            cost = cpu_per_request(client, path, count, {"Accept-Language": "fr"})
            rows.append((path, cost, floor / cost))
    print(table(["page (signed in)", "CPU ms", "× floor"], rows, formats=[".2f", ".3f"], first=58))


def compare(small: str, large: str, count: int, rounds: int, wall: bool) -> None:
    """Each page on two instances (the demo and a large one), in turns within the same minutes: ``rounds``
    rounds, each page's best median kept, so that what the other processes of the machine do weighs on both
    sizes alike. Prints each page's cost at both sizes, their ratio, and the small size next to the floor."""
    from tests.perf.floor_app import app as floor_app
    from timebank import create_app

    clock = time.perf_counter if wall else time.process_time
    sizes = {}
    for name, url in (("small", small), ("large", large)):
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-pages", "WTF_CSRF_ENABLED": False})
        resident, coordinator = pages(url)
        visits = []
        for who, paths in (("amina@example.org", resident), ("coordination@example.org", coordinator)):
            client = app.test_client()
            client.post("/login", data={"identifier": who, "password": PASSWORD})
            visits += [(client, path) for path in paths]
        sizes[name] = visits
    best: dict[tuple[str, int], float] = {}
    floor = float("inf")
    for _ in range(rounds):
        floor = min(floor, cpu_per_request(floor_app.test_client(), "/", count * 2, clock=clock))
        for name, visits in sizes.items():
            for index, (client, path) in enumerate(visits):
                cpu_per_request(client, path, 2, {"Accept-Language": "fr"}, clock)  # warm
                cost = cpu_per_request(client, path, count, {"Accept-Language": "fr"}, clock)
                best[name, index] = min(best.get((name, index), cost), cost)
    unit = "wall ms" if wall else "CPU ms"
    print(f"floor (bare Flask + Jinja, 20 cards): {floor:.2f} {unit} a request; best of {rounds} rounds of "
          f"medians of {count}")
    print()
    rows = []
    for index, (_client, path) in enumerate(sizes["small"]):
        small_cost, large_cost = best["small", index], best["large", index]
        rows.append((path, small_cost, large_cost, large_cost / small_cost, floor / small_cost))
    print(table(["page (signed in)", f"small {unit}", f"large {unit}", "large/small", "small × floor"], rows,
                formats=[".2f", ".2f", ".2f", ".3f"], first=58))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an existing demo instance (default: a fresh SQLite demo)")
    parser.add_argument("--scale", help="MEMBERS,LISTINGS,TRANSFERS,MESSAGES[,EXCHANGES] added by `timebank demo "
                        "scale`")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", action="store_true", help="use the Python load loop even if wrk is there")
    parser.add_argument("--in-process", type=int, metavar="N", help="instead of gunicorn: the median CPU time of "
                        "N requests a page through the test client, next to the floor's")
    parser.add_argument("--compare", nargs=2, metavar=("SMALL_URL", "LARGE_URL"), help="with --in-process: the "
                        "same pages on two existing instances in turns (the demo and `demo scale` data)")
    parser.add_argument("--rounds", type=int, default=3, help="with --compare: rounds, each page's best kept")
    parser.add_argument("--wall", action="store_true", help="with --compare: wall-clock time (for PostgreSQL, "
                        "whose work is in its own processes)")
    args = parser.parse_args()
    if args.compare:
        print(machine_line())
        return compare(*args.compare, args.in_process or 15, args.rounds, args.wall)
    load = load_threads if args.threads or not shutil.which("wrk") else load_wrk

    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "bench-pages", "PYTHONPATH": str(ROOT),
               "TIMEBANK_UPLOAD_FOLDER": tmp}
        size = "given database"
        if not args.database:
            timebank(env, "db", "upgrade")
            timebank(env, "demo", "load")
            size = "demo data"
            if args.scale:
                members, listings, transfers, messages, exchanges = ([int(n) for n in args.scale.split(",")]
                                                                     + [0])[:5]
                started = time.perf_counter()
                timebank(env, "demo", "scale", "--members", str(members), "--listings", str(listings),
                         "--transfers", str(transfers), "--messages", str(messages), "--exchanges", str(exchanges))
                size = (f"demo + {members} members, {listings} listings, {transfers} transfers, {messages} messages,"
                        f" {exchanges} exchanges (built in {time.perf_counter() - started:.0f} s)")
        url = database.replace("postgresql://", "postgresql+psycopg://", 1)
        resident, coordinator = pages(url)
        if args.in_process:
            print(machine_line())
            print(f"database: {database.split(':', 1)[0]}, {size}")
            return in_process(url, resident, coordinator, args.in_process)
        app_port, floor_port = free_port(), free_port()
        servers = [serve("timebank:create_app()", app_port, args.workers, env),
                   serve("tests.perf.floor_app:app", floor_port, args.workers, env)]
        try:
            results = measure(load, app_port, floor_port, resident, coordinator, args)
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
    report(results, size, database, load, args)


def measure(load, app_port, floor_port, resident, coordinator, args):
    cookies = {"amina@example.org": sign_in(app_port, "amina@example.org"),
               "coordination@example.org": sign_in(app_port, "coordination@example.org")}
    plan = [(path, "amina@example.org") for path in resident] + [(path, "coordination@example.org")
                                                                  for path in coordinator]
    for path, who in plan:  # every page answers 200 (no redirect to a charter or a warning) before it is timed
        response, _ = request(app_port, "GET", path, cookies[who])
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status} for {who}")
    floors = [load(floor_port, "/", "", args.duration, args.connections)]
    results = []
    for path, who in plan:
        load(app_port, path, cookies[who], 1, args.connections)  # warm the workers' caches
        results.append((path, load(app_port, path, cookies[who], args.duration, args.connections)))
    floors.append(load(floor_port, "/", "", args.duration, args.connections))
    return floors, results


def report(results, size, database, load, args) -> None:
    floors, pages_measured = results
    floor_rps = statistics.mean(f[0] for f in floors)
    print(machine_line())
    print(f"database: {database.split(':', 1)[0]}, {size}; gunicorn {args.workers} sync workers; "
          f"{'wrk -t1' if load is load_wrk else 'Python threads'}, {args.connections} connections, "
          f"{args.duration:g} s a page")
    print(f"floor (bare Flask + Jinja, 20 cards): {floor_rps:.0f} requests/s "
          f"(first {floors[0][0]:.0f}, last {floors[1][0]:.0f}), p50 {floors[0][1]:.1f} ms")
    print()
    print(table(["page (signed in)", "req/s", "p50 ms", "p99 ms", "× floor"],
                [(path, rps, p50, p99, rps / floor_rps) for path, (rps, p50, p99) in pages_measured],
                formats=[".0f", ".1f", ".1f", ".3f"], first=58))


if __name__ == "__main__":
    main()
