"""One application and one database for a whole test module, for suites that send hundreds of requests.

The function-scoped ``app`` of conftest gives each test a clean database; a suite that asks every route
for every role would spend its time building worlds. These helpers build one per module, remember every
row, and put the rows back after a request that changed them (``Snapshot``).
"""
from __future__ import annotations

import re

import shutil

import sqlalchemy as sa

from timebank import create_app
from timebank.extensions import db

from tests.conftest import PG_URL, _empty_postgres, base_config

# Columns any request may touch without it being a write worth noticing: the last activity, and "read" marks
# (a page shown, an error page included, notes that its reader has read what it shows).
# Columns a page may write as a side effect, not an act: ignored when comparing, and kept as they are now when rows
# are put back (a session token put back would sign out the clients that signed in again since).
VOLATILE = {("member", "last_seen_at"), ("direct_message", "read_at"), ("notification", "read_at"),
            ("member", "session_token")}


def module_app(migrated_database, tmp_path_factory, **overrides):
    """An app on a database of its own for the module (a copy of the migrated one; PostgreSQL: emptied)."""
    if PG_URL:
        _empty_postgres(migrated_database)
        url = migrated_database
    else:
        path = tmp_path_factory.mktemp("module") / "timebank.sqlite"
        shutil.copyfile(migrated_database, path)
        url = f"sqlite:///{path}"
    # Not RATELIMIT_ENABLED=False: Flask-Limiter would keep it for every app built after this one.
    return create_app({**base_config(url), **overrides})


def close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def english_client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def signed_in(app, resident):
    client = english_client(app)
    response = client.post("/login", data={"identifier": resident.email or str(resident.number),
                                           "password": resident.password})
    assert response.status_code == 302, f"{resident.name} could not sign in"
    return client


class Snapshot:
    """Every row of every table, to tell whether a request wrote anything and to undo what it wrote."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            metadata = sa.MetaData()
            metadata.reflect(db.engine)
            self.tables = [t for t in metadata.sorted_tables
                           if t.name != "alembic_version" and not t.name.startswith(("listing_fts", "sqlite_"))]
            self.rows = self._read()
            sa.event.listen(db.engine, "before_cursor_execute", self._note_write)
        self.written = False

    def _note_write(self, _conn, _cursor, statement, *_args):
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.written = True

    def _read(self) -> dict[str, list[dict]]:
        rows = {}
        with db.engine.connect() as connection:
            for table in self.tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows[table.name] = [dict(r._mapping) for r in connection.execute(table.select().order_by(*order))]
        return rows

    @staticmethod
    def _stable(name: str, rows: list[dict]) -> list[dict]:
        return [{k: v for k, v in row.items() if (name, k) not in VOLATILE} for row in rows]

    def changes(self) -> list[str]:
        """The tables whose rows differ from the snapshot (none, at once, if nothing was written since)."""
        if not self.written:
            return []
        with self.app.app_context():
            now = self._read()
        changed = [name for name, rows in now.items() if self._stable(name, rows) != self._stable(name, self.rows[name])]
        self.written = bool(changed)
        return changed

    def restore(self, names: list[str] | None = None) -> None:
        """Put the rows of the tables ``names`` (default: all) back as they were."""
        tables = [t for t in self.tables if names is None or t.name in names]
        with self.app.app_context():
            engine = db.engine
            db.session.remove()
            with engine.begin() as connection:
                if engine.dialect.name == "postgresql":
                    # Rows point at each other (a member's helper), and the ledger's and the audit log's triggers
                    # refuse deletes: neither runs in this transaction, which puts back rows that satisfied them.
                    connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
                    now = self._volatile_now(connection, tables)
                    for table in reversed(tables):
                        connection.execute(table.delete())
                    self._insert(connection, tables, now)
                    for table in tables:
                        if "id" in table.c and self.rows[table.name]:
                            connection.execute(sa.text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f"(SELECT max(id) FROM \"{table.name}\"))"))
                else:
                    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # checked at commit
                    # The ledger's and the audit log's triggers refuse deletes: lifted for this transaction only.
                    triggers = connection.exec_driver_sql(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name != 'listing'").all()
                    for name, _sql in triggers:
                        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
                    now = self._volatile_now(connection, tables)
                    for table in reversed(tables):
                        connection.execute(table.delete())
                    self._insert(connection, tables, now)
                    for _name, sql in triggers:
                        connection.exec_driver_sql(sql)
        self.written = False

    def _insert(self, connection, tables, now: dict[str, dict] | None = None) -> None:
        for table in tables:
            rows = self.rows[table.name]
            volatile = [column for name, column in VOLATILE if name == table.name]
            if volatile and now and table.name in now:
                rows = [{**row, **{c: now[table.name][row["id"]][c] for c in volatile}}
                        if row["id"] in now[table.name] else row for row in rows]
            generated = [column.name for column in table.c if column.computed is not None]  # the database writes them
            if generated:
                rows = [{name: value for name, value in row.items() if name not in generated} for row in rows]
            if rows:
                connection.execute(table.insert(), rows)

    def _volatile_now(self, connection, tables) -> dict[str, dict]:
        """The volatile columns' values as they are now, by table and id."""
        now = {}
        for table in tables:
            volatile = [column for name, column in VOLATILE if name == table.name]
            if volatile:
                now[table.name] = {row.id: dict(row._mapping) for row in connection.execute(
                    sa.select(table.c.id, *[table.c[c] for c in volatile]))}
        return now


