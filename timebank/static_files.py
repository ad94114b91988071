"""Static files named by their content and kept by browsers for a year; pages compressed when no proxy does it.

Every ``url_for("static", filename=...)`` gets ``?v=<hash of the file>`` (templates need no change): a file
that changes gets a new address, so the old one can be cached "forever" (``immutable``). A request for an
old or missing hash is still served, with Flask's usual revalidation.

Pages (HTML, JSON) are compressed (brotli, gzip…, by Flask-Compress) when ``TIMEBANK_COMPRESS`` says so; by
default, when no reverse proxy stands in front (``TIMEBANK_PROXY_COUNT`` is 0), since a proxy usually
compresses on its own.
"""
from __future__ import annotations

import hashlib
import os

from flask import Flask, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
_HASHES = "timebank.static_hashes"


def register_static(app: Flask) -> None:
    app.extensions[_HASHES] = {}

    @app.url_defaults
    def static_version(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = file_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_forever(response):
        if request.endpoint == "static" and response.status_code == 200:
            wanted = request.args.get("v")
            if wanted and wanted == file_version(app, request.view_args.get("filename", "")):
                response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response

    register_compression(app)


def file_version(app: Flask, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, read again only when the file changes (size, time)."""
    path = safe_join(app.static_folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    seen = app.extensions[_HASHES].get(path)
    if seen is not None and seen[0] == (stat.st_mtime_ns, stat.st_size):
        return seen[1]
    with open(path, "rb") as file:
        version = hashlib.sha256(file.read()).hexdigest()[:12]
    app.extensions[_HASHES][path] = ((stat.st_mtime_ns, stat.st_size), version)
    return version


def compression_wanted(app: Flask) -> bool:
    setting = app.config.get("TIMEBANK_COMPRESS")
    if setting is None:
        return int(app.config.get("TIMEBANK_PROXY_COUNT") or 0) == 0
    if isinstance(setting, str):
        return setting.strip().lower() in ("1", "true", "yes", "on")
    return bool(setting)


def register_compression(app: Flask) -> None:
    if not compression_wanted(app):
        return
    from flask_compress import Compress

    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "application/json", "application/manifest+json",
                                                 "text/javascript", "text/css", "image/svg+xml"])
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)  # fast enough for a small server, far smaller than gzip's
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    Compress(app)
