"""CI: start Timebank under gunicorn with the shipped settings, sign in as an admin and read a page.

Run with the virtual environment's Python: .venv/bin/python .ci/serve_check.py
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEBANK = [sys.executable, "-m", "flask", "--app", "timebank"]  # this checkout's code, whatever is installed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="timebank-serve-"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'timebank.sqlite'}", "SECRET_KEY": "x" * 48,
           "TIMEBANK_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    env.pop("TIMEBANK_PROXY_COUNT", None)
    subprocess.run([*TIMEBANK, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*TIMEBANK, "users", "create-admin", "--name", "Claire Dubois", "--email",
                    "claire@example.org", "--password", "a long enough password", "--locale", "en"],
                   cwd=ROOT, env=env, check=True)
    log = open(folder / "gunicorn.log", "w+")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:timebank.gunicorn_conf", "timebank:create_app()"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener.addheaders = [("Accept-Language", "en")]
    try:
        for _ in range(100):
            try:
                if opener.open(f"{base}/health", timeout=5).status == 200:
                    break
            except OSError:  # not listening yet, or still starting its workers
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer /health")
        login = opener.open(f"{base}/login").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "identifier": "claire@example.org",
                                       "password": "a long enough password"}).encode()
        opener.open(f"{base}/login", data=form).read()
        admin = opener.open(f"{base}/admin/").read().decode()
        assert "Periodic jobs" in admin and "Claire Dubois" in admin, "the admin page was not served to the admin"
        try:
            opener.open(f"{base}/health/ready")
            raise AssertionError("/health/ready answered 200 before any periodic job ran")
        except urllib.error.HTTPError as error:
            assert error.code == 503 and json.loads(error.read())["database"] == "ok"
        subprocess.run([*TIMEBANK, "cron"], cwd=ROOT, env=env, check=True, capture_output=True)
        assert opener.open(f"{base}/health/ready").status == 200
        try:
            opener.open(f"{base}/password/reset/secret-token-of-a-member")
        except urllib.error.HTTPError:
            pass
    finally:
        server.terminate()
        server.wait(timeout=30)
    log.seek(0)
    output = log.read()
    assert "secret-token-of-a-member" not in output, "the access log shows a password-reset token"
    assert '"GET /admin/" 200' in output, output
    print(f"gunicorn with timebank.gunicorn_conf: signed in and served /admin/ on port {port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
