"""Backups of a SQLite instance: one archive with the database, the uploaded files and a manifest.

The database is copied with SQLite's online backup API, so the copy is consistent
even while members keep using the timebank. A PostgreSQL instance is backed up
with ``pg_dump`` instead (see "Backups" in the README).

The archive (``.tar.gz``) holds:

- ``manifest.json``: format version, app version, schema revision, when, counts, SHA-256 of the database;
- ``timebank.sqlite``: the database;
- ``uploads/``: the files of the instance's upload folder.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from importlib import metadata
from io import BytesIO
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from flask_babel import gettext as _

from timebank.admin.settings_store import settings_version_bump
from timebank.backup_schema import schema_differences
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.ledger.verify import VerifyReport, ledger_verify
from timebank.timeutil import utcnow

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_NAME = "timebank.sqlite"
UPLOADS_NAME = "uploads"

# What reading a damaged or foreign archive can raise.
_UNREADABLE = (tarfile.TarError, OSError, EOFError, KeyError, ValueError, UnicodeDecodeError)


class BackupError(DomainError):
    """A backup cannot be made or restored; the message says why, in one line."""


@dataclass(frozen=True)
class Manifest:
    format_version: int
    app_version: str
    alembic_revision: str
    created_at: str  # ISO 8601, UTC
    members: int
    transfers: int
    uploads: int
    database_sha256: str


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: Manifest


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    upgraded_from: str | None  # the backup's schema revision, when it had to be upgraded
    report: VerifyReport


def backup_supported() -> bool:
    """Tell whether this instance can be backed up from here (SQLite) or needs pg_dump (PostgreSQL)."""
    return db.engine.dialect.name == "sqlite"


def backup_file_name(*, at: datetime | None = None) -> str:
    return f"timebank-backup-{(at or utcnow()):%Y-%m-%d-%H%M%S}.tar.gz"


def upload_folder() -> Path:
    config = current_app.config
    return Path(config.get("TIMEBANK_UPLOAD_FOLDER") or os.path.join(current_app.instance_path, UPLOADS_NAME))


def backup_write(*, file: IO[bytes]) -> Manifest:
    """Write a backup archive of this instance into an open binary file; return its manifest."""
    if not backup_supported():
        raise BackupError(_("This timebank uses PostgreSQL: back it up with pg_dump, as the README explains "
                            "under “Backups”."))
    source, uploads = Path(db.engine.url.database), upload_folder()
    if not source.is_file():
        raise BackupError(_("There is no database to back up yet: run “timebank db upgrade” first."))
    with tempfile.TemporaryDirectory(prefix="timebank-backup-") as work:
        copy = Path(work) / DATABASE_NAME
        _sqlite_copy(source=source, target=copy, single_file=True)
        manifest = _describe(copy, uploads=uploads)
        with tarfile.open(fileobj=file, mode="w:gz") as archive:
            text = json.dumps(asdict(manifest), indent=2).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mtime = len(text), int(utcnow().timestamp())
            archive.addfile(info, BytesIO(text))
            archive.add(copy, arcname=DATABASE_NAME)
            if uploads.is_dir():
                archive.add(uploads, arcname=UPLOADS_NAME, filter=_plain_files)
    return manifest


def backup_create(*, path: str | os.PathLike) -> Backup:
    """Write a backup archive at ``path`` (a new file, or a folder to put a dated file in)."""
    target = Path(path)
    if target.is_dir():
        target = target / backup_file_name()
    if target.exists():
        raise BackupError(_("%(path)s already exists: choose another name.", path=target))
    if not target.parent.is_dir():
        raise BackupError(_("There is no folder %(path)s.", path=target.parent))
    partial = None
    try:
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".timebank-backup-", delete=False) as handle:
            partial = Path(handle.name)
            manifest = backup_write(file=handle)
        os.replace(partial, target)  # a crash leaves no half-written archive under the real name
    except OSError as error:
        raise BackupError(_("The backup could not be written: %(error)s", error=error.strerror or error)) from None
    finally:
        if partial is not None and partial.exists():
            partial.unlink()
    return Backup(target, manifest)


def backup_restore(*, path: str | os.PathLike) -> Restored:
    """Restore a backup archive into this instance, which must hold no members yet; then verify the ledger.

    Everything in the archive is checked (manifest, database hash and integrity,
    schema revision, file names) before anything is written. A backup made by an
    older version is upgraded to the current schema after it is restored.
    """
    if not backup_supported():
        raise BackupError(_("This timebank uses PostgreSQL: restore it with pg_restore, as the README explains "
                            "under “Backups”."))
    source = Path(path)
    if not source.is_file():
        raise BackupError(_("There is no file %(path)s.", path=source))
    target, uploads = Path(db.engine.url.database), upload_folder()
    with _open_archive(source) as archive, tempfile.TemporaryDirectory(prefix="timebank-restore-") as work:
        manifest = _read_manifest(archive)
        _refuse_unless_empty()
        copy = _extract_database(archive, manifest, Path(work))
        revision = _check_database(copy)
        _check_schema(copy, revision, Path(work))
        files = _upload_members(archive, uploads)
        db.session.remove()
        db.engine.dispose()  # no pooled connection keeps the empty database's pages
        _sqlite_copy(source=copy, target=target, single_file=False)
        try:
            if files:
                uploads.mkdir(parents=True, exist_ok=True)
                archive.extractall(uploads, members=files, filter="data")
        except _UNREADABLE as error:
            raise BackupError(_("The database was restored, but not the uploaded files: %(error)s",
                                error=error)) from None
    db.engine.dispose()
    upgraded_from = None
    if revision != _scripts().get_current_head():
        from flask_migrate import upgrade

        upgrade()
        upgraded_from = revision
    with db.engine.begin() as connection:
        settings_version_bump(connection)  # every worker reads the restored settings, not those it kept
    return Restored(manifest, upgraded_from, ledger_verify())


# Making the copy ----------------------------------------------------------


def _sqlite_copy(*, source: Path, target: Path, single_file: bool) -> None:
    """Copy one SQLite database into another with the online backup API (one consistent snapshot)."""
    timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
    try:
        with contextlib.closing(sqlite3.connect(source, timeout=timeout)) as src, \
                contextlib.closing(sqlite3.connect(target, timeout=timeout)) as dst:
            src.backup(dst)  # all pages in one step: one read transaction, writers go on (WAL)
            if single_file:
                dst.execute("PRAGMA journal_mode = DELETE")  # the copy needs no -wal file beside it
    except sqlite3.Error as error:
        raise BackupError(_("The database could not be copied: %(error)s", error=error)) from None


def _describe(copy: Path, *, uploads: Path) -> Manifest:
    try:
        with contextlib.closing(sqlite3.connect(copy)) as connection:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            members = connection.execute("SELECT count(*) FROM member").fetchone()[0]
            transfers = connection.execute("SELECT count(*) FROM transfer").fetchone()[0]
    except (sqlite3.Error, TypeError):
        raise BackupError(_("The database is not ready to back up: run “timebank db upgrade” first.")) from None
    files = sum(1 for p in uploads.rglob("*") if p.is_file() and not p.is_symlink()) if uploads.is_dir() else 0
    return Manifest(
        format_version=FORMAT_VERSION,
        app_version=_app_version(),
        alembic_revision=revision,
        created_at=utcnow().isoformat(timespec="seconds") + "Z",
        members=members,
        transfers=transfers,
        uploads=files,
        database_sha256=_sha256(copy),
    )


def _plain_files(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Keep folders and regular files only: links and devices have no place in an upload folder."""
    return info if info.isdir() or info.isreg() else None


