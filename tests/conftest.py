"""Fixtures: app → client → auth, a clean database per test (SQLite, or PostgreSQL when asked)."""
from __future__ import annotations

import os
import re
import shutil
import tempfile

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from timebank import create_app
from timebank.extensions import db

from tests.factories import Factory

PG_URL = os.environ.get("TIMEBANK_TEST_DATABASE_URL")
# The instance's VAPID key (phone notifications), made once for the whole run outside the repository.
VAPID_KEY_FILE = os.path.join(tempfile.mkdtemp(prefix="timebank-vapid-"), "vapid_private.pem")


def base_config(uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": uri,
        "WTF_CSRF_ENABLED": False,
        "TIMEBANK_ARGON2": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        "TIMEBANK_BASE_URL": "http://timebank.test",
        "SERVER_NAME": None,
        "TIMEBANK_VAPID_PRIVATE_KEY_FILE": VAPID_KEY_FILE,
    }


def pg_url() -> str:
    url = PG_URL
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Run every migration once; each test then starts from a copy of the result."""
    if PG_URL:
        engine = sa.create_engine(pg_url())
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        app = create_app(base_config(pg_url()))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        _remember_seed(pg_url())
        return pg_url()
    path = tmp_path_factory.mktemp("template") / "timebank.sqlite"
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return path


_SEED: dict[str, list[dict]] = {}


def _remember_seed(url: str) -> None:
    """Keep the rows the migrations create (community account, categories…) to restore after each test."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name != "alembic_version":
                rows = [dict(row._mapping) for row in connection.execute(table.select())]
                if rows:
                    _SEED[table.name] = rows
    engine.dispose()


_REFLECTED: list[sa.MetaData] = []
_ENGINES: dict[str, sa.Engine] = {}


def _empty_postgres(url: str) -> None:
    engine = _ENGINES.get(url) or _ENGINES.setdefault(url, sa.create_engine(url, poolclass=sa.pool.NullPool))
    if not _REFLECTED:
        _REFLECTED.append(sa.MetaData())
        _REFLECTED[0].reflect(engine)
    metadata = _REFLECTED[0]
    with engine.begin() as connection:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name != "alembic_version")
        connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table in metadata.sorted_tables:
            if table.name in _SEED:
                connection.execute(table.insert(), _SEED[table.name])
                if "id" in table.c:
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM \"{table.name}\"))"))


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if PG_URL:
        _empty_postgres(migrated_database)
        return migrated_database
    path = tmp_path / "timebank.sqlite"
    shutil.copyfile(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url):
    """Build an app on this test's database, with config overrides."""
    apps = []

    def build(**overrides):
        app = create_app({**base_config(database_url), **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def ctx(app):
    """A context for tests that call services directly; messages come out in English."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield app
        db.session.rollback()


@pytest.fixture
def client(app):
    """A browser whose language is English, so assertions read like the msgids."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def people(app):
    return Factory(app)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, identifier: str, password: str = "correct horse battery", **extra):
        return self.client.post("/login", data={"identifier": identifier, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, resident) -> None:
    """Sign out whoever is signed in, and sign ``resident`` in (by e-mail, or member number without one)."""
    client.post("/logout")
    client.post("/login", data={"identifier": resident.email or str(resident.number), "password": resident.password})


def count_queries(app, client, url: str) -> int:
    """How many SQL statements one page costs (it must answer 200)."""
    import sqlalchemy as sa

    from timebank.extensions import db

    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, url
    return len(statements)


def audit_text(client, action: str = "") -> str:
    """The entries of the audit log as a coordinator reads them (without the filter's list of actions)."""
    page = text_of(client.get(f"/coordination/audit?action={action}" if action else "/coordination/audit"))
    return page.split(" Show ", 1)[1]


def text_of(response) -> str:
    """The visible text of a page, whitespace collapsed, for asserting what a person reads."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?bdi\b[^>]*>|[\u2068\u2069]", "", html)  # isolates are invisible: "Karim Benali." is one word
    text = re.sub(r"<[^>]+>", " ", html)
    import html as html_module

    return re.sub(r"\s+", " ", html_module.unescape(text)).strip()
