"""A NUL character typed or forged into a sign-in, password or join form gets a clear answer, never a server
error (PostgreSQL refuses NUL in text)."""
import pytest

from tests.conftest import text_of

JOIN = {"display_name": "Nadia Haddad", "email": "nadia@example.org", "password": "jasmine on the balcony",
        "locale": "en", "area": "Centre", "languages": ["fr"], "charter": "y"}


@pytest.mark.parametrize("data", [
    {"identifier": "karim@example.org\x00", "password": "correct horse battery"},
    {"identifier": "\x00", "password": "correct horse battery"},
    {"identifier": "10\x0001", "password": "a guess"},
    {"identifier": "karim@example.org", "password": "correct horse\x00battery"},
])
def test_a_nul_character_in_the_sign_in_form_is_explained(client, people, data):
    people.member("Karim Benali")

    response = client.post("/login", data=data)

    assert response.status_code == 422
    assert "This contains a character that cannot be typed." in text_of(response)
    assert "Hello Karim" not in text_of(client.get("/"))


def test_a_nul_character_in_the_password_link_form_is_explained(client, people):
    people.member("Karim Benali")

    response = client.post("/password/forgot", data={"email": "karim@example.org\x00"})

    assert response.status_code == 422
    assert people.outbox() == []


def test_a_nul_character_in_a_new_password_is_explained(client, people):
    import re

    people.member("Karim Benali")
    client.post("/password/forgot", data={"email": "karim@example.org"})
    link = re.search(r"http://timebank\.test(/password/reset/\S+)", people.outbox()[-1].body).group(1)

    response = client.post(link, data={"password": "a brand new\x00sentence"})

    assert response.status_code == 422
    assert "This contains a character that cannot be typed." in text_of(response)


@pytest.mark.parametrize("field", ["display_name", "email", "password", "area", "locale", "languages"])
def test_a_nul_character_in_the_join_form_is_explained(client, people, field):
    data = {**JOIN, field: ["fr\x00"] if field == "languages" else JOIN[field] + "\x00"}

    response = client.post("/register", data=data)

    assert response.status_code == 422
    assert people.count_members() == 0


def test_a_nul_character_in_the_password_change_form_is_explained(client, people):
    from tests.conftest import login

    karim = people.member("Karim Benali")
    login(client, karim)

    response = client.post("/me/password", data={"current_password": karim.password + "\x00",
                                                 "new_password": "a brand new sentence"})

    assert response.status_code == 422
    assert "This contains a character that cannot be typed." in text_of(response)
