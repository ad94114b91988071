"""Amina takes her data: one ZIP with everything about her, and nothing private about anyone else."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from tests.conftest import audit_text, login, text_of
from tests.world import build_neighbourhood


def member_tables() -> dict[str, list[str]]:
    """Every table with a column that points at a member (and the member table itself), from the models."""
    from timebank import models  # noqa: F401
    from timebank.extensions import db

    found = {"member": ["id"]}
    for table in db.metadata.sorted_tables:
        columns = [column.name for column in table.columns
                   if any(key.column.table.name == "member" for key in column.foreign_keys)]
        if columns:
            found[table.name] = columns
    return found


def test_every_table_about_members_has_an_export_rule():
    """A new table with a member column must say where it is exported, or why it is not."""
    from timebank.privacy.export import TABLES

    missing = sorted(set(member_tables()) - set(TABLES))
    assert missing == [], f"add these tables to TABLES in timebank/privacy/export.py: {missing}"
    assert "account" in TABLES and "transfer" in TABLES  # her account points at her: its statement is exported


def unzip(response) -> dict[str, str]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.fixture
def neighbourhood(app):
    world = build_neighbourhood(app)
    from timebank.extensions import db
    from timebank.members.models import Member
    from timebank.messages.services import message_send

    with app.test_request_context():
        karim = db.session.get(Member, world["karim"].id)
        karim.phone, karim.bio = "06 11 22 33 44", "I live above the bakery"
        amina = db.session.get(Member, world["residents"]["member"].id)
        amina.phone = "07 98 76 54 32"
        db.session.commit()
        omar = db.session.get(Member, world["residents"]["other"].id)
        message_send(sender=karim, recipient=omar, body="Omar, the key is under the mat")
        message_send(sender=amina, recipient=karim, body="Thank you for the curtains")
    return world


def test_amina_downloads_everything_about_her(app, client, neighbourhood):
    amina = neighbourhood["residents"]["member"]
    login(client, amina)
    files = unzip(client.get("/me/data"))
    for name in ("profile", "listings", "exchanges", "messages", "statement", "notifications", "consents",
                 "sign_ins", "group_sessions", "warnings", "reports"):
        assert f"{name}.json" in files and f"{name}.csv" in files, name
    profile = json.loads(files["profile.json"])
    assert profile["email"] == "amina@example.org" and profile["phone"] == "07 98 76 54 32"
    assert profile["trusted_helper"] == "Hélène Roux"
    assert [listing["title"] for listing in json.loads(files["listings.json"])] == ["CAF"]
    exchanges = {exchange["title"]: exchange for exchange in json.loads(files["exchanges.json"])}
    assert exchanges["Moving"]["with"] == "Karim Benali"
    assert "See you Saturday" in [message["text"] for message in exchanges["Moving"]["messages"]]
    assert [step["step"] for step in exchanges["Moving"]["steps"]][:2] == ["proposed", "accepted"]
    assert exchanges["Curtain"]["disputes"][0]["reason"] == "It took half an hour"
    messages = json.loads(files["messages.json"])
    assert {(m["direction"], m["with"], m["text"]) for m in messages} == {
        ("received", "Karim Benali", "Hello Amina"), ("sent", "Karim Benali", "Thank you for the curtains")}
    statement = json.loads(files["statement.json"])
    assert {"kind": "reserved", "with": "Karim Benali", "minutes": -60} in [
        {key: line[key] for key in ("kind", "with", "minutes")} for line in statement]
    assert json.loads(files["sign_ins.json"])  # she has just signed in
    assert json.loads(files["consents.json"])[0]["kind"] == "charter"
    assert json.loads(files["warnings.json"])[0]["text"] == "Please keep your appointments"
    assert "Amina Diallo" in files["profile.csv"] and files["profile.csv"].startswith("\ufeff")
    assert "statement:" in files["README.txt"] and "Member number" in files["README.txt"]


def test_nothing_private_about_anyone_else(app, client, neighbourhood):
    amina = neighbourhood["residents"]["member"]
    login(client, amina)
    everything = "\n".join(unzip(client.get("/me/data")).values())
    for private in ("karim@example.org", "06 11 22 33 44", "I live above the bakery", "the key is under the mat",
                    "helene@example.org", "sandrine@example.org"):
        assert private not in everything, private
    # The coordinator's private note about her is not included, by default (the privacy page says why).
    assert "Met at the welcome morning" not in everything
    assert "notes.json" not in unzip(client.get("/me/data"))


def test_the_notes_are_included_when_the_association_chooses_it(make_app):
    app = make_app(TIMEBANK_EXPORT_NOTES=True)
    world = build_neighbourhood(app)
    client = app.test_client()
    login(client, world["residents"]["member"])
    files = unzip(client.get("/me/data"))
    assert json.loads(files["notes.json"]) == [
        {"at": json.loads(files["notes.json"])[0]["at"], "by": "Sandrine Martin", "text": "Met at the welcome morning"}]


def test_a_coordinator_produces_the_zip_for_a_member_and_it_is_audited(app, client, neighbourhood):
    coordinator, amina = neighbourhood["residents"]["coordinator"], neighbourhood["residents"]["member"]
    login(client, coordinator)
    page = text_of(client.get(f"/coordination/members/{amina.id}"))
    assert "Download or erase her data" in page
    assert "Download her data" in text_of(client.get(f"/coordination/members/{amina.id}/data"))
    files = unzip(client.post(f"/coordination/members/{amina.id}/data.zip", data={"download": "y"}))
    assert json.loads(files["profile.json"])["email"] == "amina@example.org"
    assert "downloaded the data of Amina Diallo" in audit_text(client, "member_data_exported")


def test_a_member_cannot_take_another_members_zip(app, client, neighbourhood):
    login(client, neighbourhood["residents"]["other"])
    amina = neighbourhood["residents"]["member"]
    assert client.post(f"/coordination/members/{amina.id}/data.zip", data={"download": "y"}).status_code == 403
    files = unzip(client.get("/me/data"))
    assert json.loads(files["profile.json"])["display_name"] == "Omar Haddou"


def test_the_readme_is_in_her_language(app, client, people):
    """Layla reads Arabic, Amina French: each README speaks her language (whatever the page's language)."""
    layla = people.member("Layla Haddad", locale="ar")
    login(client, layla)
    assert "لديك سؤال؟ راسلونا على" in unzip(client.get("/me/data?lang=en"))["README.txt"]
    amina = people.member("Amina Diallo", locale="fr")
    login(client, amina)
    assert "Écrivez à contact@example.org" in unzip(client.get("/me/data?lang=en"))["README.txt"]


def test_a_coordinators_zip_holds_no_reset_link_and_is_refused_for_an_admin(app, client, neighbourhood):
    """Whoever holds the ZIP a coordinator made must not be able to open the account: the words of the messages
    sent to her (a password-reset link, a sign-in code) stay out; and a coordinator makes none for an admin."""
    coordinator, amina = neighbourhood["residents"]["coordinator"], neighbourhood["residents"]["member"]
    admin = neighbourhood["residents"]["admin"]
    client.post("/password/forgot", data={"email": "amina@example.org"})
    login(client, amina)
    own = unzip(client.get("/me/data"))
    assert "/password/reset/" in own["emails.json"]  # her own download: everything, it is hers
    login(client, coordinator)
    files = unzip(client.post(f"/coordination/members/{amina.id}/data.zip", data={"download": "y"}))
    assert "/password/reset/" not in files["emails.json"] and json.loads(files["emails.json"])
    assert client.post(f"/coordination/members/{admin.id}/data.zip", data={"download": "y"}).status_code == 403


def test_the_reported_member_does_not_read_the_reporters_words(app, client, people):
    from timebank.extensions import db
    from timebank.listings.models import Report
    from timebank.listings.upkeep import report_handle
    from timebank.members.models import Member

    sandrine, amina, karim = people.coordinator(), people.member("Amina Diallo"), people.member("Karim Benali")
    with app.test_request_context():
        report = Report(reporter_id=amina.id, member_id=karim.id, reason="Il attend devant le 12 rue des Lilas")
        db.session.add(report)
        db.session.commit()
        report_handle(report=report, actor=db.session.get(Member, sandrine.id), hide=False)
    login(client, karim)
    assert "rue des Lilas" not in unzip(client.get("/me/data"))["coordinators_acts.json"]
