"""The gunicorn settings shipped with the package follow the environment of the service."""
from __future__ import annotations

import importlib

import pytest


def load(monkeypatch, **environment):
    for name in ("WEB_CONCURRENCY", "TIMEBANK_PROXY_COUNT", "TIMEBANK_BIND", "TIMEBANK_FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    import timebank.gunicorn_conf as conf

    return importlib.reload(conf)


def test_workers_come_from_the_processors_or_web_concurrency(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert load(monkeypatch).workers == 5
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert load(monkeypatch).workers == 8
    assert load(monkeypatch, WEB_CONCURRENCY="3").workers == 3


def test_forwarded_headers_are_believed_only_from_the_proxy_when_there_is_one(monkeypatch):
    alone = load(monkeypatch)
    assert (alone.forwarded_allow_ips, alone.bind) == ("", "127.0.0.1:8000")
    assert load(monkeypatch, TIMEBANK_PROXY_COUNT="1").forwarded_allow_ips == "127.0.0.1,::1"
    assert load(monkeypatch, TIMEBANK_PROXY_COUNT="1",
                TIMEBANK_FORWARDED_ALLOW_IPS="10.0.0.5").forwarded_allow_ips == "10.0.0.5"


def test_the_access_log_masks_password_reset_tokens():
    pytest.importorskip("gunicorn", reason="gunicorn is installed with the production extra")
    from timebank.gunicorn_logging import mask

    assert mask("GET /password/reset/abc.DEF-123 HTTP/1.1") == "GET /password/reset/… HTTP/1.1"
    assert mask("/listings/12") == "/listings/12"
