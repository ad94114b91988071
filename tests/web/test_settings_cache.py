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


def test_a_worker_reads_one_small_row_a_request_while_nothing_changes(make_app, people, monkeypatch):
    from timebank.admin import settings_store

    first, second = make_app(), make_app()
    engine = engine_of(second)
    claire = people.admin("Claire Dubois")
    admin = browser(first)
    login(admin, claire)
    admin.post("/admin/settings", data=settings_form(admin, name="Temps Partagé des Tilleuls"))
    visitor = browser(second)
    versions = []  # the version row, read on a bare connection of the pool (not through the engine's events)
    read_version = settings_store._version_now
    monkeypatch.setattr(settings_store, "_version_now", lambda: versions.append(1) or read_version())

    before = setting_reads(engine, visitor, "/")  # the first view since the save reads them all
    versions.clear()
    steady = setting_reads(engine, visitor, "/")

    assert len(before) == 1 and "WHERE" not in before[0]
    assert steady == [] and len(versions) == 1, steady
    assert "Temps Partagé des Tilleuls" in text_of(visitor.get("/"))

    admin.post("/admin/settings", data=settings_form(admin, name="Le Temps des Hauts"))
    assert len(setting_reads(engine, visitor, "/")) == 1  # saved elsewhere: read again
    assert "Le Temps des Hauts" in text_of(visitor.get("/"))


def write_name_by_hand(app, name: str, *, new_version: bool) -> None:
    """Another process (a script, psql) writes the name straight into the table, with or without a new version."""
    from timebank.admin.settings_store import settings_version_bump

    engine = sa.create_engine(engine_of(app).url)  # its own connection, as another process would have
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM setting WHERE key = 'TIMEBANK_NAME'"))
            connection.execute(sa.text("INSERT INTO setting (key, value, updated_at) "
                                       "VALUES ('TIMEBANK_NAME', :value, CURRENT_TIMESTAMP)"), {"value": f'"{name}"'})
            if new_version:
                settings_version_bump(connection)
    finally:
        engine.dispose()


def test_a_name_written_by_another_process_with_a_new_version_shows_at_once(make_app, people):
    worker = make_app()
    visitor = browser(worker)
    assert "Temps Partagé des Tilleuls" not in text_of(visitor.get("/"))  # the worker keeps what it read

    write_name_by_hand(worker, "Temps Partagé des Tilleuls", new_version=True)

    assert "Temps Partagé des Tilleuls" in text_of(visitor.get("/"))


def test_a_name_written_by_hand_without_a_new_version_waits_for_a_restart(make_app, people):
    """What the docstring of admin.settings_store says: a hand edit needs a new version, or a restart."""
    worker = make_app()
    visitor = browser(worker)
    text_of(visitor.get("/"))

    write_name_by_hand(worker, "Temps Partagé des Tilleuls", new_version=False)

    assert "Temps Partagé des Tilleuls" not in text_of(visitor.get("/"))
    assert "Temps Partagé des Tilleuls" in text_of(browser(make_app()).get("/"))  # a restarted worker reads it


def test_a_migration_makes_every_worker_read_the_settings_again(make_app, people):
    """`timebank db downgrade` / `upgrade` may write settings: the running workers must not keep their copy."""
    worker = make_app()
    visitor = browser(worker)
    text_of(visitor.get("/"))
    write_name_by_hand(worker, "Temps Partagé des Tilleuls", new_version=False)  # as a migration's data step would
    runner = make_app().test_cli_runner()

    assert runner.invoke(args=["db", "downgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0

    assert "Temps Partagé des Tilleuls" in text_of(visitor.get("/"))


def test_a_category_changed_on_one_worker_shows_and_finds_on_the_other_at_once(make_app, people):
    """The categories are kept in each worker too (the listings' grid, the words search finds them by): an admin's
    change on one worker is read by the other at its next request, and by her own at once."""
    from tests.factories import publish
    from timebank.admin.categories import CategoryFields, category_archive, category_update
    from timebank.listings.models import Category
    from timebank.members.models import Member

    first, second = make_app(), make_app()
    claire, amina = people.admin("Claire Dubois"), people.member("Amina Diallo")
    publish(second, amina, "Rendez-vous du mardi", category="paperwork")
    visitor, own = browser(second), browser(first)
    login(visitor, amina)
    login(own, amina)
    for client in (visitor, own):  # both workers now keep the categories
        assert "Paperwork" in text_of(client.get("/listings"))
        assert "0 listings" in text_of(client.get("/listings?q=sesame"))

    with first.test_request_context():
        category = db.session.scalar(sa.select(Category).where(Category.slug == "paperwork"))
        category_update(actor=db.session.get(Member, claire.id), category=category, fields=CategoryFields(
            names={**category.names, "en": "Letters and forms"}, icon=category.icon,
            requires_verified=category.requires_verified, synonyms="sesame"))
    for client in (visitor, own):
        page = text_of(client.get("/listings"))
        assert "Letters and forms" in page and "Paperwork" not in page
        assert "Rendez-vous du mardi" in text_of(client.get("/listings?q=sesame"))

    with first.test_request_context():
        category = db.session.scalar(sa.select(Category).where(Category.slug == "cooking"))
        category_archive(actor=db.session.get(Member, claire.id), category=category, archived=True)
    for client in (visitor, own):
        assert "Cooking" not in text_of(client.get("/listings"))
