"""A copied session or "stay signed in" cookie stops working once Amina signs out, changes or resets her
password, or asks to be signed out everywhere; a coordinator can do it for a member who lost her phone."""
import re

import pytest

from tests.conftest import audit_text, login, text_of


def sign_in_and_copy(app, resident, *, remember=True) -> dict:
    """Sign in on a phone that someone else copies the cookies of; return the copied cookies."""
    phone = app.test_client()
    response = phone.post("/login", data={"identifier": resident.email or str(resident.number),
                                          "password": resident.password, **({"remember": "y"} if remember else {})})
    assert response.status_code == 302
    copied = {"session": phone.get_cookie("session").value}
    if remember:
        copied["remember_token"] = phone.get_cookie("remember_token").value
    return copied


def replay(app, name: str, value: str):
    """A fresh browser that only has one copied cookie asks for a private page."""
    thief = app.test_client()
    thief.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    thief.set_cookie(name, value)
    return thief.get("/me/hours")


def assert_refused(app, copied: dict) -> None:
    for name, value in copied.items():
        response = replay(app, name, value)
        assert response.status_code == 302, name
        assert response.headers["Location"].startswith("/login"), name


def assert_accepted(app, copied: dict) -> None:
    for name, value in copied.items():
        response = replay(app, name, value)
        assert response.status_code == 200, name
        assert "My hours" in text_of(response) or "hours" in text_of(response)


def test_copied_cookies_work_while_amina_is_signed_in(app, people):
    amina = people.member("Amina Diallo")
    assert_accepted(app, sign_in_and_copy(app, amina))


def test_the_stay_signed_in_cookie_changes_after_signing_out(app, people):
    amina = people.member("Amina Diallo")
    first = sign_in_and_copy(app, amina)
    phone = app.test_client()
    phone.set_cookie("session", first["session"])
    phone.post("/logout")

    second = sign_in_and_copy(app, amina)

    assert second["remember_token"] != first["remember_token"]


def test_signing_out_ends_the_copied_cookies(app, client, people):
    amina = people.member("Amina Diallo")
    copied = sign_in_and_copy(app, amina)
    client.set_cookie("session", copied["session"])

    client.post("/logout")

    assert_refused(app, copied)


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, client, people):
    amina = people.member("Amina Diallo")
    copied = sign_in_and_copy(app, amina)
    login(client, amina)

    response = client.post("/me/password", data={"current_password": amina.password,
                                                 "new_password": "a new sentence to remember"})

    assert response.status_code == 303
    assert_refused(app, copied)
    assert "Your new password is saved." in text_of(client.get("/me/profile"))
    assert client.get("/me/hours").status_code == 200


def test_changing_the_password_keeps_this_device_remembered(app, client, people):
    amina = people.member("Amina Diallo")
    client.post("/login", data={"identifier": amina.email, "password": amina.password, "remember": "y"})
    old = client.get_cookie("remember_token").value

    client.post("/me/password", data={"current_password": amina.password, "new_password": "a new sentence to remember"})

    new = client.get_cookie("remember_token").value
    assert new != old
    assert_accepted(app, {"remember_token": new})
    assert_refused(app, {"remember_token": old})


def test_a_password_reset_ends_every_session(app, client, people):
    amina = people.member("Amina Diallo")
    copied = sign_in_and_copy(app, amina)
    client.post("/password/forgot", data={"email": amina.email})
    link = re.search(r"http://timebank\.test(/password/reset/\S+)", people.outbox(to=amina.email)[-1].body).group(1)

    assert client.post(link, data={"password": "a brand new sentence"}).status_code == 302

    assert_refused(app, copied)


def test_amina_signs_out_everywhere_else_from_her_profile(app, client, people):
    amina = people.member("Amina Diallo")
    copied = sign_in_and_copy(app, amina)
    login(client, amina)
    profile = client.get("/me/profile")
    assert "Lost your phone, or signed in on a shared computer?" in text_of(profile)
    assert 'value="Sign out everywhere else"' in profile.get_data(as_text=True)

    response = client.post("/me/sign-out-everywhere", follow_redirects=True)

    assert "You are signed out on every other phone and computer." in text_of(response)
    assert_refused(app, copied)
    assert client.get("/me/hours").status_code == 200  # this phone stays signed in


