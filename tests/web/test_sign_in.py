"""Signing in by e-mail or member number, signing out, and the limits on guessing."""
from tests.conftest import text_of

WRONG = "This e-mail address or member number and this password do not match."


def test_karim_signs_in_with_his_email_in_any_case(client, auth, people):
    people.member("Karim Benali")

    response = auth.login("  KARIM@example.org ")

    assert response.status_code == 302
    assert "Hello Karim" in text_of(client.get("/"))


def test_a_member_without_email_signs_in_with_the_number_on_his_sheet(client, auth, people):
    hamid = people.member("Hamid Cherif", email=None)

    assert auth.login(str(hamid.number), hamid.password).status_code == 302
    assert "Hello Hamid" in text_of(client.get("/"))


def test_member_number_can_be_typed_with_its_prefix(client, auth, people):
    hamid = people.member("Hamid Cherif", email=None)
    assert auth.login(f"M-{hamid.number}", hamid.password).status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_answer(client, auth, people):
    people.member("Karim Benali")

    wrong_password = auth.login("karim@example.org", "not his password")
    unknown = auth.login("nobody@example.org", "not his password")
    unknown_number = auth.login("999999", "not his password")

    for response in (wrong_password, unknown, unknown_number):
        assert response.status_code == 401
        assert WRONG in text_of(response)
    assert text_of(wrong_password) == text_of(unknown) == text_of(unknown_number)
    assert "Hello" not in text_of(client.get("/"))


def test_sign_out_is_a_post_and_ends_the_session(client, auth, people):
    people.member("Karim Benali")
    auth.login("karim@example.org")

    assert client.get("/logout").status_code == 405
    assert "Hello Karim" in text_of(client.get("/"))

    response = auth.logout()

    assert response.status_code == 302
    page = text_of(client.get("/"))
    assert "Hello Karim" not in page and "Join the timebank" in page


def test_next_goes_back_to_the_page_asked_for(client, auth, people):
    people.member("Karim Benali")
    response = client.get("/me/profile")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]

    response = auth.login("karim@example.org", next="/me/profile")

    assert response.headers["Location"] == "/me/profile"


def test_next_never_leaves_the_site(client, auth, people):
    people.member("Karim Benali")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        auth.logout()
        response = auth.login("karim@example.org", next=target)
        assert response.headers["Location"] == "/", target


def test_session_is_renewed_at_sign_in(client, auth, people):
    people.member("Karim Benali")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"

    auth.login("karim@example.org")

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_remember_me_sets_a_lasting_cookie(client, auth, people):
    people.member("Karim Benali")
    auth.login("karim@example.org", remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only and cookie.expires is not None


def test_guessing_one_account_is_stopped_after_five_failures(client, auth, people):
    people.member("Karim Benali")
    for _ in range(5):
        assert auth.login("karim@example.org", "guess guess guess").status_code == 401

    blocked = auth.login("karim@example.org", "correct horse battery")

    assert blocked.status_code == 429
    assert "Too many attempts" in text_of(blocked)
    assert "Hello Karim" not in text_of(client.get("/"))


def test_the_limit_is_per_account(client, auth, people):
    people.member("Karim Benali")
    people.member("Amina Diallo")
    for _ in range(5):
        auth.login("karim@example.org", "guess guess guess")

    assert auth.login("amina@example.org").status_code == 302


def test_one_address_cannot_try_many_accounts(make_app, people):
    app = make_app(TIMEBANK_LOGIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
    client = app.test_client()
    people.member("Karim Benali")
    for index in range(3):
        client.post("/login", data={"identifier": f"someone{index}@example.org", "password": "guess guess"})

    blocked = client.post("/login", data={"identifier": "karim@example.org", "password": "correct horse battery"})

    assert blocked.status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limit(client, auth, people):
    people.member("Karim Benali")
    for _ in range(7):
        assert auth.login("karim@example.org").status_code == 302
        auth.logout()


def test_empty_form_is_explained(client):
    response = client.post("/login", data={})
    assert response.status_code == 422
    page = text_of(response)
    assert "Please give your e-mail address or member number." in page
    assert "Please type your password." in page
