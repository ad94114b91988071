"""The server is killed in the middle of a burst of gifts: every gift a member was told about is there exactly once,
nothing is half-written, and the ledger verifies clean after the restart.

A real multi-worker server (gunicorn, 2 workers) serves the app on a file SQLite database (or, when
TIMEBANK_TEST_DATABASE_URL is set, the PostgreSQL test database), configured only through the environment
variables a real instance reads (``DATABASE_URL``, ``SECRET_KEY``). Several members give each other time from
threads, as browsers would: CSRF stays on, each gift reads the form (token and idempotency key) and sends it.
A gift is acknowledged when the server answers with the redirect to "My hours". Mid-burst the master and its
workers are killed with SIGKILL (their process group), the server is started again, and the database is read.

Select it alone with ``-m crash``; leave it out with ``-m "not crash"``.
"""
from __future__ import annotations

import html
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, base_config
from tests.factories import Factory
from timebank import ROOT, create_app
from timebank.extensions import db

pytestmark = pytest.mark.crash

GIVERS = 4
ROUNDS = 3
BURST_SECONDS = 1.2  # the server is killed this long after the burst starts
MEMO = re.compile(r"^crash r(\d+) t(\d+) n(\d+)$")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with 2 workers, in a process group of its own so that one signal kills master and workers."""

    def __init__(self, database_url: str, log: Path):
        self.database_url, self.log = database_url, log
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": "crash-test-secret",
               "TIMEBANK_BASE_URL": f"http://127.0.0.1:{self.port}", "PYTHONPATH": str(ROOT)}
        env.pop("TIMEBANK_TEST_DATABASE_URL", None)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
                 "--timeout", "30", "--graceful-timeout", "1", "timebank:create_app()"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise AssertionError(f"the server did not start; its log: {self.log.read_text()[-2000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL the master and its workers at once, as a power cut or the OOM killer would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A member's browser: cookies, no automatic redirects."""

    def __init__(self, server: Server):
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def request(self, path: str, form: dict | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.server.url + path, data=data, timeout=10) as answer:
                return answer.status, answer.headers.get("Location", ""), answer.read().decode()
        except urllib.error.HTTPError as answer:  # a redirect (not followed) or an error page
            try:
                body = answer.read().decode(errors="replace")
            except Exception:  # the server died after the status line: the status is what was said
                body = ""
            return answer.code, answer.headers.get("Location", ""), body

    def hidden(self, page: str, name: str) -> str:
        match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page)
        assert match, f"no {name} in the page"
        return html.unescape(match.group(1))

    def sign_in(self, email: str, password: str) -> None:
        _, _, page = self.request("/login")
        status, _, _ = self.request("/login", {"identifier": email, "password": password,
                                               "csrf_token": self.hidden(page, "csrf_token")})
        assert status == 302, f"{email} could not sign in"


def _give_until_killed(browser: Browser, *, round_: int, thread: int, to: int, stop: threading.Event,
                       acknowledged: list, unanswered: list) -> None:
    """Give 15 minutes again and again; note each gift the server acknowledged, and each one it never answered."""
    n = 0
    while not stop.is_set():
        n += 1
        memo = f"crash r{round_} t{thread} n{n}"
        try:
            _, _, page = browser.request("/give")
            form = {"to": str(to), "hours": "0", "minutes": "15", "memo": memo, "confirm": "yes",
                    "key": browser.hidden(page, "key"), "csrf_token": browser.hidden(page, "csrf_token")}
        except Exception:
            return  # the server is gone before the gift was sent: nothing to account for
        try:
            status, location, _ = browser.request("/give", form)
        except Exception:  # a reset connection, a truncated answer…
            unanswered.append(memo)  # sent; whether it happened, nobody was told
            return
        if status == 303 and location.endswith("/me/hours"):
            acknowledged.append(memo)
        else:
            unanswered.append(memo)  # a refusal (a limit…) may also come back: it must have written nothing


@pytest.fixture
def crash_database(migrated_database, tmp_path):
    """A database of its own on SQLite; on PostgreSQL the test database, emptied (the server needs it by URL)."""
    from tests.conftest import _empty_postgres

    if PG_URL:
        _empty_postgres(migrated_database)
        return migrated_database
    path = tmp_path / "timebank.sqlite"
    path.write_bytes(Path(migrated_database).read_bytes())
    return f"sqlite:///{path}"


def test_gifts_acknowledged_before_a_crash_are_all_there_once_and_the_ledger_is_clean(crash_database, tmp_path):
    started = time.monotonic()
    app = create_app(base_config(crash_database))
    people = Factory(app)
    names = ["Amina Diallo", "Karim Benali", "Nadia Haddad", "Omar Haddou"]
    residents = [people.member(name) for name in names]
    server = Server(crash_database, tmp_path / "gunicorn.log")
    acknowledged: list[str] = []
    unanswered: list[str] = []
    try:
        for round_ in range(1, ROUNDS + 1):
            server.start()
            browsers = []
            for resident in residents:
                browser = Browser(server)
                browser.sign_in(resident.email, resident.password)
                browsers.append(browser)
            stop = threading.Event()
            threads = [threading.Thread(target=_give_until_killed, kwargs=dict(
                browser=browser, round_=round_, thread=i, to=residents[(i + 1) % GIVERS].id, stop=stop,
                acknowledged=acknowledged, unanswered=unanswered)) for i, browser in enumerate(browsers)]
            for thread in threads:
                thread.start()
            time.sleep(BURST_SECONDS)
            server.kill()
            stop.set()
            for thread in threads:
                thread.join(timeout=20)
                assert not thread.is_alive()
        server.start()  # the instance comes back
        status, _, _ = Browser(server).request("/health")
        assert status == 200
    finally:
        server.kill()

    assert len(acknowledged) >= ROUNDS, "the burst acknowledged almost nothing: the test proves nothing"
    with app.app_context():
        from timebank.ledger.models import Transfer

        rows = db.session.execute(sa.select(Transfer.memo, Transfer.state, Transfer.key)
                                  .where(Transfer.memo.like("crash r%"))).all()
        found: dict[str, int] = {}
        for memo, state, key in rows:
            found[memo] = found.get(memo, 0) + 1
            assert state.value == "posted", f"{memo} is {state.value}"
        twice = [memo for memo, count in found.items() if count > 1]
        lost = [memo for memo in acknowledged if memo not in found]
        unknown = [memo for memo in found if memo not in acknowledged and memo not in unanswered]
        assert not twice, f"gifts written twice: {twice}"
        assert not lost, f"gifts acknowledged to the giver but not in the ledger: {lost}"
        assert not unknown, f"gifts in the ledger that nobody sent: {unknown}"
        result = app.test_cli_runner().invoke(args=["ledger", "verify"])
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "ledger OK" in result.output
    print(f"\ncrash test: {len(acknowledged)} gifts acknowledged, {len(unanswered)} unanswered "
          f"({sum(1 for m in unanswered if m in found)} of which went through), {ROUNDS} kills, "
          f"{time.monotonic() - started:.1f} s")
