"""The one CSV writer of the timebank: every CSV file it produces goes through it.

UTF-8 with a byte-order mark (spreadsheet software then reads accents right).
Each column has a kind, decided by the code that builds the table, never
guessed from the value: a *text* cell that begins with ``= + - @``, a tab or a
carriage return gets a leading apostrophe, so a spreadsheet shows it instead of
running it as a formula; a *number* cell (minutes, decimal hours, h:mm) stays a
number — a balance of −1.50 must still add up — and is treated as text if it is
not really a number.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from flask import Response

BOM = "\ufeff"
TEXT = "text"
NUMBER = "number"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(?:[.:][0-9]+)?")
CHUNK_ROWS = 500


def safe_cell(text: str | None) -> str:
    """Keep text from being read as a formula by a spreadsheet."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value, kind: str):
    """One cell as the writer puts it in the file."""
    if value is None:
        return ""
    if kind == NUMBER and not isinstance(value, bool):
        if isinstance(value, (int, Decimal)) or (isinstance(value, float) and value == value
                                                 and value not in (float("inf"), float("-inf"))):
            return value
        if isinstance(value, str) and (value == "" or _NUMBER.fullmatch(value)):
            return value
    return safe_cell(str(value))


def csv_chunks(header: Sequence[str], kinds: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The table as CSV text in chunks: the first begins with the byte-order mark and the header."""
    if len(header) != len(kinds):
        raise ValueError("one kind per column")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([safe_cell(name) for name in header])
    for n, row in enumerate(rows, start=1):
        writer.writerow([cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(header: Sequence[str], kinds: Sequence[str], rows: Iterable[Sequence]) -> str:
    return "".join(csv_chunks(header, kinds, rows))


def csv_response(body: str | Iterable[bytes], *, filename: str, **headers) -> Response:
    """A CSV download (``Content-Type`` names its charset once)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Response(body, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', **headers})