# The neighbourhood the permission matrix and the hostile-text suite ask every page about ------------------------

ROLES = ("visitor", "applicant", "member", "other", "suspended", "helper", "coordinator", "admin", "representative",
         "other_representative")
# Representatives are active members like Omar ("other") wherever no partner is concerned.
REPRESENTATIVES = ("representative", "other_representative")


def build_neighbourhood(app, text: str = "") -> dict:
    """Everyone and one of everything, so that every ``<id>`` of every address is something real.

    Amina is "member": she answers Karim's proposal, has an agreed and a disputed exchange with him, joined his
    group session, received his message, reported his profile, read a coordinator's warning, named Hélène
    as her trusted helper and booked Les Tilleuls Habitat's swimming-pool entry. Omar ("other") is an active member
    party to none of it. Rachid ("representative") represents Les Tilleuls Habitat; Lucie ("other_representative")
    represents the school. ``text`` is added to every
    free text, for the hostile-text suite (titles are short, so that 90 characters more still fit).
    """
    from datetime import date, timedelta

    from flask import g

    from timebank.coordination.acting import helper_set
    from timebank.coordination.services import member_suspend, member_warn, note_add, warning_read
    from timebank.exchanges import groups
    from timebank.exchanges.completion import exchange_mark_done
    from timebank.exchanges.conversation import exchange_write
    from timebank.exchanges.disputes import dispute_open
    from timebank.exchanges.proposals import exchange_accept, exchange_propose
    from timebank.exchanges.steps import Terms
    from timebank.listings.upkeep import report_create
    from timebank.messages.services import message_send
    from timebank.timeutil import utcnow

    from tests.factories import Factory, category_id, member, publish

    people = Factory(app)
    admin = people.admin("Claire Dubois")
    coordinator = people.coordinator("Sandrine Martin")
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    other = people.member("Omar Haddou")
    applicant = people.applicant("Nadia Haddad")
    suspended = people.member("Sami Ferhat")
    helper = people.member("Hélène Roux")
    offline = people.member("Fatou Sow", email=None)  # no e-mail: a coordinator gives her a temporary password
    representative = people.member("Rachid Amrani")
    other_representative = people.member("Lucie Petit")
    soon = date.today() + timedelta(days=3)
    ids = {"listing": publish(app, amina, f"CAF{text}", description=f"Bring the letter{text}",
                              category="paperwork"),
           "karim_listing": publish(app, karim, f"French{text}", description=f"At the library{text}")}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        g.locale = "en"
        a, k, s, c = member(amina), member(karim), member(suspended), member(coordinator)

        def propose(proposer, counterpart, title, on=soon):
            return exchange_propose(
                proposer=proposer, counterpart=counterpart, proposer_provides=True, message=f"Hello{text}",
                terms=Terms(f"{title}{text}", 60, on, None))

        ids["exchange"] = propose(k, a, "CAF").id
        agreed = propose(a, k, "Moving")
        exchange_accept(exchange=agreed, actor=k)
        exchange_write(exchange=agreed, author=k, body=f"See you Saturday{text}")
        ids["agreed"] = agreed.id
        disputed = propose(k, a, "Curtain", on=utcnow().date())
        exchange_accept(exchange=disputed, actor=a)
        exchange_mark_done(exchange=disputed, actor=k, minutes=60)
        ids["dispute"] = dispute_open(exchange=disputed, actor=a, reason=f"It took half an hour{text}").id
        ids["disputed"] = disputed.id
        session = groups.group_create(provider=k, title=f"Bread{text}", description=f"Flour{text}",
                                      on_date=soon, at_time=None, share_minutes=60, max_participants=5,
                                      category_id=category_id("paperwork"))
        groups.group_join(session=session, member=a)
        ids["session"] = session.id
        ids["message"] = message_send(sender=k, recipient=a, body=f"Hello Amina{text}").id
        ids["report"] = report_create(reporter=a, reason=f"Rude words{text}", member=k).id
        warning = member_warn(member=a, actor=c, body=f"Please keep your appointments{text}")
        warning_read(warning=warning, member=a)
        ids["warning"] = warning.id
        note_add(member=a, author=c, body=f"Met at the welcome morning{text}")
        helper_set(member=a, helper=member(helper), actor=a)
        member_suspend(member=s, actor=c, reason=f"Did not come three times{text}")
        ids["category"] = category_id("paperwork")
        ids["offline"] = offline.id
        from timebank.members.invitations import Invitation, invitation_create

        invitation_create(actor=member(admin), note=f"Sewing workshop{text}", uses=3)
        ids["invitation"] = db.session.scalar(sa.select(Invitation.id).order_by(Invitation.id.desc()))
        ids.update(_partners(admin=member(admin), amina=a, representative=member(representative),
                             other_representative=member(other_representative), text=text))
    residents = {"applicant": applicant, "member": amina, "other": other, "suspended": suspended, "helper": helper,
                 "coordinator": coordinator, "admin": admin, "representative": representative,
                 "other_representative": other_representative}
    return {"people": people, "residents": residents, "karim": karim, "ids": ids}


