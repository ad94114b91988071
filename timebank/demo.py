"""Demonstration data: a small neighbourhood of residents. Only ever loaded by ``timebank demo load``.

Who lives there and what they offer: ``demo_data``; here, loading it through the same services as the pages."""
from __future__ import annotations

import sqlalchemy as sa

from timebank.demo_data import APPLICANTS, GIFTS, LISTINGS, RESIDENTS, WELCOMED
from timebank.extensions import db
from timebank.members.models import Member, Role, Status
from timebank.members.passwords import password_hash
from timebank.members.services import member_create

DEMO_PASSWORD = "timebank-demo"

def demo_sign_ins() -> list[tuple[str, str]]:
    return [
        ("admin@example.org", "admin"),
        ("coordination@example.org", "coordinator"),
        ("amina@example.org", "member"),
        ("karim@example.org", "member"),
        ("nadia@example.org", "member, just joined"),
    ]


def demo_load(*, if_empty: bool = False) -> bool:
    """Load the demo neighbourhood; return False if ``if_empty`` and members exist."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Member)):
        return False
    hashed = password_hash(DEMO_PASSWORD)
    admin = member_create(display_name="Claire Association", email="admin@example.org",
                          password=DEMO_PASSWORD, role=Role.ADMIN, area="Centre",
                          languages=["fr", "en"], bio="Salariée de l'association.")
    coordinator = member_create(display_name="Sandrine Coordination", email="coordination@example.org",
                                password=DEMO_PASSWORD, role=Role.COORDINATOR, area="Centre",
                                languages=["fr", "ar", "en"], bio="Coordinatrice de la banque de temps.",
                                decided_by=admin)
    residents = []
    for rows in (RESIDENTS, APPLICANTS):
        for name, local, area, languages, locale, bio in rows:
            member = member_create(display_name=name, email=f"{local}@example.org", password=DEMO_PASSWORD,
                                   status=Status.PENDING, area=area, languages=languages, locale=locale, bio=bio)
            member.password_hash = hashed
            if rows is RESIDENTS:
                residents.append(member)
    db.session.commit()
    _demo_approvals(coordinator, residents)
    _demo_hours(admin)
    _demo_listings(coordinator)
    _demo_exchanges()
    _demo_coordination(coordinator)
    from timebank.demo_partners import demo_partners

    demo_partners(admin)
    _keep_demo_mail_unsent()
    return True


def _demo_approvals(coordinator: Member, residents: list[Member]) -> None:
    """The coordinator approves the residents, most after a welcome meeting (the applicants stay waiting)."""
    from datetime import timedelta

    from timebank.members.approval import member_approve
    from timebank.timeutil import utcnow

    for n, member in enumerate(residents):
        member_approve(member=member, actor=coordinator, message="Bienvenue dans la banque de temps !",
                       orientation_on=utcnow().date() - timedelta(days=30 + n) if n % 4 else None)


def _keep_demo_mail_unsent() -> None:
    """The demo's e-mails stay readable in the outbox but are never delivered to example.org."""
    from timebank.notifications.models import OutboxMessage
    from timebank.timeutil import utcnow

    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                       .values(sent_at=utcnow(), last_error="demo data: never sent"))
    db.session.commit()


def _demo_hours(admin: Member) -> None:
    """Welcome hours, gifts between neighbours, donations and one grant from the community account."""
    from timebank.giving.services import community_grant, give_time, welcome_grant

    for local in WELCOMED:
        welcome_grant(admin=admin, member=_resident(local), minutes=120, memo="Bienvenue !",
                      key=f"demo-{local}")
    for n, (giver, receiver, minutes, memo) in enumerate(GIFTS):
        give_time(giver=_resident(giver), recipient=_resident(receiver) if receiver else None, minutes=minutes,
                  memo=memo, key=f"demo-{n}")
    community_grant(admin=admin, member=_resident("aissatou.ba"), minutes=60,
                    reason="Merci pour l'animation de la fête de quartier", key="demo-1")


def _resident(local: str) -> Member:
    return db.session.scalar(sa.select(Member).where(Member.email == f"{local}@example.org"))


def demo_is_loaded() -> bool:
    return db.session.scalar(sa.select(Member.id).where(Member.email == "admin@example.org")) is not None


