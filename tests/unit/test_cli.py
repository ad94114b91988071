"""The commands a volunteer types on the server."""
import sqlalchemy as sa

from timebank.extensions import db
from timebank.members.models import Member, Role, Status


def test_create_admin_from_options(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create-admin", "--name", "Claire Dubois", "--email", "Claire@Example.org",
        "--password", "a long enough password",
    ])
    assert result.exit_code == 0, result.output
    assert "Admin Claire Dubois created (member number 1001)." in result.output
    with app.app_context():
        claire = db.session.scalar(sa.select(Member).where(Member.email == "claire@example.org"))
        assert claire.role is Role.ADMIN and claire.status is Status.ACTIVE


def test_create_admin_interactively(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin"],
        input="Claire Dubois\nclaire@example.org\na long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "created" in result.output


def test_create_admin_refuses_a_short_password_and_a_taken_address(app, people):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create-admin", "--name", "C", "--email", "c@example.org", "--password", "short"])
    assert short.exit_code != 0 and "at least 10 characters" in short.output

    people.member("Karim Benali")
    taken = runner.invoke(args=["users", "create-admin", "--name", "K", "--email", "karim@example.org",
                                "--password", "a long enough password"])
    assert taken.exit_code != 0 and "Un compte utilise déjà cette adresse e-mail." in taken.output  # the instance language
    assert people.count_members() == 1


def test_demo_load_fills_an_empty_database_once(app, people):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "admin@example.org" in first.output and "timebank-demo" in first.output
    count = people.count_members()
    assert 30 <= count <= 40

    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "nothing loaded" in second.output
    assert people.count_members() == count


def test_demo_sign_ins_work(app):
    app.test_cli_runner().invoke(args=["demo", "load"])
    client = app.test_client()
    for email in ("admin@example.org", "coordination@example.org", "amina@example.org", "karim@example.org",
                  "nadia@example.org"):
        response = client.post("/login", data={"identifier": email, "password": "timebank-demo"})
        assert response.status_code == 302, email
        client.post("/logout")
    with app.app_context():
        roles = {m.email: m.role for m in db.session.scalars(sa.select(Member))}
        assert roles["admin@example.org"] is Role.ADMIN
        assert roles["coordination@example.org"] is Role.COORDINATOR


def test_demo_load_does_not_print_sign_ins_for_a_real_instance(app, people):
    people.member("Karim Benali")
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert "timebank-demo" not in result.output


def test_mail_send_reports_what_it_did(app, people):
    people.member("Karim Benali")
    app.test_client().post("/password/forgot", data={"email": "karim@example.org"})
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "written to the log: 1" in result.output


def test_demo_ledger_verifies_clean(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])

    result = runner.invoke(args=["ledger", "verify"])

    assert result.exit_code == 0, result.output
    assert "ledger OK" in result.output
    statement = runner.invoke(args=["ledger", "statement", "karim@example.org"])
    assert "Karim Benali" in statement.output and "Garde des enfants" in statement.output
    export = runner.invoke(args=["ledger", "export"])
    assert export.output.count("\n") > 15
    assert "welcome" in export.output and "donation" in export.output and "grant" in export.output


def test_demo_load_sends_no_e_mail(app, people):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    subjects = {mail.subject for mail in people.outbox()}
    assert not any("near you" in subject for subject in subjects)
    assert "sent: 0, written to the log: 0" in runner.invoke(args=["mail", "send"]).output
