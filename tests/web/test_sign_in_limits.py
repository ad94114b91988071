"""Behind the reverse proxy, each visitor is limited on her own address, and a stranger guessing Karim's
password from elsewhere cannot lock Karim out."""
from tests.conftest import text_of


def browser(app, address: str, *, via_proxy: bool = True):
    """A browser at ``address``; through the proxy, the address arrives in X-Forwarded-For."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if via_proxy:
        client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the proxy, the same for everyone
        client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    else:
        client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, identifier, password):
    return client.post("/login", data={"identifier": identifier, "password": password})


def test_behind_the_proxy_two_visitors_are_limited_separately(make_app, people):
    app = make_app(TIMEBANK_PROXY_COUNT=1, TIMEBANK_LOGIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
    people.member("Karim Benali")
    stranger, karim = browser(app, "203.0.113.7"), browser(app, "198.51.100.20")
    for index in range(3):
        attempt(stranger, f"someone{index}@example.org", "guess guess")

    assert attempt(stranger, "someone9@example.org", "guess guess").status_code == 429
    assert attempt(karim, "karim@example.org", "correct horse battery").status_code == 302


def test_without_the_setting_the_forwarded_address_is_not_believed(make_app, people):
    """A visitor cannot dodge the limit by writing a new X-Forwarded-For at each attempt."""
    app = make_app(TIMEBANK_LOGIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
    people.member("Karim Benali")
    for index in range(3):
        attempt(browser(app, f"203.0.113.{index}"), f"someone{index}@example.org", "guess guess")

    assert attempt(browser(app, "203.0.113.99"), "someone@example.org", "guess guess").status_code == 429


def test_a_stranger_guessing_cannot_lock_karim_out(make_app, people):
    app = make_app(TIMEBANK_PROXY_COUNT=1)
    people.member("Karim Benali")
    stranger = browser(app, "203.0.113.7")
    for _ in range(5):
        assert attempt(stranger, "karim@example.org", "guess guess guess").status_code == 401

    blocked = attempt(stranger, "karim@example.org", "another guess")
    assert blocked.status_code == 429
    assert "Please try again in" in text_of(blocked)

    karim = browser(app, "198.51.100.20")
    assert attempt(karim, "karim@example.org", "correct horse battery").status_code == 302
    assert "Hello Karim" in text_of(karim.get("/"))


def test_the_wait_is_said_in_minutes(make_app, people):
    app = make_app()
    people.member("Karim Benali")
    client = browser(app, "203.0.113.7", via_proxy=False)
    for _ in range(5):
        attempt(client, "karim@example.org", "guess guess guess")

    blocked = attempt(client, "karim@example.org", "guess guess guess")

    assert blocked.status_code == 429
    assert "Please try again in 15 minutes." in text_of(blocked)
    assert blocked.headers["Retry-After"]


def test_the_proxy_setting_is_read_from_the_environment(monkeypatch, tmp_path):
    from timebank import create_app

    monkeypatch.setenv("TIMEBANK_PROXY_COUNT", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    monkeypatch.setenv("SECRET_KEY", "x")
    assert create_app().config["TIMEBANK_PROXY_COUNT"] == 1


def test_a_crowd_guessing_karims_password_is_slowed_but_karim_gets_in(make_app, people):
    """Many addresses guessing one account: strangers must wait; Karim's own phone, or a phone where he
    chose a new password with the e-mailed link, still gets in."""
    import re

    app = make_app(TIMEBANK_PROXY_COUNT=1, TIMEBANK_LOGIN_LIMIT_PER_ACCOUNT_ANYWHERE="4 per hour")
    karim = people.member("Karim Benali")
    phone = browser(app, "198.51.100.20")
    assert attempt(phone, "karim@example.org", "correct horse battery").status_code == 302
    phone.post("/logout")

    for index in range(4):
        assert attempt(browser(app, f"203.0.113.{index}"), "karim@example.org", "a guess").status_code == 401
    slowed = attempt(browser(app, "203.0.113.50"), "karim@example.org", "correct horse battery")

    assert slowed.status_code == 429
    assert "Someone may be trying to guess this password." in text_of(slowed)
    assert "I forgot my password" in text_of(slowed)
    # Karim's phone, known from an earlier sign-in, is not held back (by e-mail or by number).
    assert attempt(phone, "karim@example.org", "correct horse battery").status_code == 302
    phone.post("/logout")
    assert attempt(phone, f"M-{karim.number}", "correct horse battery").status_code == 302
    phone.post("/logout")
    # On a new computer, Karim chooses a new password with the e-mailed link; that computer is then his.
    computer = browser(app, "198.51.100.99")
    assert attempt(computer, "karim@example.org", "correct horse battery").status_code == 429
    computer.post("/password/forgot", data={"email": "karim@example.org"})
    link = re.search(r"http://timebank\.test(/password/reset/\S+)", people.outbox(to="karim@example.org")[-1].body)
    computer.post(link.group(1), data={"password": "a brand new sentence"})
    assert attempt(computer, "karim@example.org", "a brand new sentence").status_code == 302
    # The strangers still wait.
    assert attempt(browser(app, "203.0.113.51"), "karim@example.org", "a brand new sentence").status_code == 429


def test_a_forged_device_cookie_is_not_believed(make_app, people):
    app = make_app(TIMEBANK_PROXY_COUNT=1, TIMEBANK_LOGIN_LIMIT_PER_ACCOUNT_ANYWHERE="2 per hour")
    karim = people.member("Karim Benali")
    for index in range(2):
        attempt(browser(app, f"203.0.113.{index}"), "karim@example.org", "a guess")
    forger = browser(app, "203.0.113.9")
    forger.set_cookie("timebank_device", f"[{karim.id}]")

    assert attempt(forger, "karim@example.org", "correct horse battery").status_code == 429
