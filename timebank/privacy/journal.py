"""The erasure journal: one line per erased member — her number and the date — outside the database.

A backup made before an erasure still holds the member. Restoring it would bring her back, so the restore reads
this journal and erases again every member erased since the backup was made. The journal holds member numbers and
dates only (no name: it must not undo the erasure it records). Keep a copy of it with the backups.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from flask import current_app

from timebank.timeutil import utcnow


def journal_path() -> Path:
    configured = current_app.config.get("TIMEBANK_ERASURE_JOURNAL") or ""
    return Path(configured) if configured else Path(current_app.instance_path) / "erasure-journal.txt"


def journal_append(numbers: list[int], *, at: datetime | None = None) -> None:
    """Add one line per member number: "<ISO time, UTC> <number>"."""
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = (at or utcnow()).isoformat()
    with open(path, "a", encoding="utf-8") as journal:
        for number in numbers:
            journal.write(f"{stamp} {number}\n")
        journal.flush()
        os.fsync(journal.fileno())


def journal_since(since: datetime) -> list[int]:
    """The member numbers erased at or after ``since`` (a backup's time), oldest first, each once."""
    path = journal_path()
    if not path.exists():
        return []
    numbers: dict[int, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            continue
        try:
            when = datetime.fromisoformat(parts[0])
        except ValueError:
            continue
        if when >= since:
            numbers[int(parts[1])] = None
    return list(numbers)
