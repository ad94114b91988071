"""``timebank doctor`` tells a volunteer what a production instance still needs, in plain words."""
from __future__ import annotations

import pytest

from timebank.extensions import db
from timebank.scheduler import cron_run

CONFIGURED = {
    "SECRET_KEY": "k4Jq9-Vt2xLr8sPwYb3nMz6cFh0aDgUe1oIqRtZy5uXv7",
    "TIMEBANK_BASE_URL": "https://temps.quartier-des-tilleuls.fr",
    "TIMEBANK_HTTPS": True,
    "TIMEBANK_PROXY_COUNT": 1,
    "MAIL_SERVER": "smtp.quartier-des-tilleuls.fr",
    "MAIL_DEFAULT_SENDER": "Banque de temps <temps@quartier-des-tilleuls.fr>",
}


def fixes(output: str) -> list[str]:
    return [line.split(":")[0].removeprefix("FIX").strip() for line in output.splitlines() if line.startswith("FIX")]


def test_doctor_on_a_development_instance_lists_what_to_fix_and_exits_1(app, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    result = app.test_cli_runner().invoke(args=["doctor"])

    assert result.exit_code == 1, result.output
    assert fixes(result.output) == ["secret key", "public address", "HTTPS", "e-mail", "sign-in limits",
                                    "periodic jobs"]
    assert "6 thing(s) to fix:" in result.output
    assert "TIMEBANK_BASE_URL is http://timebank.test" in result.output
    assert "TIMEBANK_MAIL_TO_LOG=1 if the timebank must send no e-mail" in result.output
    assert "mail-send never ran" in result.output
    assert "* * * * * timebank cron" in result.output
    assert "ok   database: reachable and up to date" in result.output
    assert "ok   ledger: verified" in result.output


def test_doctor_on_a_configured_instance_says_all_is_well(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    backups = tmp_path / "backups"
    backups.mkdir()
    sqlite = "sqlite" in make_app().config["SQLALCHEMY_DATABASE_URI"]
    app = make_app(**CONFIGURED, **({"TIMEBANK_BACKUP_DIR": str(backups)} if sqlite else {}))
    with app.app_context():
        assert all(result.outcome == "ok" for result in cron_run())

    result = app.test_cli_runner().invoke(args=["doctor"])

    assert result.exit_code == 0, result.output
    assert "FIX" not in result.output and result.output.strip().endswith("All is well.")
    assert "periodic jobs: 10 jobs, each ran on time" in result.output or not sqlite
    assert "e-mail: sent through smtp.quartier-des-tilleuls.fr" in result.output


@pytest.mark.parametrize("change, found", [
    ({"TIMEBANK_PROXY_COUNT": 0}, "reverse proxy: HTTPS is on but TIMEBANK_PROXY_COUNT is 0"),
    ({"SECRET_KEY": "short"}, "secret key: only 5 characters"),
    ({"MAIL_SERVER": None, "TIMEBANK_MAIL_TO_LOG": False}, "e-mail: no mail server"),
    ({"MAIL_DEFAULT_SENDER": "Timebank <no-reply@example.org>"}, "e-mail: the sender is"),
])
def test_doctor_names_each_missing_setting_of_an_otherwise_configured_instance(make_app, monkeypatch, change, found):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    app = make_app(**{**CONFIGURED, **change})
    with app.app_context():
        cron_run()
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1 and f"FIX  {found}" in result.output, result.output
    assert "1 thing(s) to fix:" in result.output


def test_doctor_says_when_the_database_is_not_migrated_or_demo_residents_are_in_it(make_app, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    app = make_app(**CONFIGURED, TIMEBANK_MAIL_TO_LOG=True)
    with app.app_context():
        from timebank.demo import demo_load

        demo_load(if_empty=True)
        cron_run()
        head = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar()
        db.session.execute(db.text("UPDATE alembic_version SET version_num = '0014'"))
        db.session.commit()
    try:
        result = app.test_cli_runner().invoke(args=["doctor"])
    finally:
        with app.app_context():
            db.session.execute(db.text("UPDATE alembic_version SET version_num = :head"), {"head": head})
            db.session.commit()
    assert "FIX  database: not migrated to the newest version" in result.output
    assert "Run `timebank db upgrade`" in result.output

    result = app.test_cli_runner().invoke(args=["doctor"])
    assert fixes(result.output) == ["demo data"], result.output


def test_doctor_says_when_the_database_is_unreachable(monkeypatch):
    from tests.conftest import base_config
    from timebank import create_app

    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    app = create_app({**base_config("postgresql+psycopg://timebank@127.0.0.1:9/timebank"), **CONFIGURED,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "FIX  database: unreachable" in result.output
    assert "Start the database server, or correct DATABASE_URL." in result.output
