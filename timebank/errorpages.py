"""Error pages in the member's language, and domain errors turned into responses."""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from timebank.errors import DomainError
from timebank.extensions import db

log = logging.getLogger(__name__)


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, reason="csrf"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        code = error.code or 500
        if code < 400:  # routing redirects (a missing trailing slash) are not errors
            return error
        if code == 429:
            return _too_many(error)
        return render_template("errors/error.html", code=code, reason=None), code

    def _too_many(error: HTTPException):
        """Say how long to wait, in minutes, and tell the browser with Retry-After."""
        import math
        import time

        from timebank.extensions import limiter

        current = limiter.current_limit
        seconds = max(1, int(current.reset_at - time.time())) if current is not None else 15 * 60
        minutes = max(1, math.ceil(seconds / 60))
        # A limit with its own explanation (the account being guessed from many places) says it too.
        limit = getattr(error, "limit", None)
        advice = error.description if limit is not None and limit.error_message else None
        return (render_template("errors/error.html", code=429, reason=None, wait_minutes=minutes, advice=advice),
                429, {"Retry-After": str(seconds)})

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return render_template("errors/error.html", code=error.status_code, message=error.message), error.status_code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("Unexpected error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_template("errors/error.html", code=500, reason=None), 500
