"""The migration to E.164: every phone that can be read is kept as +33612345678; one that cannot stays as typed."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from tests.unit.test_upgrade_with_data import old_instance, old_instance_url  # noqa: F401 (fixtures)
from timebank.extensions import db

MEMBER = sa.table("member", sa.column("id", sa.Integer), sa.column("email", sa.String),
                  sa.column("password_hash", sa.String), sa.column("display_name", sa.String),
                  sa.column("phone", sa.String), sa.column("locale", sa.String), sa.column("created_at", sa.DateTime))

TYPED = {"Amina Diallo": "06 12 34 56 78", "Karim Benali": "+212 6 12 34 56 78", "Hawa Coulibaly": "chez sa fille",
         "Omar Sy": "0033 7 61 22 33 44", "Élise Roux": None}


def test_phones_become_e164_where_they_can_and_stay_as_typed_elsewhere(old_instance):  # noqa: F811
    with old_instance.app_context():
        upgrade(revision="0021")
        with db.engine.begin() as connection:
            for n, (name, phone) in enumerate(TYPED.items()):
                connection.execute(MEMBER.insert().values(email=f"m{n}@example.org", password_hash="x",
                                                          display_name=name, phone=phone, locale="fr",
                                                          created_at=datetime(2026, 3, 1)))
        upgrade()
        with db.engine.connect() as connection:
            phones = dict(connection.execute(sa.select(MEMBER.c.display_name, MEMBER.c.phone)).all())
            assert connection.scalar(sa.text("SELECT count(*) FROM member WHERE call_me")) == 0
        db.engine.dispose()
    assert phones == {"Amina Diallo": "+33612345678", "Karim Benali": "+212612345678",
                      "Hawa Coulibaly": "chez sa fille", "Omar Sy": "+33761223344", "Élise Roux": None}
