"""Gunicorn's logger, with the secret part of addresses masked (a password-reset link's token)."""
from __future__ import annotations

import re

from gunicorn.glogging import Logger as GunicornLogger

_SECRET = re.compile(r"(/password/reset/)[^/?\s]+")


def mask(text: str | None) -> str | None:
    return _SECRET.sub(r"\1…", text) if text else text


class Logger(GunicornLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "f"):
            atoms[key] = mask(atoms.get(key))
        return atoms
