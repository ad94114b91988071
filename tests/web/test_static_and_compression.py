"""Static files carry their content's hash and are kept a year; pages travel compressed when no proxy does it."""
from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli

STATIC = Path(__file__).parents[2] / "static"


def digest(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def test_pages_name_static_files_by_their_content(client):
    html = client.get("/login").get_data(as_text=True)

    assert f'href="/static/css/timebank.css?v={digest("css/timebank.css")}"' in html
    assert f'src="/static/js/register-sw.js?v={digest("js/register-sw.js")}"' in html
    assert not re.search(r'"/static/[^"?]+"', html)  # every static address carries its hash


def test_a_hashed_static_file_is_kept_a_year_and_an_old_hash_is_revalidated(client):
    current = client.get(f"/static/css/timebank.css?v={digest('css/timebank.css')}")
    old = client.get("/static/css/timebank.css?v=000000000000")
    plain = client.get("/static/css/timebank.css")

    assert current.status_code == 200
    assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert old.status_code == 200 and "immutable" not in (old.headers.get("Cache-Control") or "")
    assert "immutable" not in (plain.headers.get("Cache-Control") or "")
    assert current.get_data() == (STATIC / "css/timebank.css").read_bytes()


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    from timebank.static_files import file_version

    app.static_folder = str(tmp_path)
    (tmp_path / "a.css").write_text("body { color: black }")
    first = file_version(app, "a.css")
    (tmp_path / "a.css").write_text("body { color: navy }")

    assert file_version(app, "a.css") != first
    assert file_version(app, "../secret") is None and file_version(app, "missing.css") is None


def test_pages_are_compressed_for_a_browser_that_accepts_it(client):
    plain = client.get("/login")
    zipped = client.get("/login", headers={"Accept-Encoding": "gzip"})
    brotlied = client.get("/login", headers={"Accept-Encoding": "br, gzip"})

    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert brotlied.headers["Content-Encoding"] == "br"
    assert brotli.decompress(brotlied.get_data()) == plain.get_data()
    assert len(zipped.get_data()) < len(plain.get_data()) / 2


def test_behind_a_proxy_pages_are_left_for_the_proxy_to_compress(make_app):
    behind = make_app(TIMEBANK_PROXY_COUNT=1).test_client()
    forced = make_app(TIMEBANK_PROXY_COUNT=1, TIMEBANK_COMPRESS=True).test_client()

    assert "Content-Encoding" not in behind.get("/login", headers={"Accept-Encoding": "gzip"}).headers
    assert forced.get("/login", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
