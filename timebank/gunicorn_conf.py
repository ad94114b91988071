"""Gunicorn's settings for Timebank, shipped with the package.

    gunicorn --config python:timebank.gunicorn_conf 'timebank:create_app()'

Each one can be changed from the environment (the environment file of the systemd unit in
``deploy/``), so that nothing here needs editing:

- ``TIMEBANK_BIND``: where to listen (``127.0.0.1:8000``: only the proxy on the same machine);
- ``WEB_CONCURRENCY``: how many worker processes (two per processor and one, at most eight);
- ``TIMEBANK_PROXY_COUNT``: how many reverse proxies stand in front, the same setting the
  application reads; with one or more, gunicorn believes the proxy's ``X-Forwarded-Proto``
  from the addresses in ``TIMEBANK_FORWARDED_ALLOW_IPS`` (the proxy on the same machine by
  default); with none, it believes no forwarded header at all.

This file imports nothing from gunicorn, so that ``timebank doctor`` can read the same figures.
"""
from __future__ import annotations

import os


def worker_count() -> int:
    """The workers gunicorn starts: ``WEB_CONCURRENCY`` if set, else two per processor and one, at most eight."""
    configured = os.environ.get("WEB_CONCURRENCY", "").strip()
    if configured:
        return max(1, int(configured))
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def proxy_count() -> int:
    return int(os.environ.get("TIMEBANK_PROXY_COUNT", "").strip() or 0)


bind = os.environ.get("TIMEBANK_BIND", "127.0.0.1:8000")
workers = worker_count()
worker_class = "sync"
# A request that takes longer is stopped and its worker replaced (a large CSV export takes seconds).
timeout = 60
graceful_timeout = 30  # on restart, requests in progress get this long to finish
keepalive = 5
max_requests = 2000  # workers are renewed now and then, so a slow leak never grows
max_requests_jitter = 200

forwarded_allow_ips = os.environ.get("TIMEBANK_FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if proxy_count() else ""

# Access log on standard output (the journal under systemd): address, time, method and path
# without the query string, status, size, milliseconds. Tokens in addresses (password reset links)
# are masked by the logger class.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("TIMEBANK_LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
logger_class = "timebank.gunicorn_logging.Logger"