def test_sessions_from_before_the_session_token_are_refused(client, people):
    amina = people.member("Amina Diallo")
    with client.session_transaction() as session:
        session["_user_id"] = str(amina.id)  # what a session looked like before: the member's id
        session["_fresh"] = True

    response = client.get("/me/hours")

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_old_stay_signed_in_cookie_is_refused(app, people):
    from flask_login.utils import encode_cookie

    amina = people.member("Amina Diallo")
    with app.test_request_context():
        old_cookie = encode_cookie(str(amina.id))  # what "stay signed in" looked like before

    assert_refused(app, {"remember_token": old_cookie})


@pytest.fixture
def cast(people):
    return people.coordinator("Sandrine Martin"), people.member("Amina Diallo")


def test_a_coordinator_signs_out_everywhere_a_member_who_lost_her_phone(app, client, people, cast):
    sandrine, amina = cast
    copied = sign_in_and_copy(app, amina)
    login(client, sandrine)
    assert "Sign out everywhere" in text_of(client.get(f"/coordination/members/{amina.id}"))

    response = client.post(f"/coordination/members/{amina.id}/sessions",
                           data={"sessions-reason": "Phone stolen at the market, she called us"},
                           follow_redirects=True)

    assert "Amina Diallo is signed out on every phone and computer." in text_of(response)
    assert_refused(app, copied)
    log = audit_text(client)
    assert "signed Amina Diallo out on every device" in log and "Phone stolen at the market, she called us" in log


def test_the_coordinator_must_write_a_reason(app, client, people, cast):
    sandrine, amina = cast
    copied = sign_in_and_copy(app, amina)
    login(client, sandrine)

    response = client.post(f"/coordination/members/{amina.id}/sessions", data={"sessions-reason": ""})

    assert response.status_code == 422
    assert "Please write the reason." in text_of(response)
    assert_accepted(app, copied)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_a_coordinator_cannot_sign_out_another_coordinator_or_an_admin(app, client, people, cast, role):
    sandrine, amina = cast
    other = getattr(people, role)("Claire Dubois")
    copied = sign_in_and_copy(app, other)
    login(client, sandrine)

    response = client.post(f"/coordination/members/{other.id}/sessions", data={"sessions-reason": "Just because"})

    assert response.status_code == 403
    assert "Only an admin can sign out a coordinator or an admin." in text_of(response)
    assert_accepted(app, copied)
    assert "out on every device" not in audit_text(client)


def test_an_admin_can_sign_out_a_coordinator_everywhere(app, client, people, cast):
    sandrine, amina = cast
    claire = people.admin("Claire Dubois")
    copied = sign_in_and_copy(app, sandrine)
    login(client, claire)

    client.post(f"/coordination/members/{sandrine.id}/sessions", data={"sessions-reason": "Her laptop was stolen"})

    assert_refused(app, copied)
    assert "Claire Dubois signed Sandrine Martin out on every device" in audit_text(client)


def test_members_cannot_sign_out_each_other(app, client, people, cast):
    sandrine, amina = cast
    karim = people.member("Karim Benali")
    copied = sign_in_and_copy(app, amina)
    login(client, karim)

    assert client.post(f"/coordination/members/{amina.id}/sessions", data={"sessions-reason": "x"}).status_code == 403

    assert_accepted(app, copied)


def test_a_new_temporary_password_from_a_coordinator_ends_every_session(app, client, people, cast):
    sandrine, _ = cast
    amina = people.member("Aminata Traoré", email=None)  # without e-mail: the only members who get one
    copied = sign_in_and_copy(app, amina)
    login(client, sandrine)

    assert client.post(f"/coordination/members/{amina.id}/password").status_code == 200

    assert_refused(app, copied)
