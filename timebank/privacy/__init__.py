"""Personal data, as the law and residents expect: see it, take it, erase it — the ledger stays whole.

    views.py        /privacy (the page generated from the settings), /me/privacy, /me/data, /me/leave,
                    and the coordinator's page for a member's data (/coordination/members/<id>/data)
    models.py       consents, sign-in records, erasure requests
    consents.py     what a member agreed to, recorded where she gives it (``record_consent``)
    export.py       the ZIP of everything about one member (JSON, CSV and a README in her language)
    erasure.py      asking to leave, coming back, erasing (names out, hours and transfers kept)
    scrub.py        removing an erased member's name, e-mail and phone from every table but the ledger
    retention.py    the daily sweep of what is kept too long
    journal.py      the erasure journal (member numbers and dates, outside the database) for restored backups
    cli.py          ``timebank privacy erase-due | sweep | reapply``
"""
