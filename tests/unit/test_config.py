"""Configuration: defaults, instance/config.py, then the environment; a secret key generated once."""
from pathlib import Path

from flask import Flask

from timebank.config import load_config


def configured(tmp_path: Path, monkeypatch, env: dict | None = None) -> Flask:
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    app = Flask("timebank", instance_path=str(tmp_path), instance_relative_config=True)
    load_config(app, None)
    return app


def test_a_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = configured(tmp_path, monkeypatch).config["SECRET_KEY"]
    second = configured(tmp_path, monkeypatch).config["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_default_database_is_a_sqlite_file_in_the_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = configured(tmp_path, monkeypatch)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'timebank.sqlite'}"


def test_instance_file_then_environment(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text('TIMEBANK_NAME = "Tilleuls"\nTIMEBANK_REGISTRATION_MODE = "open"\n')
    app = configured(tmp_path, monkeypatch, {
        "TIMEBANK_REGISTRATION_MODE": "approval",
        "TIMEBANK_AREAS": "Nord, Sud",
        "TIMEBANK_HTTPS": "yes",
        "DATABASE_URL": "postgresql://someone@db.example/timebank",
        "SECRET_KEY": "from-the-environment",
    })
    assert app.config["TIMEBANK_NAME"] == "Tilleuls"
    assert app.config["TIMEBANK_REGISTRATION_MODE"] == "approval"
    assert app.config["TIMEBANK_AREAS"] == ["Nord", "Sud"]
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example/timebank"
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_the_rate_limit_store_and_the_proxies_are_read_from_the_environment(tmp_path, monkeypatch):
    """The README's deploy section sets these: several workers must share one store of attempts."""
    app = configured(tmp_path, monkeypatch, {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
                                             "TIMEBANK_PROXY_COUNT": "1"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"
    assert app.config["TIMEBANK_PROXY_COUNT"] == 1
