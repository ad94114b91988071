"""The ``timebank`` command: what a volunteer runs on the server (its commands are in timebank.commands)."""
from __future__ import annotations

from flask.cli import FlaskGroup


def main() -> None:
    from timebank import create_app

    cli = FlaskGroup(create_app=create_app, help="Run and look after a Timebank instance.")
    cli.main(prog_name="timebank")
