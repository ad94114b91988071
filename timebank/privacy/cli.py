"""``timebank privacy …``: erase the members whose time has come, apply the retention periods."""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext


@click.group(help="Personal data: erasures and retention (run both daily; each is safe to run twice).")
def privacy():
    pass


@privacy.command("erase-due")
@with_appcontext
def erase_due_command():
    """Erase the members whose grace period after asking to leave is over."""
    click.echo(erase_due_summary())


def erase_due_summary() -> str:
    from timebank.privacy.erasure import erase_due

    erased = erase_due()
    numbers = ", ".join(str(item.number) for item in erased) or "none"
    moved = sum(item.balance_moved for item in erased)
    return f"members erased: {len(erased)} ({numbers}); minutes moved to the community account: {moved}"


@privacy.command("sweep")
@with_appcontext
def sweep_command():
    """Apply the retention periods of the settings; print what was done."""
    click.echo(sweep_summary())


def sweep_summary() -> str:
    from timebank.privacy.retention import retention_sweep

    return retention_sweep().summary()


@privacy.command("reapply")
@click.option("--since", required=True, help="The backup's time (ISO 8601, UTC), e.g. 2026-11-30T02:00:00.")
@with_appcontext
def reapply_command(since: str):
    """Erase again the members of the erasure journal erased since a restored backup was made."""
    from timebank.privacy.erasure import erasures_reapply

    try:
        when = datetime.fromisoformat(since.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise click.BadParameter("not a date and time such as 2026-11-30T02:00:00", param_hint="--since") from None
    numbers = erasures_reapply(since=when)
    click.echo(f"members erased again: {len(numbers)} ({', '.join(map(str, numbers)) or 'none'})")