def _demo_listings(coordinator: Member) -> None:
    """About 150 listings over every category and language; some paused, some ended."""
    from datetime import timedelta

    from timebank.listings.models import Category, ListingStatus, ListingType
    from timebank.coordination.vetting import verification_grant
    from timebank.listings.services import ListingFields, listing_create, today

    residents = list(db.session.scalars(
        sa.select(Member).where(Member.status == Status.ACTIVE, Member.role == Role.MEMBER,
                                Member.email != "nadia@example.org").order_by(Member.id)))
    by_email = {member.email: member for member in residents}
    # Amina's verification lasts a year; Ana's ends in ten days, so she has been told to come back.
    for local, days in (("amina", 365), ("ana.costa", 10), ("aissatou.ba", None), ("sophie.bernard", None)):
        verification_grant(member=by_email[f"{local}@example.org"], actor=coordinator,
                           checked="Pièce d'identité vue, deux références appelées, rencontre au local.",
                           expires_on=today() + timedelta(days=days) if days else None)
    verified = [m for m in residents if m.is_verified]
    categories = {c.slug: c for c in db.session.scalars(sa.select(Category))}
    for member in residents[::3]:
        member.notify_matches = True
    db.session.commit()
    count = 0
    for round_ in range(3):
        for n, (slug, kind, title, description, languages) in enumerate(LISTINGS):
            count += 1
            if slug == "childcare" and kind == "offer":
                author = verified[(n + round_) % len(verified)]
            else:
                author = residents[(n * 7 + round_ * 5) % len(residents)]
            if round_ == 0 and n == 0:
                author = by_email["amina@example.org"]
            listing = listing_create(author=author, locale="fr", tell_matches=False, fields=ListingFields(
                type=ListingType(kind), title=title, description=description,
                category_id=categories[slug].id, tags="", languages=tuple(code if code != "ber" else "kab"
                                                                          for code in languages),
                area=author.area, duration_minutes=[60, 90, 120, None][count % 4],
                availability=["Le week-end", "En semaine après 17 h", "Le mercredi", ""][count % 4],
                ends_on=today() + timedelta(days=30 + count) if count % 5 == 0 else None))
            if count % 17 == 0:
                listing.status = ListingStatus.PAUSED
            if count % 23 == 0:
                listing.ends_on = today() - timedelta(days=3)  # ended: shows how expiry looks
            db.session.commit()


def _demo_exchanges() -> None:
    """Exchanges in every state between the demo residents, with a few messages."""
    from datetime import timedelta

    from timebank.exchanges.completion import exchange_confirm, exchange_mark_done
    from timebank.exchanges.conversation import exchange_write
    from timebank.exchanges.disputes import dispute_open
    from timebank.exchanges.proposals import exchange_accept, exchange_cancel, exchange_decline, exchange_propose
    from timebank.exchanges.steps import Terms
    from timebank.listings.services import today

    amina, karim = _resident("amina"), _resident("karim")
    samira, fatou, hamid = _resident("samira.bouzid"), _resident("fatou.ndiaye"), _resident("hamid.cherif")

    def terms(title, minutes, days=0):
        return Terms(title, minutes, today() + timedelta(days=days), None)

    done = exchange_propose(proposer=karim, counterpart=amina, proposer_provides=False,
                            terms=terms("Garde d'Inès et Adam mercredi", 120),
                            message="Bonjour Amina, est-ce possible mercredi de 14 h à 16 h ?")
    exchange_accept(exchange=done, actor=amina)
    exchange_write(exchange=done, author=amina, body="Oui, avec plaisir. Je prépare le goûter.")
    exchange_mark_done(exchange=done, actor=amina, minutes=120)
    exchange_confirm(exchange=done, actor=karim)

    upcoming = exchange_propose(proposer=amina, counterpart=karim, proposer_provides=False,
                                terms=terms("Réparer la poussette", 60, days=5), message="Elle grince depuis hier.")
    exchange_accept(exchange=upcoming, actor=karim)

    exchange_propose(proposer=fatou, counterpart=amina, proposer_provides=True,
                     terms=terms("Ourlets de deux pantalons", 45, days=3),
                     message="Je peux passer samedi matin.")

    to_confirm = exchange_propose(proposer=samira, counterpart=karim, proposer_provides=False,
                                  terms=terms("Monter l'armoire de la chambre", 90))
    exchange_accept(exchange=to_confirm, actor=karim)
    exchange_mark_done(exchange=to_confirm, actor=karim, minutes=120)

    cancelled = exchange_propose(proposer=hamid, counterpart=karim, proposer_provides=False,
                                 terms=terms("Changer une prise", 30, days=2))
    exchange_accept(exchange=cancelled, actor=karim)
    exchange_cancel(exchange=cancelled, actor=hamid, reason="Mon fils l'a fait hier, merci quand même !")

    declined = exchange_propose(proposer=karim, counterpart=fatou, proposer_provides=False,
                                terms=terms("Recoudre un manteau", 60, days=1))
    exchange_decline(exchange=declined, actor=fatou, message="Je n'ai pas la bonne machine, désolée.")

    disputed = exchange_propose(proposer=hamid, counterpart=samira, proposer_provides=False,
                                terms=terms("Aide aux devoirs de Yanis", 120))
    exchange_accept(exchange=disputed, actor=samira)
    exchange_mark_done(exchange=disputed, actor=samira, minutes=120)
    dispute_open(exchange=disputed, actor=hamid, reason="Nous avions dit une heure, pas deux.")

    from timebank.exchanges import groups

    workshop = groups.group_create(provider=fatou, title="Atelier couture : ourlets et boutons",
                                   description="Apportez un vêtement à réparer. Machines prêtées.",
                                   on_date=today() + timedelta(days=6), at_time=None, share_minutes=60,
                                   max_participants=8)
    for local in ("amina", "salma.idrissi", "ana.costa"):
        groups.group_join(session=workshop, member=_resident(local))


