"""The commands of ``timebank``: what a volunteer runs on the server (the app factory adds them)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from timebank.i18n import LOCALES


def register_commands(app: Flask) -> None:
    from timebank.backup_cli import backup
    from timebank.ledger.cli import ledger
    from timebank.privacy.cli import privacy

    app.cli.add_command(ledger)
    app.cli.add_command(listings)
    app.cli.add_command(exchanges)
    app.cli.add_command(users)
    app.cli.add_command(outbox)
    app.cli.add_command(mail)
    app.cli.add_command(demo)
    app.cli.add_command(backup)
    app.cli.add_command(cron)
    app.cli.add_command(doctor)
    app.cli.add_command(privacy)


@click.group(help="Manage members' accounts.")
def users():
    pass


@users.command("create-admin")
@click.option("--name", prompt="Name", help="Display name of the admin.")
@click.option("--email", prompt="E-mail address", help="E-mail address used to sign in.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Password (asked for if not given).")
@click.option("--locale", default="fr", show_default=True, type=click.Choice(LOCALES))
@with_appcontext
def create_admin(name: str, email: str, password: str, locale: str):
    """Create an admin account (the association's first one, usually)."""
    from flask import current_app

    from timebank.errors import DomainError
    from timebank.extensions import db
    from timebank.members.models import Role, Status
    from timebank.members.services import member_create

    minimum = current_app.config["TIMEBANK_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise click.BadParameter(f"at least {minimum} characters", param_hint="--password")
    if "@" not in email:
        raise click.BadParameter("not an e-mail address", param_hint="--email")
    try:
        member = member_create(display_name=name, email=email, password=password, role=Role.ADMIN,
                               status=Status.ACTIVE, locale=locale)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    click.echo(f"Admin {member.display_name} created (member number {member.number}).")


@click.group(help="The outbox: e-mail, text messages and phone notifications.")
def outbox():
    pass


@click.group(help="The outbox (the old name of `timebank outbox`).")
def mail():
    pass


@click.option("--limit", default=200, show_default=True, help="Most messages to send in this run.")
@with_appcontext
def outbox_send(limit: int):
    """Send queued messages of every channel; failures stay queued and are retried later (run it from cron)."""
    from timebank.notifications.outbox import outbox_send_due

    report = outbox_send_due(limit=limit)
    click.echo(f"sent: {report.sent}, written to the log: {report.logged}, failed (kept for retry): {report.failed}, "
               f"refused (not retried): {report.refused}")
    if report.failed or report.refused:
        raise SystemExit(1)


outbox.add_command(click.command("send")(outbox_send))
mail.add_command(outbox.commands["send"], "send")


@mail.command("digest")
@with_appcontext
def mail_digest():
    """Gather the day's e-mails of members who chose one e-mail a day (run it daily from cron)."""
    from timebank.notifications.services import mail_digest_due

    click.echo(f"digests queued: {mail_digest_due()}")


@click.group(help="Demonstration data (never in a real instance).")
def demo():
    pass


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has members.")
@with_appcontext
def demo_load(if_empty: bool):
    """Load about thirty residents, a coordinator and an admin, and print their sign-ins."""
    from timebank.demo import DEMO_PASSWORD, demo_is_loaded, demo_sign_ins
    from timebank.demo import demo_load as load

    loaded = load(if_empty=if_empty)
    click.echo("Demo data loaded." if loaded else "The database already has members: nothing loaded.")
    if not demo_is_loaded():
        return
    click.echo(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
    for email, what in demo_sign_ins():
        click.echo(f"  {email:<28} {what}")


@demo.command("scale")
@click.option("--members", default=0, show_default=True, help="Active members to add, each with an account.")
@click.option("--listings", default=0, show_default=True, help="Open listings to add.")
@click.option("--transfers", default=0, show_default=True, help="Posted transfers between active members.")
@click.option("--messages", default=0, show_default=True, help="Direct messages between active members.")
@click.option("--exchanges", default=0, show_default=True,
              help="Ended exchanges (declined or cancelled) with their messages and notices.")
@click.option("--seed", default=1, show_default=True, help="Seed of the random choices (same seed, same data).")
@with_appcontext
def demo_scale(members: int, listings: int, transfers: int, messages: int, exchanges: int, seed: int):
    """Grow a demo instance to the size of a city, in bulk, for the benchmarks (never on a real instance)."""
    import time

    from timebank.demo import demo_is_loaded
    from timebank.demo_scale import demo_scale as scale

    if min(members, listings, transfers, messages, exchanges) < 0:
        raise click.BadParameter("counts cannot be negative")
    if not demo_is_loaded():
        raise click.ClickException("This is not a demo instance: run `timebank demo load` on an empty database "
                                   "first.")
    started = time.perf_counter()
    report = scale(members=members, listings=listings, transfers=transfers, messages=messages, exchanges=exchanges,
                   seed=seed, echo=click.echo)
    click.echo(f"Added {report.members} members, {report.listings} listings, {report.transfers} transfers, "
               f"{report.messages} messages and {report.exchanges} exchanges in {time.perf_counter() - started:.1f} s.")


@click.group(help="Offers and requests.")
def listings():
    pass


@listings.command("remind")
@click.option("--days", default=3, show_default=True, help="Remind authors this many days before the end date.")
@with_appcontext
def listings_remind(days: int):
    """E-mail the authors of listings that end soon (run it daily from cron)."""
    from timebank.listings.upkeep import listings_remind_due

    click.echo(f"reminders queued: {listings_remind_due(days=days)}")


@users.command("verifications")
@with_appcontext
def users_verifications():
    """Tell members whose verification ends within two weeks; end the ones that lapsed (run it daily; safe twice)."""
    from timebank.coordination.vetting import verifications_check

    reminded, lapsed = verifications_check()
    click.echo(f"told their verification ends soon: {reminded}, lapsed: {lapsed}")


@click.group(help="Exchanges between members.")
def exchanges():
    pass


@exchanges.command("auto-confirm")
@with_appcontext
def exchanges_auto_confirm():
    """Remind of tomorrow's exchanges; confirm those left unconfirmed too long (run it hourly; safe twice)."""
    from timebank.exchanges.auto_confirm import exchanges_auto_confirm as run
    from timebank.exchanges.auto_confirm import exchanges_remind_tomorrow

    tomorrow = exchanges_remind_tomorrow()
    reminded, confirmed = run()
    click.echo(f"reminded of tomorrow: {tomorrow}, reminded to confirm: {reminded}, confirmed automatically: {confirmed}")


@click.command(help="Run every periodic job that is due (put it in cron every minute: * * * * * timebank cron -q).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the jobs that failed (cron e-mails any output).")
@with_appcontext
def cron(quiet: bool):
    """Run the due jobs once each; a failing job is tried again next time and does not stop the others.

    Safe to run twice at once: a job taken by one run is skipped by the other. Exits 1 if a job failed.
    """
    from timebank.scheduler import FAILED, cron_run

    results = cron_run()
    for result in results:
        if result.outcome == FAILED or not quiet:
            click.echo(f"{result.name}: {result.outcome} in {result.duration_ms / 1000:.1f} s: {result.summary}",
                       err=result.outcome == FAILED)
    if any(result.outcome == FAILED for result in results):
        raise SystemExit(1)


@click.command(help="Check what a production instance needs, and say what to fix.")
@with_appcontext
def doctor():
    """Check the settings, the database, the ledger, the backups and the periodic jobs; exit 1 if something needs fixing."""
    from timebank.doctor import doctor_checks

    checks = doctor_checks()
    for check in checks:
        click.echo(f"{'ok ' if check.ok else 'FIX'}  {check.title}: {check.text}")
    problems = [check for check in checks if not check.ok]
    if problems:
        click.echo(f"\n{len(problems)} thing(s) to fix:")
        for check in problems:
            click.echo(f"- {check.fix}")
        raise SystemExit(1)
    click.echo("\nAll is well.")
