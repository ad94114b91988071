"""Security baseline: headers, CSRF, cookies, error pages that never leak a stack trace."""
import re

import pytest
from flask import Blueprint

from tests.conftest import csrf_token, text_of


def test_every_page_sends_security_headers(client):
    for url in ("/", "/login", "/does-not-exist", "/health"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def _register_sw_hash() -> str:
    import hashlib
    from pathlib import Path

    return hashlib.sha256((Path(__file__).parents[2] / "static/js/register-sw.js").read_bytes()).hexdigest()[:12]


STATIC_HASH = _register_sw_hash()


def test_pages_have_no_inline_script_or_style_and_no_external_requests(client):
    for url in ("/", "/login", "/register", "/password/forgot"):
        html = client.get(url).get_data(as_text=True)
        # The only script is the service worker's installer, a file of the site (issue 15); none inline.
        assert re.findall(r"<script[^>]*>", html) == [
            f'<script src="/static/js/register-sw.js?v={STATIC_HASH}" defer>']
        assert "style=" not in html and "<style" not in html
        assert "http://" not in html.replace("http://timebank.test", "") and "https://" not in html


def test_a_post_without_csrf_token_is_refused(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    people.member("Karim Benali")

    refused = client.post("/login", data={"identifier": "karim@example.org", "password": "correct horse battery"})

    assert refused.status_code == 400
    assert "This form has expired" in text_of(refused)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    accepted = client.post("/login", data={"identifier": "karim@example.org", "password": "correct horse battery",
                                           "csrf_token": token})
    assert accepted.status_code == 302


def test_sign_out_needs_the_csrf_token_too(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    people.member("Karim Benali")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"identifier": "karim@example.org", "password": "correct horse battery",
                                "csrf_token": token})

    assert client.post("/logout").status_code == 400
    assert "Hello Karim" in text_of(client.get("/"))


def test_session_cookie_is_httponly_and_lax(client, auth, people):
    people.member("Karim Benali")
    response = auth.login("karim@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookies_are_secure_when_served_over_https(make_app, people):
    app = make_app(TIMEBANK_HTTPS=True)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    people.member("Karim Benali")
    response = app.test_client().post("/login", data={"identifier": "karim@example.org",
                                                      "password": "correct horse battery"})
    assert "Secure" in response.headers["Set-Cookie"]


def test_not_found_page_is_in_the_visitor_language(app):
    client = app.test_client()
    response = client.get("/nowhere?lang=en")
    assert response.status_code == 404
    assert "We cannot find this page" in text_of(response)


def test_an_unexpected_error_shows_a_calm_page_without_details(make_app):
    app = make_app()
    broken = Blueprint("broken", __name__)

    @broken.get("/broken")
    def explode():
        raise RuntimeError("secret internals")

    app.register_blueprint(broken)
    response = app.test_client().get("/broken?lang=en")

    assert response.status_code == 500
    assert "Something went wrong on our side" in text_of(response)
    assert "secret internals" not in response.get_data(as_text=True)


def test_method_not_allowed_has_a_page(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "This action is not possible here" in text_of(response)


def test_oversized_posts_are_refused(client):
    response = client.post("/login", data={"identifier": "x" * (3 * 1024 * 1024), "password": "y"})
    assert response.status_code == 413


def test_user_text_is_escaped(client, auth, people):
    people.coordinator("Sandrine Martin")
    people.applicant('<script>alert("x")</script>', email="evil@example.org")
    auth.login("sandrine@example.org")
    html = client.get("/coordination/").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_says_503_when_the_database_is_gone(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing-dir/nothing.sqlite")
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_page_titles_are_plain_text(client, people, auth):
    import re

    people.coordinator("Sandrine Martin")
    auth.login("sandrine@example.org")
    for url in ("/", "/coordination/", "/listings", "/members", "/me/hours", "/give", "/notifications",
                "/me/profile", "/me/listings", "/listings/new"):
        title = re.search(r"<title>(.*?)</title>", client.get(url).get_data(as_text=True), re.S).group(1)
        assert "<" not in title and len(title) < 80, (url, title)


def test_no_page_repeats_a_section_id(client, people, auth):
    import re
    from collections import Counter

    people.coordinator("Sandrine Martin")
    auth.login("sandrine@example.org")
    for url in ("/", "/coordination/", "/listings", "/members", "/me/hours", "/give", "/notifications",
                "/me/profile", "/me/listings", "/listings/new", "/exchanges", "/messages"):
        html = client.get(url).get_data(as_text=True)
        ids = Counter(re.findall(r'<(?:section|h2|h1)[^>]* id="([^"]+)"', html))
        assert [name for name, count in ids.items() if count > 1] == [], url


def test_private_pages_are_never_kept_in_a_cache(client, people):
    """A shared computer or a proxy must not keep Amina's statement, messages or calendar."""
    import re
    from datetime import date, timedelta

    from tests.conftest import login
    from tests.factories import publish

    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    listing_id = publish(client.application, amina, "Aide pour les papiers", category="paperwork")
    login(client, karim)
    proposal = client.post(f"/exchanges/new?listing={listing_id}", data={
        "role": "receive", "title": "Papiers", "hours": "1", "minutes": "0",
        "on_date": (date.today() + timedelta(days=10)).isoformat()})
    eid = int(re.search(r"/exchanges/(\d+)", proposal.headers["Location"]).group(1))
    login(client, amina)
    client.post(f"/exchanges/{eid}/accept")

    for url in ("/", "/me/hours", "/me/hours.csv", "/messages", f"/exchanges/{eid}", f"/exchanges/{eid}.ics",
                "/me/profile", "/listings", "/does-not-exist"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert response.headers.get("Cache-Control") == "no-store", url


def test_sign_in_and_password_pages_are_never_kept_in_a_cache(client, people):
    for url in ("/login", "/register", "/password/forgot", "/password/reset/not-a-token"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url


def test_static_files_stay_cacheable(client, people):
    from tests.conftest import login

    login(client, people.member("Amina Diallo"))
    response = client.get("/static/css/timebank.css")
    assert response.status_code == 200
    assert "no-store" not in (response.headers.get("Cache-Control") or "")