def _partners(*, admin, amina, representative, other_representative, text: str) -> dict:
    """Les Tilleuls Habitat (Rachid represents it) with a reward Amina booked, and the school (Lucie)."""
    from timebank.partners import rewards, services
    from timebank.partners.models import PartnerKind

    def partner(name, kind, person):
        made = services.partner_create(actor=admin, fields=services.PartnerFields(
            name=f"{name}{text}", kind=kind, descriptions={"fr": f"Dans le quartier{text}"},
            address=f"2 rue des Tilleuls{text}", contact=f"01 23 45 67 89{text}"))
        services.partner_set_limits(actor=admin, partner=made, floor=0, ceiling=6000, reason=f"Convention{text}")
        services.representative_add(actor=admin, partner=made, member=person, reason=f"Named{text}")
        return made

    tilleuls = partner("Les Tilleuls Habitat", PartnerKind.SOCIAL_LANDLORD, representative)
    partner("École Jules Ferry", PartnerKind.SCHOOL, other_representative)
    reward = rewards.reward_create(actor=representative, partner=tilleuls, fields=rewards.RewardFields(
        title=f"Pool{text}", description=f"Saturdays{text}", minutes=60, places=5))
    booking = rewards.reward_book(member=amina, reward=reward, key="world")
    return {"partner": tilleuls.id, "reward": reward.id, "booking": booking.id,
            **_project(tilleuls=tilleuls, amina=amina, representative=representative, text=text)}


def _project(*, tilleuls, amina, representative, text: str) -> dict:
    """Rachid opens the shared garden for Les Tilleuls Habitat; Amina joins its task and says 2 h (waiting)."""
    from timebank.projects import hours, services

    from tests.factories import category_id

    project = services.project_open(actor=representative, partner=tilleuls, fields=services.ProjectFields(
        title=f"Garden{text}", description=f"Behind building B{text}", goal_minutes=20 * 60),
        tasks=[f"Digging{text}"], category_id=category_id("paperwork"))
    [task] = services.tasks_of(project)
    participation = services.task_join(member=amina, task=task, shown=True, key="world")
    stated = hours.hours_state(member=amina, participation=participation, minutes=120, note=f"Saturday{text}",
                               key="world")
    return {"project": project.id, "task": task.id, "participation": participation.id, "project_hours": stated.id}


def routes() -> list[tuple[str, str, str]]:
    """Every (endpoint, method, rule) of the application, but static files."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


def address_of(world: dict, endpoint: str, rule: str, args: dict[str, str]) -> str:
    """The address of ``rule`` with every ``<id>`` one of Amina's things, or the thing ``args`` names."""
    ids, residents = world["ids"], world["residents"]
    things = {"exchange_id": ids["exchange"], "listing_id": ids["listing"], "session_id": ids["session"],
              "member_id": residents["member"].id, "report_id": ids["report"], "message_id": ids["message"],
              "warning_id": ids["warning"], "category_id": ids["category"], "invitation_id": ids["invitation"],
              "partner_id": ids["partner"], "reward_id": ids["reward"], "booking_id": ids["booking"],
              "dispute_id": ids["dispute"], "token": "not-a-real-token",
              "project_id": ids["project"], "task_id": ids["task"], "participation_id": ids["participation"],
              "hours_id": ids["project_hours"],
              "name": "members" if endpoint.startswith("admin.") else "logo-0123456789abcdef.png",
              "table": "months"}
    for argument, thing in args.items():
        things[argument] = (world["karim"].id if thing == "karim" else residents[thing].id if thing in residents
                            else ids[thing])
    path = rule
    for argument, value in things.items():  # <argument>, <int:argument>, <any(a, b):argument>…
        path = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{re.escape(argument)}>", str(value), path)
    assert "<" not in path, f"no value for an argument of {rule}: add it to address_of() in tests/world.py"
    query = "&".join(f"{argument[1:]}={value}" for argument, value in things.items() if argument.startswith("?"))
    return f"{path}?{query}" if query else path
