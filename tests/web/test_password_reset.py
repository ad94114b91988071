"""Karim forgot his password: a link by e-mail, used once, valid for a limited time."""
import re

import pytest

from tests.conftest import text_of


def reset_link(people, email="karim@example.org") -> str:
    mail = people.outbox(to=email)[-1]
    match = re.search(r"http://timebank\.test(/password/reset/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_full_reset_flow(client, auth, people):
    karim = people.member("Karim Benali", locale="fr")

    response = client.post("/password/forgot", data={"email": "Karim@Example.org"})

    assert response.status_code == 302
    assert "we have sent it a link" in text_of(client.get("/login"))
    [mail] = people.outbox(to="karim@example.org")
    assert mail.locale == "fr"
    link = reset_link(people)
    page = client.get(link)
    assert "For the account of Karim Benali." in text_of(page)

    assert client.post(link, data={"password": "a brand new sentence"}).status_code == 302

    assert auth.login("karim@example.org", karim.password).status_code == 401
    assert auth.login("karim@example.org", "a brand new sentence").status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(client, people):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "If an account uses this address" in text_of(response)
    assert people.outbox() == []


def test_a_link_works_only_once(client, people):
    people.member("Karim Benali")
    client.post("/password/forgot", data={"email": "karim@example.org"})
    link = reset_link(people)
    client.post(link, data={"password": "a brand new sentence"})

    reused = client.post(link, data={"password": "someone else's choice"})

    assert reused.status_code == 400
    assert "This link has already been used." in text_of(reused)


def test_an_expired_link_is_refused(make_app, people):
    app = make_app(PASSWORD_RESET_MAX_AGE=-1)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    karim = people.member("Karim Benali")
    client.post("/password/forgot", data={"email": "karim@example.org"})

    response = client.post(reset_link(people), data={"password": "a brand new sentence"})

    assert response.status_code == 400
    assert "This link has expired." in text_of(response)
    assert client.post("/login", data={"identifier": "karim@example.org", "password": karim.password}).status_code == 302


@pytest.mark.parametrize("token", ["garbage", "eyJtIjoxfQ.aaaa.bbbb", "x" * 500])
def test_a_forged_link_is_refused(client, people, token):
    people.member("Karim Benali")
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    assert "This link is not valid." in text_of(response)


def test_a_short_new_password_is_refused(client, auth, people):
    karim = people.member("Karim Benali")
    client.post("/password/forgot", data={"email": "karim@example.org"})

    response = client.post(reset_link(people), data={"password": "short"})

    assert response.status_code == 422
    assert "Your password needs at least 10 characters." in text_of(response)
    assert auth.login("karim@example.org", karim.password).status_code == 302


def test_asking_for_links_is_rate_limited(client, people):
    people.member("Karim Benali")
    for email in ("karim@example.org", "a@example.org", "b@example.org", "c@example.org", "d@example.org"):
        assert client.post("/password/forgot", data={"email": email}).status_code == 302
    assert client.post("/password/forgot", data={"email": "karim@example.org"}).status_code == 429
    assert len(people.outbox()) == 1


def test_links_for_one_address_are_limited_whoever_asks(make_app, people):
    """Strangers at many addresses cannot flood Karim's mailbox with links."""
    app = make_app(TIMEBANK_PROXY_COUNT=1)
    people.member("Karim Benali")
    answers = []
    for index in range(5):
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{index}"
        answers.append(client.post("/password/forgot", data={"email": "KARIM@example.org"}).status_code)

    assert answers == [302, 302, 302, 429, 429]
    assert len(people.outbox(to="karim@example.org")) == 3


def test_the_limit_per_address_asked_for_is_the_same_for_unknown_addresses(make_app, people):
    app = make_app(TIMEBANK_PROXY_COUNT=1)
    answers = []
    for index in range(5):
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{index}"
        answers.append(client.post("/password/forgot", data={"email": "nobody@example.org"}).status_code)

    assert answers == [302, 302, 302, 429, 429]
