"""A demo instance the size of a city, built in bulk for the benchmarks: ``timebank demo scale``.

Rows go in through SQLAlchemy Core, thousands to a statement, in one transaction: members with their
accounts and languages, listings (the full-text index follows them as in real use), transfers with the
balances and running balances the ledger would have written, direct messages, and exchanges that ended
without hours (declined or cancelled: no reservation to keep) with their messages, read markers and
notices. ``timebank ledger verify`` is clean afterwards. Only ever run on a demo or benchmark instance.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from timebank.database import begin_write
from timebank.exchanges.models import Exchange, ExchangeMessage, ExchangeRead
from timebank.extensions import db
from timebank.ledger.models import Account, AccountKind, Transfer
from timebank.listings.models import Category, Listing
from timebank.members.models import Member
from timebank.members.passwords import password_hash
from timebank.messages.models import DirectMessage
from timebank.notifications.models import Notification
from timebank.timeutil import utcnow

BATCH = 10_000
AREAS = ("Les Tilleuls", "Centre", "La Source", "Le Port", "Gare", "Les Hauts")
LANGUAGES = ("fr", "ar", "en", "tr", "pt", "wo", "ff", "es")
FIRST = ("Amina", "Karim", "Nadia", "Fatou", "Mamadou", "Maria", "João", "Ayşe", "Mehmet", "Khadija", "Youssef",
         "Samira", "Moussa", "Leïla", "Hamid", "Elif", "Ana", "Marie", "Jean", "Sophie", "Olga", "Lan", "Rania")
LAST = ("Diallo", "Benali", "Haddad", "Ndiaye", "Sow", "Ferreira", "Silva", "Yılmaz", "Demir", "Amrani",
        "Bouzid", "Traoré", "Ba", "Fall", "Mansouri", "Kaya", "Costa", "Dupont", "Martin", "Bernard", "Keita")
TITLES = ("Aide aux devoirs de maths", "Garde d'enfants le mercredi", "Traduction de courriers",
          "Réparation de vélo", "Accompagnement au marché", "Cours de cuisine turque", "Retouches et ourlets",
          "Aide pour les papiers de la CAF", "Jardinage au potager partagé", "Cours de piano débutant",
          "Petites réparations électriques", "Compagnie pour une personne âgée", "Aide au déménagement",
          "Démarches en ligne", "Conversation en anglais", "Tresses pour enfants", "Trajet en voiture")
WORDS = ("aide", "quartier", "samedi", "soir", "enfants", "voisins", "cuisine", "papiers", "vélo", "jardin",
         "lecture", "école", "courses", "téléphone", "ordinateur", "musique", "couture", "français", "arabe")
AMOUNTS = (15, 30, 45, 60, 90, 120)


@dataclass(frozen=True)
class ScaleReport:
    members: int
    listings: int
    transfers: int
    messages: int
    exchanges: int = 0


def demo_scale(*, members: int, listings: int, transfers: int, messages: int, exchanges: int = 0, seed: int = 1,
               echo=lambda text: None) -> ScaleReport:
    """Add ``members`` active members, ``listings`` open listings, ``transfers`` posted transfers,
    ``messages`` direct messages and ``exchanges`` ended exchanges to the instance, consistently, in one
    transaction."""
    rng = random.Random(seed)
    begin_write()
    now = utcnow().replace(microsecond=0)
    new_ids = _members(members, rng, now)
    echo(f"members: {len(new_ids)}")
    people = list(db.session.scalars(sa.select(Member.id).where(Member.status == "active")))
    made_listings = _listings(listings, people, rng, now)
    echo(f"listings: {made_listings}")
    made_transfers = _transfers(transfers, rng, now)
    echo(f"transfers: {made_transfers}")
    made_messages = _messages(messages, people, rng, now)
    echo(f"messages: {made_messages}")
    made_exchanges = _exchanges(exchanges, people, rng, now)
    echo(f"exchanges: {made_exchanges}")
    _sequences_forward()
    db.session.commit()
    _analyze()
    return ScaleReport(len(new_ids), made_listings, made_transfers, made_messages, made_exchanges)


def _insert(table, rows: list[dict]) -> None:
    if rows:
        db.session.execute(sa.insert(table), rows)


def _members(count: int, rng: random.Random, now: datetime) -> list[int]:
    if not count:
        return []
    config = current_app.config
    first_number = (db.session.scalar(sa.select(sa.func.max(Member.number))) or 0) + 1
    first_id = (db.session.scalar(sa.select(sa.func.max(Member.id))) or 0) + 1
    hashed = password_hash("timebank-demo")
    since = now - timedelta(days=3 * 365)
    member_language = db.metadata.tables["member_language"]
    ids = []
    for start in range(0, count, BATCH):
        rows, accounts, languages = [], [], []
        for n in range(start, min(count, start + BATCH)):
            member_id = first_id + n
            ids.append(member_id)
            joined = since + timedelta(minutes=n * 3 * 365 * 24 * 60 // count)
            rows.append({
                "id": member_id, "number": first_number + n, "email": f"scale-{first_number + n}@example.org",
                "password_hash": hashed, "display_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "bio": "", "area": rng.choice(AREAS), "locale": rng.choice(("fr", "fr", "ar", "en")),
                "contact_visibility": "counterparts", "role": "member", "status": "active",
                "charter_accepted_at": joined, "created_at": joined, "decided_at": joined,
                "notify_matches": False, "brokered": False})
            accounts.append({"kind": "member", "member_id": member_id, "floor": config["TIMEBANK_LEDGER_FLOOR"],
                             "ceiling": config["TIMEBANK_LEDGER_CEILING"], "limits_overridden": False,
                             "posted": 0, "pending_debits": 0, "pending_credits": 0, "created_at": joined})
            languages += [{"member_id": member_id, "code": code}
                          for code in {"fr", rng.choice(LANGUAGES)}]
        _insert(Member.__table__, rows)
        _insert(Account.__table__, accounts)
        _insert(member_language, languages)
    return ids


def _listings(count: int, people: list[int], rng: random.Random, now: datetime) -> int:
    if not count or not people:
        return 0
    categories = list(db.session.scalars(sa.select(Category.id)))
    first_id = (db.session.scalar(sa.select(sa.func.max(Listing.id))) or 0) + 1
    since = now - timedelta(days=365)
    listing_language = db.metadata.tables["listing_language"]
    for start in range(0, count, BATCH):
        rows, languages = [], []
        for n in range(start, min(count, start + BATCH)):
            created = since + timedelta(seconds=n * 365 * 24 * 3600 // count)
            words = " ".join(rng.sample(WORDS, 6))
            rows.append({
                "id": first_id + n, "member_id": rng.choice(people), "type": rng.choice(("offer", "request")),
                "title": rng.choice(TITLES), "description": f"Je peux {words}.", "category_id": rng.choice(categories),
                "tags": "", "area": rng.choice(AREAS), "duration_minutes": rng.choice(AMOUNTS), "availability": "",
                "ends_on": (now + timedelta(days=rng.randint(1, 120))).date() if rng.random() < 0.3 else None,
                "status": "open", "created_at": created, "updated_at": created})
            languages += [{"listing_id": first_id + n, "code": code} for code in {"fr", rng.choice(LANGUAGES)}]
        _insert(Listing.__table__, rows)
        _insert(listing_language, languages)
    return count


def _transfers(count: int, rng: random.Random, now: datetime) -> int:
    """Posted transfers between active members' accounts, each within both accounts' limits, with the running
    balances the ledger keeps, then the accounts' balances updated to match."""
    if not count:
        return 0
    rows = db.session.execute(
        sa.select(Account.id, Account.posted, Account.pending_debits, Account.pending_credits, Account.floor,
                  Account.ceiling)
        .join(Member, Member.id == Account.member_id)
        .where(Account.kind == AccountKind.MEMBER, Member.status == "active")).all()
    if len(rows) < 2:
        return 0
    ids = [row.id for row in rows]
    posted = {row.id: row.posted for row in rows}
    lowest = {row.id: None if row.floor is None else row.floor + row.pending_debits for row in rows}
    highest = {row.id: None if row.ceiling is None else row.ceiling - row.pending_credits for row in rows}
    since = now - timedelta(days=2 * 365)
    step = max(1, 2 * 365 * 24 * 3600 // count)
    prefix = f"scale:{now:%Y%m%d%H%M%S}:"
    batch, made, tries = [], 0, 0
    while made < count and tries < count * 20:
        tries += 1
        debit, credit = rng.sample(ids, 2)
        minutes = rng.choice(AMOUNTS)
        if lowest[debit] is not None and posted[debit] - minutes < lowest[debit]:
            continue
        if highest[credit] is not None and posted[credit] + minutes > highest[credit]:
            continue
        posted[debit] -= minutes
        posted[credit] += minutes
        created = since + timedelta(seconds=made * step)
        batch.append({"key": f"{prefix}{made}", "debit_account_id": debit, "credit_account_id": credit,
                      "minutes": minutes, "kind": "direct", "state": "posted", "reservation": False, "memo": "",
                      "created_at": created, "resolved_at": created,
                      "debit_balance_after": posted[debit], "credit_balance_after": posted[credit]})
        made += 1
        if len(batch) == BATCH:
            _insert(Transfer.__table__, batch)
            batch = []
    _insert(Transfer.__table__, batch)
    account = Account.__table__
    db.session.execute(sa.update(account).where(account.c.id == sa.bindparam("account_id"))
                       .values(posted=sa.bindparam("balance")),
                       [{"account_id": key, "balance": value} for key, value in posted.items()])
    return made


def _messages(count: int, people: list[int], rng: random.Random, now: datetime) -> int:
    if not count or len(people) < 2:
        return 0
    since = now - timedelta(days=365)
    for start in range(0, count, BATCH):
        rows = []
        for n in range(start, min(count, start + BATCH)):
            sender, recipient = rng.sample(people, 2)
            created = since + timedelta(seconds=n * 365 * 24 * 3600 // count)
            rows.append({"sender_id": sender, "recipient_id": recipient, "created_at": created,
                         "body": f"Bonjour, {' '.join(rng.sample(WORDS, 5))} ?",
                         "read_at": created + timedelta(hours=1) if rng.random() < 0.9 else None})
        _insert(DirectMessage.__table__, rows)
    return count


def _exchanges(count: int, people: list[int], rng: random.Random, now: datetime) -> int:
    """Exchanges that were proposed, talked over (two messages) and then declined or cancelled, each with its
    read markers and the notice its proposer got; no hours were reserved, so the ledger is untouched."""
    if not count or len(people) < 2:
        return 0
    categories = list(db.session.scalars(sa.select(Category.id)))
    names = dict(db.session.execute(sa.select(Member.id, Member.display_name).where(Member.status == "active")).all())
    first_id = (db.session.scalar(sa.select(sa.func.max(Exchange.id))) or 0) + 1
    first_message = (db.session.scalar(sa.select(sa.func.max(ExchangeMessage.id))) or 0) + 1
    since = now - timedelta(days=365)
    for start in range(0, count, BATCH):
        rows, messages, reads, notices = [], [], [], []
        for n in range(start, min(count, start + BATCH)):
            exchange_id, message_id = first_id + n, first_message + 2 * n
            provider, recipient = rng.sample(people, 2)
            created = since + timedelta(seconds=n * 365 * 24 * 3600 // count)
            ended = created + timedelta(days=1)
            state = rng.choice(("declined", "declined", "cancelled"))
            title = rng.choice(TITLES)
            rows.append({
                "id": exchange_id, "category_id": rng.choice(categories), "provider_id": provider,
                "recipient_id": recipient, "proposer_id": recipient, "title": title, "minutes": rng.choice(AMOUNTS),
                "on_date": (created + timedelta(days=7)).date(), "state": state, "finished_at": ended,
                "created_at": created, "updated_at": ended})
            messages += [
                {"id": message_id, "exchange_id": exchange_id, "author_id": recipient, "created_at": created,
                 "body": f"Bonjour, {' '.join(rng.sample(WORDS, 5))} ?"},
                {"id": message_id + 1, "exchange_id": exchange_id, "author_id": provider,
                 "created_at": created + timedelta(hours=2), "body": f"Désolée, {' '.join(rng.sample(WORDS, 4))}."}]
            reads += [{"exchange_id": exchange_id, "member_id": provider, "last_message_id": message_id + 1},
                      {"exchange_id": exchange_id, "member_id": recipient,
                       "last_message_id": message_id + 1 if rng.random() < 0.9 else message_id}]
            notices.append({"member_id": recipient, "kind": f"exchange_{state}", "created_at": ended,
                            "params": {"name": names.get(provider, ""), "title": title}, "link": f"/exchanges/{exchange_id}",
                            "read_at": ended + timedelta(hours=3) if rng.random() < 0.9 else None})
        _insert(Exchange.__table__, rows)
        _insert(ExchangeMessage.__table__, messages)
        _insert(ExchangeRead.__table__, reads)
        _insert(Notification.__table__, notices)
    return count


def _sequences_forward() -> None:
    """Rows went in with their ids: on PostgreSQL, move each table's id sequence past them, or the next member,
    listing or exchange made in the app would be given an id already taken."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("member", "listing", "exchange", "exchange_message"):
        db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def _analyze() -> None:
    """Give the query planner fresh statistics for the new sizes."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("ANALYZE")
        else:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")

