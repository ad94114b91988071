"""Pictures people upload (the instance's logo, a partner's logo): checked, re-encoded and stored by content.

A picture is refused before it is decoded when its header announces too many pixels; what is kept is a fresh
PNG (anything hidden in the upload is dropped), named by its content, in the upload folder that backups keep.
"""
from __future__ import annotations

import hashlib
import io
import os

from flask import current_app
from flask_babel import lazy_gettext as _l

from timebank.errors import DomainError

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4096
LOGO_MAX_PIXELS = LOGO_MAX_SIDE * LOGO_MAX_SIDE  # 16 Mpx: a 64 MB picture once decoded, not 360 MB


def logo_store(data: bytes, *, field: str = "logo") -> str:
    """Check that ``data`` is really a PNG or JPEG image, re-encode it and store it; return the file name."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise DomainError(_l("The logo is too large: at most 1 MB."), field=field)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise DomainError(_l("The logo must be a PNG or JPEG image."), field=field)
            # The header gives the size: refuse a huge picture before decoding a single pixel of it.
            if image.width * image.height > LOGO_MAX_PIXELS:
                raise DomainError(_l("The logo is too large: at most %(side)s × %(side)s pixels.",
                                     side=LOGO_MAX_SIDE), field=field)
            if image.format == "JPEG":
                image.draft("RGB", (1024, 1024))  # decode a JPEG at a reduced scale: a logo needs no more
            image.load()
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise DomainError(_l("The logo must be a PNG or JPEG image."), field=field) from None
    clean.thumbnail((512, 512))
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    body = out.getvalue()
    name = f"logo-{hashlib.sha256(body).hexdigest()[:16]}.png"  # the name main.logo serves
    folder = current_app.config["TIMEBANK_UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as file:
        file.write(body)
    return name
