"""Through the pages: Sandrine opens the shared garden, Amina joins a task and says her hours, Sandrine confirms."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login, text_of


def key_of(html: str, name: str = "key") -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]+)"', html).group(1)


def donate(app, resident, minutes: int) -> None:
    """The community account needs hours to give: Karim gives some."""
    from timebank.extensions import db
    from timebank.giving.services import give_time

    from tests.factories import member

    with app.test_request_context(headers={"Accept-Language": "en"}):
        give_time(giver=member(resident), recipient=None, minutes=minutes, memo="", key="pot")
        db.session.commit()


@pytest.fixture
def garden(app, client, people):
    from tests.factories import category_id

    sandrine = people.coordinator("Sandrine Martin")
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    with app.app_context():
        paperwork = category_id("paperwork")
    donate(app, karim, 300)
    login(client, sandrine)
    response = client.post("/projects/new", data={
        "title": "Jardin partagé des Tilleuls", "description": "Derrière le bâtiment B", "goal_hours": "10",
        "sponsor": "community", "category": str(paperwork), "tasks": "Bêcher les carrés\nArroser le samedi"})
    assert response.status_code == 303, text_of(response)
    project_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return {"sandrine": sandrine, "amina": amina, "karim": karim, "project_id": project_id}


def test_amina_gives_hours_to_the_garden_and_sees_them_on_her_statement(client, garden):
    url = f"/projects/{garden['project_id']}"
    login(client, garden["amina"])
    page = client.get(url).get_data(as_text=True)
    task_id = re.search(r'action="/projects/tasks/(\d+)/join"', page).group(1)
    response = client.post(f"/projects/tasks/{task_id}/join", data={"key": key_of(page), "shown": "y"})
    assert response.status_code == 303, text_of(response)
    page = client.get(url).get_data(as_text=True)
    participation = re.search(r'action="/projects/participations/(\d+)/hours"', page).group(1)
    response = client.post(f"/projects/participations/{participation}/hours", data={
        f"p{participation}-key": key_of(page, f"p{participation}-key"), f"p{participation}-hours": "2",
        f"p{participation}-minutes": "30", f"p{participation}-note": "Les carrés du fond"})
    assert response.status_code == 303, text_of(response)
    assert "Waiting for confirmation" in text_of(client.get(url))

    login(client, garden["sandrine"])
    page = client.get(url).get_data(as_text=True)
    assert "Amina Diallo" in page and "Les carrés du fond" in page
    hours_id = re.search(r'action="/projects/hours/(\d+)/decide"', page).group(1)
    form = {"key": key_of(page), "confirm": "y"}
    assert client.post(f"/projects/hours/{hours_id}/decide", data=form).status_code == 303
    assert client.post(f"/projects/hours/{hours_id}/decide", data=form).status_code == 303  # sent twice

    login(client, garden["amina"])
    statement = text_of(client.get("/me/hours"))
    assert "Jardin partagé des Tilleuls — Bêcher les carrés" in statement
    assert statement.count("Jardin partagé des Tilleuls — Bêcher les carrés") == 1
    assert "2 h 30" in statement
    shown = text_of(client.get(url))
    assert "2 h 30 min given of a goal of 10 h (25%)" in shown
    assert "1 person taking part" in shown
    assert "Taking part: Amina Diallo" in shown
    assert "Your 2 h 30 min for the project Jardin partagé des Tilleuls are confirmed" in text_of(
        client.get("/notifications"))


def test_the_project_page_shows_progress_to_visitors_without_names(app, client, garden):
    client.post("/logout")
    page = client.get(f"/projects/{garden['project_id']}")
    assert page.status_code == 200
    text = text_of(page)
    assert "0 h given of a goal of 10 h (0%)" in text and "0 people taking part" in text
    assert "Bêcher les carrés" in text
    assert "Jardin partagé des Tilleuls" in text_of(client.get("/projects"))


def test_a_task_shows_in_the_listings_for_its_project(client, garden):
    login(client, garden["amina"])
    listings = text_of(client.get("/listings?type=request"))
    assert "Bêcher les carrés" in listings and "for the project Jardin partagé des Tilleuls" in listings


def test_a_resident_cannot_open_a_project_nor_decide_hours(client, garden):
    login(client, garden["amina"])
    assert client.get("/projects/new").status_code == 403
    assert client.get(f"/projects/{garden['project_id']}/edit").status_code == 403


def test_the_sponsors_floor_is_said_on_the_page_and_nothing_moves(app, client, garden):
    url = f"/projects/{garden['project_id']}"
    login(client, garden["amina"])
    page = client.get(url).get_data(as_text=True)
    task_id = re.search(r'action="/projects/tasks/(\d+)/join"', page).group(1)
    client.post(f"/projects/tasks/{task_id}/join", data={"key": key_of(page)})
    page = client.get(url).get_data(as_text=True)
    participation = re.search(r'action="/projects/participations/(\d+)/hours"', page).group(1)
    client.post(f"/projects/participations/{participation}/hours", data={
        f"p{participation}-key": key_of(page, f"p{participation}-key"), f"p{participation}-hours": "8",
        f"p{participation}-minutes": "0"})
    login(client, garden["sandrine"])
    page = client.get(url).get_data(as_text=True)
    hours_id = re.search(r'action="/projects/hours/(\d+)/decide"', page).group(1)
    response = client.post(f"/projects/hours/{hours_id}/decide", data={"key": key_of(page), "confirm": "y"})
    assert response.status_code in (400, 409, 422)
    assert "The community account can give at most 5 h now" in text_of(response)
    login(client, garden["amina"])
    assert "Jardin partagé" not in text_of(client.get("/me/hours"))
