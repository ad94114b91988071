"""What the benchmarks print: the machine they ran on, and tables of figures next to their floors."""
from __future__ import annotations

import os
import platform
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_line(*, sqlite: bool = False) -> str:
    """One line naming the machine, and how busy it was when the run started (the load average of 1 minute).

    On a machine other processes keep busy, wall-clock figures move with them: the load says how much to
    trust them.
    """
    try:
        load = f"load average {os.getloadavg()[0]:.1f}; "
    except OSError:
        load = ""
    return (f"machine: {platform.machine()}, {os.cpu_count()} cores, {cpu_model()}; {load}"
            f"Python {platform.python_version()}" + (f", SQLite {sqlite3.sqlite_version}" if sqlite else ""))


def table(headers: Sequence[str], rows: Iterable[Sequence], *, formats: Sequence[str], first: int = 48) -> str:
    """A table as text: the first column left-aligned over ``first`` characters, the others right-aligned.

    ``formats`` gives each figure column its format (``".0f"``, ``".3f"``…); an empty cell (None) stays blank,
    and a text cell is written as it is.
    """
    widths = [max(10, len(header) + 2) for header in headers[1:]]
    lines = [f"{headers[0]:<{first}}" + "".join(f"{h:>{w}}" for h, w in zip(headers[1:], widths))]
    for label, *cells in rows:
        text = [("" if cell is None else cell if isinstance(cell, str) else format(cell, fmt))
                for cell, fmt in zip(cells, formats)]
        lines.append(f"{label:<{first}}" + "".join(f"{t:>{w}}" for t, w in zip(text, widths)))
    return "\n".join(lines)
