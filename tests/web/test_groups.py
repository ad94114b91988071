"""Group sessions through the pages."""
import re

from tests.conftest import count_queries, login, text_of
from timebank.timeutil import utcnow



def test_a_workshop_from_announcement_to_hours(app, client, people):
    fatou = people.member("Fatou Ndiaye")
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    login(client, fatou)
    assert client.post("/groups/new", data={"title": "", "on_date": "x"}).status_code == 422
    response = client.post("/groups/new", data={
        "title": "Atelier couture", "on_date": utcnow().date().isoformat(), "hours": "1", "minutes": "30",
        "max_participants": "5"})
    sid = int(re.search(r"/groups/(\d+)", response.headers["Location"]).group(1))
    for resident in (amina, karim):
        login(client, resident)
        assert "Atelier couture" in text_of(client.get("/groups"))
        client.post(f"/groups/{sid}/join")
    assert "You are registered. 1 h 30 min are reserved from your hours." in text_of(client.get(f"/groups/{sid}"))
    assert client.post(f"/groups/{sid}/complete").status_code == 403

    login(client, fatou)
    client.post(f"/groups/{sid}/remove/{karim.id}")
    client.post(f"/groups/{sid}/complete")
    assert "You have 1 h 30 min" in text_of(client.get("/me/hours"))
    login(client, karim)
    assert "You have 0 h" in text_of(client.get("/me/hours"))
    assert client.get("/groups/999999").status_code == 404


def test_group_pages_run_a_fixed_number_of_queries(app, client, people):
    import sqlalchemy as sa

    from timebank.extensions import db

    fatou = people.member("Fatou Ndiaye")
    login(client, fatou)
    sid = int(re.search(r"/groups/(\d+)", client.post("/groups/new", data={
        "title": "Atelier", "on_date": utcnow().date().isoformat(), "hours": "1", "minutes": "0",
        "max_participants": "20"}).headers["Location"]).group(1))

    def queries(url):
        return count_queries(app, client, url)

    def join(n):
        resident = people.member(f"Voisine {n}", email=f"v{n}@example.org")
        login(client, resident)
        client.post(f"/groups/{sid}/join")
        login(client, fatou)

    join(0)
    few = (queries("/groups"), queries(f"/groups/{sid}"))
    for n in range(1, 6):
        join(n)
    assert (queries("/groups"), queries(f"/groups/{sid}")) == few
