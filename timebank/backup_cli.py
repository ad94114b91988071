"""``timebank backup …``: make a backup archive, restore one into an empty instance."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext


@click.group(help="Back up the instance (SQLite), or restore a backup into an empty instance.")
def backup():
    pass


@backup.command("create")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def create(path: Path):
    """Write the database and the uploaded files into one archive at PATH (a new file, or a folder).

    The copy is consistent even while the timebank is in use. Given a folder,
    the archive gets a dated name in it (handy from cron).
    """
    from timebank.backup import BackupError, backup_create

    try:
        made = backup_create(path=path)
    except BackupError as error:
        raise click.ClickException(str(error.message)) from None
    manifest = made.manifest
    click.echo(f"backup written: {made.path}")
    click.echo(f"members: {manifest.members}, transfers: {manifest.transfers}, uploaded files: {manifest.uploads}, "
               f"schema: {manifest.alembic_revision}")
    click.echo(f"database SHA-256: {manifest.database_sha256}")


@backup.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def restore(path: Path):
    """Restore the backup archive PATH into this instance, which must have no members; then verify the ledger.

    Stop the application first. Exits 1 if the archive is refused or the ledger is not clean.
    """
    from timebank.backup import BackupError, backup_restore

    try:
        restored = backup_restore(path=path)
    except BackupError as error:
        raise click.ClickException(str(error.message)) from None
    manifest, report = restored.manifest, restored.report
    click.echo(f"restored the backup of {manifest.created_at} (Timebank {manifest.app_version}, "
               f"schema {manifest.alembic_revision})")
    click.echo(f"members: {manifest.members}, transfers: {manifest.transfers}, uploaded files: {manifest.uploads}")
    if restored.upgraded_from:
        click.echo(f"database upgraded from schema {restored.upgraded_from} to the current one")
    click.echo(f"ledger: {report.accounts} accounts, {report.transfers} transfers")
    from timebank.ledger.cli import echo_verdict

    echo_verdict(report)
    _erase_again(manifest.created_at)


def _erase_again(created_at: str) -> None:
    """Members erased after the backup was made are erased again (numbers from the erasure journal)."""
    from datetime import datetime

    from timebank.privacy.erasure import erasures_reapply
    from timebank.privacy.journal import journal_path

    since = datetime.fromisoformat(created_at.replace("Z", "+00:00")).replace(tzinfo=None)
    numbers = erasures_reapply(since=since)
    click.echo(f"erased again since the backup was made: {len(numbers)} "
               f"({', '.join(map(str, numbers)) or 'none'}; journal: {journal_path()})")
