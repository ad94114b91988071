"""``timebank ledger …``: verify, statement, export."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from timebank.exports import hours_hmm


@click.group(help="The hour ledger: verify it, print a statement, export it.")
def ledger():
    pass


@ledger.command("verify")
@with_appcontext
def verify():
    """Recompute every balance from the transfers; exit 1 and name each problem if any."""
    from timebank.ledger.verify import ledger_verify

    report = ledger_verify()
    click.echo(f"accounts: {report.accounts}")
    click.echo(f"transfers: {report.transfers}")
    click.echo(f"hours in circulation: {hours_hmm(report.posted_minutes_in_circulation)}")
    click.echo(f"hours reserved: {hours_hmm(report.pending_minutes)}")
    echo_verdict(report)


def echo_verdict(report) -> None:
    """Say whether the ledger is clean; name each problem and exit 1 if not."""
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
    click.echo(f"{found.display_name} (member {found.number}): balance {hours_hmm(balance.posted)}, "
               f"reserved to pay {hours_hmm(balance.reserved_to_pay)}, to receive {hours_hmm(balance.reserved_to_receive)}")
    for line in statement_all(account=account):
        t = line.transfer
        click.echo(f"{t.created_at:%Y-%m-%d %H:%M}  {hours_hmm(line.minutes):>7}  {hours_hmm(line.balance_after):>7}  "
                   f"{t.kind.value:<10} {account_label(line.counterpart)}  {t.memo}")


@ledger.command("export")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8-sig"), default="-",
              help="File to write (default: standard output).")
@with_appcontext
def export(output):
    """Write every transfer as CSV (minutes, decimal hours and h:mm), as the admin page's export."""
    from timebank.exports import export_csv

    for chunk in export_csv("transfers"):
        output.write(chunk.removeprefix("\ufeff"))
