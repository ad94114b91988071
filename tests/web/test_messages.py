"""Karim writes to Amina; Amina answers; and a member who is blocked can no longer write or propose."""
import pytest

from tests.conftest import login, text_of
from timebank.timeutil import utcnow


@pytest.fixture
def pair(people):
    return people.member("Amina Diallo", locale="fr"), people.member("Karim Benali")



def test_a_conversation_with_unread_counts_and_an_e_mail(client, people, pair):
    amina, karim = pair
    login(client, karim)
    assert client.post(f"/messages/{amina.id}", data={"body": ""}).status_code == 422
    client.post(f"/messages/{amina.id}", data={"body": "Bonjour, êtes-vous libre mercredi ?"})
    [mail] = people.outbox(to="amina@example.org")
    assert mail.locale == "fr" and "Bonjour, êtes-vous libre mercredi ?" in mail.body

    login(client, amina)
    home = text_of(client.get("/"))
    assert "Messages 1" in home
    assert "Karim Benali 1" in text_of(client.get("/messages"))
    page = text_of(client.get(f"/messages/{karim.id}"))
    assert "Bonjour, êtes-vous libre mercredi ?" in page
    assert "Messages 1" not in text_of(client.get("/"))  # read now
    client.post(f"/messages/{karim.id}", data={"body": "Oui, à 14 h."})
    login(client, karim)
    assert "Oui, à 14 h." in text_of(client.get(f"/messages/{amina.id}"))


def test_a_blocked_member_can_neither_write_nor_propose(client, people, pair):
    amina, karim = pair
    login(client, amina)
    client.post(f"/members/{karim.id}/block", data={"block": "y"})
    login(client, karim)

    refused = client.post(f"/messages/{amina.id}", data={"body": "Pourquoi ?"})
    assert refused.status_code == 403
    assert "Amina Diallo does not wish to receive messages from you." in text_of(refused)
    proposal = client.post(f"/exchanges/new?member={amina.id}", data={
        "role": "receive", "title": "Garde", "hours": "1", "minutes": "0", "on_date": utcnow().date().isoformat()})
    assert proposal.status_code == 403
    assert people.outbox(to="amina@example.org") == []

    login(client, amina)
    client.post(f"/members/{karim.id}/block", data={"unblock": "y"})
    login(client, karim)
    assert client.post(f"/messages/{amina.id}", data={"body": "Merci"}).status_code == 303
    login(client, amina)
    page = text_of(client.get(f"/messages/{karim.id}"))
    assert "Merci" in page and "Pourquoi ?" not in page  # the refused message was never stored


def test_nobody_writes_to_themselves_or_to_an_unknown_member(client, pair):
    amina, karim = pair
    login(client, amina)
    assert client.get(f"/messages/{amina.id}").status_code == 404
    assert client.get("/messages/99999").status_code == 404
    assert client.post(f"/members/{amina.id}/block", data={"block": "y"}).status_code == 404
    assert "Pas encore de conversation." in text_of(client.get("/messages"))  # Amina reads French


def test_the_block_button_of_a_member_s_page_blocks_and_unblocks(make_app, people):
    """The button is plain HTML (no form object built on every view): what it sends must be what the form reads,
    its CSRF token included."""
    import re

    from tests.conftest import csrf_token

    app = make_app(WTF_CSRF_ENABLED=True)
    amina, karim = people.member("Amina Diallo", locale="en"), people.member("Karim Benali")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"identifier": amina.email, "password": amina.password, "csrf_token": token})

    def press_the_button():
        page = client.get(f"/members/{karim.id}").get_data(as_text=True)
        button = re.search(r'<input class="link-button" name="(\w+)" type="submit" value="([^"]+)">', page)
        response = client.post(f"/members/{karim.id}/block",
                               data={"csrf_token": csrf_token(page), button.group(1): button.group(2)})
        assert response.status_code == 303
        return button.group(2), text_of(client.get(response.location))

    pressed, page = press_the_button()
    assert pressed == "Block" and "Karim Benali can no longer write to you" in page
    pressed, page = press_the_button()
    assert pressed == "Unblock" and "Karim Benali can write to you again." in page
