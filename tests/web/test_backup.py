"""Claire, admin of the association, downloads a backup of the timebank from the administration pages."""
from __future__ import annotations

import io
import json
import re
import tarfile

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, csrf_token, text_of
from timebank.audit import AuditEntry
from timebank.extensions import db

on_sqlite = pytest.mark.skipif(bool(PG_URL), reason="a PostgreSQL instance is backed up with pg_dump")


@pytest.fixture
def app(make_app, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "logo.png").write_bytes(b"\x89PNG the association's logo")
    return make_app(TIMEBANK_UPLOAD_FOLDER=str(uploads))


@pytest.fixture
def claire(people, auth):
    claire = people.admin("Claire Dubois")
    auth.login("claire@example.org")
    return claire


def audit_entries(app) -> list[tuple]:
    with app.app_context():
        return [(e.actor_id, e.action, e.target, e.detail)
                for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_visitors_are_sent_to_sign_in(client):
    for response in (client.get("/admin/backup"), client.post("/admin/backup")):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_only_admins_may_download_a_backup(app, client, people, auth, who):
    getattr(people, who)("Karim Benali")
    auth.login("karim@example.org")

    assert client.get("/admin/backup").status_code == 403
    assert client.post("/admin/backup").status_code == 403
    assert audit_entries(app) == []


@on_sqlite
def test_claire_downloads_a_backup_and_the_download_is_in_the_audit_log(app, client, people, claire):
    people.member("Amina Diallo")
    page = client.get("/admin/backup")
    assert page.status_code == 200
    assert "Download a backup" in text_of(page)

    response = client.post("/admin/backup")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/gzip"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r"attachment; filename=timebank-backup-\d{4}-\d\d-\d\d-\d{6}\.tar\.gz", disposition)
    with tarfile.open(fileobj=io.BytesIO(response.get_data())) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        assert archive.extractfile("uploads/logo.png").read() == b"\x89PNG the association's logo"
    assert (manifest["members"], manifest["uploads"]) == (2, 1)
    name = disposition.split("=", 1)[1]
    assert audit_entries(app) == [(claire.id, "backup_downloaded", name,
                                   {"members": 2, "transfers": 0, "sha256": manifest["database_sha256"]})]


@on_sqlite
def test_the_download_needs_the_form_token(make_app, tmp_path, people):
    app = make_app(WTF_CSRF_ENABLED=True, TIMEBANK_UPLOAD_FOLDER=str(tmp_path / "uploads"))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    people.admin("Claire Dubois")
    login = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"identifier": "claire@example.org", "password": "correct horse battery",
                                "csrf_token": csrf_token(login)})

    forged = client.post("/admin/backup")
    token = csrf_token(client.get("/admin/backup").get_data(as_text=True))
    genuine = client.post("/admin/backup", data={"csrf_token": token})

    assert forged.status_code == 400
    assert genuine.status_code == 200 and genuine.headers["Content-Disposition"].startswith("attachment")
    assert [action for _, action, _, _ in audit_entries(app)] == ["backup_downloaded"]


@pytest.mark.skipif(not PG_URL, reason="only a PostgreSQL instance shows the pg_dump recipe")
def test_on_postgresql_the_page_explains_pg_dump_instead(app, client, claire):
    page = client.get("/admin/backup")

    assert page.status_code == 200
    assert "pg_dump" in text_of(page) and "pg_restore" in text_of(page)
    assert "Download a backup" not in text_of(page)
    response = client.post("/admin/backup")
    assert response.status_code == 303
    assert "pg_dump" in text_of(client.get(response.headers["Location"]))
    assert audit_entries(app) == []
