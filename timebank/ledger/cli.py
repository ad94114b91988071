"""``timebank ledger …``: verify, statement, export."""
from __future__ import annotations

import csv
import sys

import click
from flask.cli import with_appcontext


@click.group(help="The hour ledger: verify it, print a statement, export it.")
def ledger():
    pass


def _hours(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


@ledger.command("verify")
@with_appcontext
def verify():
    """Recompute every balance from the transfers; exit 1 and name each problem if any."""
    from timebank.ledger.verify import ledger_verify

    report = ledger_verify()
    click.echo(f"accounts: {report.accounts}")
    click.echo(f"transfers: {report.transfers}")
    click.echo(f"hours in circulation: {_hours(report.posted_minutes_in_circulation)}")
    click.echo(f"hours reserved: {_hours(report.pending_minutes)}")
    if report.ok:
        click.echo("ledger OK: balances match the transfers, sum to zero and keep their limits")
        return
    click.echo(f"ledger NOT OK: {len(report.problems)} problem(s)", err=True)
    for problem in report.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


@ledger.command("statement")
@click.argument("member")
@with_appcontext
def statement(member: str):
    """Print the statement of MEMBER (member number or e-mail address)."""
    from timebank.ledger.services import account_label, account_of, balance_of, statement_all
    from timebank.members.services import member_by_identifier

    found = member_by_identifier(member)
    account = account_of(found) if found else None
    if account is None:
        raise click.ClickException(f"no member account for {member!r}")
    balance = balance_of(account)
    click.echo(f"{found.display_name} (member {found.number}): balance {_hours(balance.posted)}, "
               f"reserved to pay {_hours(balance.reserved_to_pay)}, to receive {_hours(balance.reserved_to_receive)}")
    for line in statement_all(account=account):
        t = line.transfer
        click.echo(f"{t.created_at:%Y-%m-%d %H:%M}  {_hours(line.minutes):>7}  {_hours(line.balance_after):>7}  "
                   f"{t.kind.value:<10} {account_label(line.counterpart)}  {t.memo}")


@ledger.command("export")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8-sig"), default="-",
              help="File to write (default: standard output).")
@with_appcontext
def export(output):
    """Write every transfer as CSV (minutes and h:mm)."""
    import sqlalchemy as sa

    from timebank.extensions import db
    from timebank.ledger.models import Transfer

    writer = csv.writer(output)
    writer.writerow(["id", "created_at", "kind", "state", "reservation", "debit_account", "credit_account",
                     "minutes", "hours", "pending_id", "corrects_id", "exchange_id", "recorded_by", "memo", "key"])
    for t in db.session.scalars(sa.select(Transfer).order_by(Transfer.id).execution_options(yield_per=5000)):
        writer.writerow([t.id, t.created_at.isoformat(sep=" ", timespec="seconds"), t.kind.value, t.state.value,
                         int(t.reservation), t.debit_account_id, t.credit_account_id, t.minutes, _hours(t.minutes),
                         t.pending_id or "", t.corrects_id or "", t.exchange_id or "", t.recorded_by_id or "",
                         t.memo, t.key])
