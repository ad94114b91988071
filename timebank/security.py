"""Security headers, safe redirects and access checks shared by every blueprint."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, render_template, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Pages with a form for a password or an e-mail address: never kept, even for a visitor.
_NO_STORE_FOR_VISITORS = {"members.login", "members.register", "members.password_forgot", "members.password_reset"}
# Public files with their own caching (static files, the instance's logo named by its content).
_CACHEABLE = {"static", "main.logo"}


def _private() -> bool:
    if request.endpoint in _CACHEABLE:
        return False
    return request.endpoint in _NO_STORE_FOR_VISITORS or current_user.is_authenticated


def set_security_headers(response):
    headers = response.headers
    if _private():
        # A shared computer, the browser's back button or a proxy must not keep a member's pages.
        headers["Cache-Control"] = "no-store"
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def is_safe_next(target: str | None) -> bool:
    """Allow only a path on this site: no scheme, no host, no protocol-relative trick."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(c) < 32 for c in target)


def member_required(view):
    """Let through active members; a pending applicant sees the waiting page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from timebank.extensions import login_manager

            return login_manager.unauthorized()
        if not current_user.is_active_member:
            return render_template("members/waiting.html"), 403
        return view(*args, **kwargs)

    return wrapped


def coordinator_required(view):
    """Let through active coordinators and admins; refuse everyone else with a 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from timebank.extensions import login_manager

            return login_manager.unauthorized()
        if not (current_user.is_coordinator and current_user.is_active_member):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def register_security(app: Flask) -> None:
    app.after_request(set_security_headers)


def admin_required(view):
    """Let through active admins only (settings, roles, exports, backups)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from timebank.extensions import login_manager

            return login_manager.unauthorized()
        if not (current_user.is_admin and current_user.is_active_member):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