def _demo_coordination(coordinator: Member) -> None:
    """What coordinators do, through the same services: a member without phone, an exchange recorded for her, a
    trusted helper who accepts for her, a warning, a settled disagreement."""
    from datetime import timedelta

    from timebank.coordination.acting import helper_set
    from timebank.coordination.services import member_create_offline, member_set_brokered, member_warn
    from timebank.coordination.vetting import verifications_check
    from timebank.exchanges.completion import exchange_mark_done
    from timebank.exchanges.disputes import dispute_open
    from timebank.exchanges.models import DisputeResolution
    from timebank.exchanges.past import exchange_record_brokered
    from timebank.exchanges.proposals import exchange_accept, exchange_propose
    from timebank.exchanges.resolution import dispute_resolve
    from timebank.exchanges.steps import Terms
    from timebank.listings.services import today

    fatima, _password = member_create_offline(actor=coordinator, display_name="Fatima Zahra Amrani", phone="06 12 34 56 78",
                                              locale="ar", area="Les Hauts", languages=["ar", "fr"])
    member_set_brokered(member=fatima, actor=coordinator, brokered=True,
                        reason="Venue au local le lundi : pas de téléphone portable, elle préfère passer par nous.")
    exchange_record_brokered(coordinator=coordinator, provider=_resident("zeynep.arslan"), recipient=fatima,
                             minutes=90, title="Accompagnement au marché et courses")
    marie = _resident("marie.dupont")
    helper_set(member=fatima, helper=marie, actor=coordinator,
               reason="Fatima l'a demandé au local : Marie, sa voisine, gérera son compte avec elle.")
    proposal = exchange_propose(proposer=_resident("jean.martin"), counterpart=fatima, proposer_provides=True,
                                terms=Terms("Conduire Fatima à l'hôpital", 120, today() + timedelta(days=4),
                                               None))
    exchange_accept(exchange=proposal, actor=fatima, by=marie)

    member_warn(member=_resident("rui.almeida"), actor=coordinator,
                body="Bonjour Rui, une annonce proposait une réparation contre de l'argent. Ici, tout se paie en "
                     "heures : merci d'en tenir compte. Sandrine")

    elif_, lan = _resident("elif.kaya"), _resident("lan.nguyen")
    settled = exchange_propose(proposer=lan, counterpart=elif_, proposer_provides=False,
                               terms=Terms("Cours de couture", 60, today(), None))
    exchange_accept(exchange=settled, actor=elif_)
    exchange_mark_done(exchange=settled, actor=elif_, minutes=180)
    dispute = dispute_open(exchange=settled, actor=lan, reason="Le cours a duré une heure et demie, pas trois.")
    dispute_resolve(dispute=dispute, actor=coordinator, resolution=DisputeResolution.CHANGED, minutes=90,
                    reason="Après avoir parlé avec Elif et Lan : une heure et demie.")
    verifications_check()