def _app_version() -> str:
    try:
        return metadata.version("timebank")
    except metadata.PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# Checking an archive ------------------------------------------------------


def _not_a_backup(path: Path | str) -> BackupError:
    return BackupError(_("%(path)s is not a Timebank backup archive.", path=path))


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:*")
    except _UNREADABLE:
        raise _not_a_backup(path) from None


def _read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        data = json.loads(archive.extractfile(MANIFEST_NAME).read())
    except (*_UNREADABLE, AttributeError):
        raise _not_a_backup(archive.name) from None
    version = data.get("format_version") if isinstance(data, dict) else None
    if not isinstance(version, int):
        raise _not_a_backup(archive.name)
    if version > FORMAT_VERSION:
        raise BackupError(_("This backup was made by a newer version of Timebank (backup format %(version)s): "
                            "upgrade Timebank first.", version=version))
    try:
        return Manifest(**{f.name: data[f.name] for f in fields(Manifest)})
    except (KeyError, TypeError):
        raise _not_a_backup(archive.name) from None


def _refuse_unless_empty() -> None:
    try:
        if not sa.inspect(db.engine).has_table("member"):
            return
        with db.engine.connect() as connection:
            members = connection.execute(sa.text("SELECT count(*) FROM member")).scalar_one()
    except sa.exc.DBAPIError as error:
        raise BackupError(_("The database of this instance cannot be opened: %(error)s", error=error.orig)) from None
    if members:
        raise BackupError(_("This instance already has %(num)s members: a backup is only restored into an "
                            "empty instance.", num=members))


def _extract_database(archive: tarfile.TarFile, manifest: Manifest, work: Path) -> Path:
    try:
        member = archive.getmember(DATABASE_NAME)
        if not member.isreg():
            raise _not_a_backup(archive.name)
        archive.extract(member, work, filter="data")
    except _UNREADABLE:
        raise _not_a_backup(archive.name) from None
    copy = work / DATABASE_NAME
    if _sha256(copy) != manifest.database_sha256:
        raise BackupError(_("The database in this backup does not match its manifest (SHA-256 differs): the "
                            "archive is damaged or was changed."))
    return copy


def _check_database(copy: Path) -> str:
    """Return the schema revision of a restored database, once it proves sound and known to this version."""
    try:
        with contextlib.closing(sqlite3.connect(copy)) as connection:
            sound = connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.Error, TypeError):
        sound, revision = False, None
    if not sound or not revision:
        raise BackupError(_("The database in this backup is damaged."))
    try:
        _scripts().get_revision(revision)
    except CommandError:
        raise BackupError(_("This backup was made by a newer version of Timebank (schema %(revision)s): "
                            "upgrade Timebank first.", revision=revision)) from None
    return revision


def _check_schema(copy: Path, revision: str, work: Path) -> None:
    """Refuse a database whose schema is not exactly what the migrations build for its revision."""
    differences = schema_differences(copy, revision, work)
    if differences:
        raise BackupError(_("The database in this backup holds a schema that Timebank did not make (%(names)s): "
                            "it is not restored.", names=", ".join(differences[:5])))


def _upload_members(archive: tarfile.TarFile, folder: Path) -> list[tarfile.TarInfo]:
    """The archive's uploaded files, renamed relative to the upload folder and checked to stay inside it."""
    prefix = UPLOADS_NAME + "/"
    members = []
    try:
        for member in archive.getmembers():
            if member.name.startswith(prefix):
                relative = member.replace(name=member.name.removeprefix(prefix), deep=False)
                tarfile.data_filter(relative, str(folder))  # raises on absolute paths, "..", links…
                members.append(relative)
    except _UNREADABLE:
        raise _not_a_backup(archive.name) from None
    return members


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(current_app.extensions["migrate"].directory)
