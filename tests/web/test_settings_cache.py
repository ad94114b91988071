"""Settings are kept in each worker and read again only when an admin saved them, on any worker or host."""
from __future__ import annotations

import re

import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.web.test_settings import settings_form
from timebank.extensions import db


def engine_of(app):
    with app.app_context():
        return db.engine


def setting_reads(engine, client, url: str) -> list[str]:
    """The statements one page view sends to the settings table."""
    statements = []

    def record(conn, cursor, statement, *args):
        if "FROM setting" in statement:
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return statements


def browser(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_name_saved_on_one_worker_shows_on_the_other_at_once(make_app, people):
    first, second = make_app(), make_app()  # two workers (or two hosts) on one database
    claire = people.admin("Claire Dubois")
    visitor = browser(second)
    assert "Temps Partagé des Tilleuls" not in text_of(visitor.get("/"))

    admin = browser(first)
    login(admin, claire)
    response = admin.post("/admin/settings", data=settings_form(admin, name="Temps Partagé des Tilleuls"))

    assert response.status_code == 303
    assert "Temps Partagé des Tilleuls" in text_of(visitor.get("/"))
    assert "Temps Partagé des Tilleuls" in text_of(browser(first).get("/"))


def test_a_worker_reads_one_small_row_a_request_while_nothing_changes(make_app, people):
    first, second = make_app(), make_app()
    engine = engine_of(second)
    claire = people.admin("Claire Dubois")
    admin = browser(first)
    login(admin, claire)
    admin.post("/admin/settings", data=settings_form(admin, name="Temps Partagé des Tilleuls"))
    visitor = browser(second)

    before = setting_reads(engine, visitor, "/")  # the first view since the save reads them all
    steady = setting_reads(engine, visitor, "/")

    assert len(before) == 2
    assert len(steady) == 1 and re.search(r'WHERE setting\."?key"? = ', steady[0]), steady
    assert "Temps Partagé des Tilleuls" in text_of(visitor.get("/"))

    admin.post("/admin/settings", data=settings_form(admin, name="Le Temps des Hauts"))
    assert len(setting_reads(engine, visitor, "/")) == 2  # saved elsewhere: read again
    assert "Le Temps des Hauts" in text_of(visitor.get("/"))
