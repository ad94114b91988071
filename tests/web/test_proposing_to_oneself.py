"""Nobody proposes an exchange to herself; the page says why in words that fit where she came from."""
from tests.conftest import login, text_of
from tests.factories import publish


def test_proposing_to_oneself_from_ones_own_profile_says_so(client, people):
    amina = people.member("Amina Diallo")
    login(client, amina)
    response = client.get(f"/exchanges/new?member={amina.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/members/{amina.id}")
    page = text_of(client.get(response.headers["Location"]))
    assert "You cannot propose an exchange to yourself." in page
    assert "This is your own listing" not in page
    sent = client.post(f"/exchanges/new?member={amina.id}", data={
        "role": "receive", "title": "x", "hours": "1", "minutes": "0", "on_date": "2099-01-01"})
    assert sent.status_code == 302
    assert "You cannot propose an exchange to yourself." in text_of(client.get(sent.headers["Location"]))


def test_proposing_from_ones_own_listing_points_to_the_listing(app, client, people):
    amina = people.member("Amina Diallo")
    listing_id = publish(app, amina, "Cours de couture")
    login(client, amina)
    response = client.get(f"/exchanges/new?listing={listing_id}")
    assert response.headers["Location"].endswith(f"/listings/{listing_id}")
    assert "This is your own listing: other members propose exchanges to you from it." in text_of(
        client.get(response.headers["Location"]))
