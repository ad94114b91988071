"""The welcome sheet printed for a member without e-mail: how to sign in, and how to reach the association."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import segno
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

from timebank.members.models import Member


def address_is_local(address: str) -> bool:
    """Is this a site address that only the computer serving it (or its own network) can open?"""
    host = (urlsplit(address or "").hostname or "").lower().rstrip(".")
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare machine name ("timebank", "raspberrypi")
    return ip.is_loopback or ip.is_private or ip.is_unspecified or ip.is_link_local


def qr_svg(address: str) -> Markup:
    """The site's address as a QR code, an inline SVG made here (no request leaves the page)."""
    code = segno.make(address, error="m", micro=False)
    # The address is encoded by segno and only its title (escaped by segno) carries text.
    return Markup(code.svg_inline(scale=4, border=4, title=_("QR code of the website: %(address)s", address=address),
                                  svgclass="sheet-qr", lineclass=None, omitsize=False))


def sheet_context(member: Member, password: str | None) -> dict:
    """What a welcome sheet shows; ``password`` None: a reprint, the member keeps the password she was given."""
    address = current_app.config["TIMEBANK_BASE_URL"]
    return {"member": member, "password": password, "address": address, "qr": qr_svg(address),
            "address_local": address_is_local(address)}
