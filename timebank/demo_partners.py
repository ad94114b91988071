"""The demo's partners: the social landlord, the school and the association itself, and the pool entry."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from timebank.extensions import db
from timebank.members.models import Member

# (name, kind, descriptions, address, contact, representative's e-mail)
PARTNERS = [
    ("Les Tilleuls Habitat", "social_landlord",
     {"fr": "Le bailleur social du quartier des Tilleuls. Pendant la rénovation des immeubles, il soutient "
            "l'entraide entre locataires.",
      "en": "The social landlord of Les Tilleuls. During the renovation of the buildings, it supports mutual help "
            "between tenants.",
      "ar": "المؤجر الاجتماعي لحي التيول. خلال تجديد العمارات، يدعم التعاون بين السكان."},
     "2 rue des Tilleuls", "Accueil : du lundi au vendredi, 9 h – 12 h", "marie.dupont@example.org"),
    ("École Jules Ferry", "school",
     {"fr": "L'école élémentaire du Centre : les parents y donnent un coup de main pour les sorties et la "
            "bibliothèque.",
      "en": "The primary school of the Centre: parents lend a hand with outings and the library."},
     "10 place de la Mairie", "Secrétariat : 01 23 45 67 89", "youssef.amrani@example.org"),
    ("Association de la banque de temps", "association",
     {"fr": "L'association qui fait vivre la banque de temps : permanences, fêtes de quartier, ateliers.",
      "en": "The association that runs the timebank: drop-in hours, neighbourhood parties, workshops."},
     "Maison de quartier, 5 rue du Centre", "contact@example.org", "admin@example.org"),
]


def demo_partners(admin: Member) -> None:
    """Create the partners with their limits and representatives; Amina uses a pool entry of Les Tilleuls."""
    from timebank.partners import rewards, services
    from timebank.partners.models import PartnerKind
    from timebank.timeutil import utcnow

    def person(email: str) -> Member:
        return db.session.scalar(sa.select(Member).where(Member.email == email))

    made = []
    for name, kind, descriptions, address, contact, email in PARTNERS:
        partner = services.partner_create(actor=admin, fields=services.PartnerFields(
            name=name, kind=PartnerKind(kind), descriptions=descriptions, address=address, contact=contact))
        services.partner_set_limits(actor=admin, partner=partner, floor=0, ceiling=100 * 60,
                                    reason="Convention de partenariat")
        services.representative_add(actor=admin, partner=partner, member=person(email),
                                    reason="Désignée par la convention de partenariat")
        made.append(partner)
    tilleuls, marie = made[0], person("marie.dupont@example.org")
    pool = rewards.reward_create(actor=marie, partner=tilleuls, fields=rewards.RewardFields(
        title="Entrée piscine", description="Une entrée à la piscine municipale, le samedi matin.", minutes=60,
        places=10, ends_on=utcnow().date() + timedelta(days=60)))
    booking = rewards.reward_book(member=person("amina@example.org"), reward=pool, key="demo-pool")
    rewards.booking_decide(actor=marie, booking=booking, used=True, key="demo-pool-used")
    demo_project(admin, made[2])


def demo_project(admin: Member, association) -> None:
    """Claire opens the shared garden for the association; residents join it and some of their hours are paid."""
    from timebank.listings.models import Category
    from timebank.partners import services
    from timebank.projects import hours, services as projects

    def person(email: str) -> Member:
        return db.session.scalar(sa.select(Member).where(Member.email == email))

    services.partner_set_limits(actor=admin, partner=association, floor=-40 * 60, ceiling=100 * 60,
                                reason="Le jardin partagé est payé par l'association")
    gardening = db.session.scalar(sa.select(Category.id).where(Category.slug == "gardening"))
    garden = projects.project_open(actor=admin, partner=association, fields=projects.ProjectFields(
        title="Jardin partagé des Tilleuls",
        description="Transformer la pelouse derrière le bâtiment B en jardin partagé : bacs, compost, arrosage.",
        goal_minutes=40 * 60), tasks=["Construire les bacs", "Arroser le samedi matin", "Tenir le compost"],
        category_id=gardening)
    tasks = projects.tasks_of(garden)
    given = [("amina@example.org", 0, True, 180, True), ("karim@example.org", 0, False, 240, True),
             ("khadija.elamrani@example.org", 1, True, 120, True), ("fatou.ndiaye@example.org", 2, False, 60, False)]
    for email, task, shown, minutes, confirmed in given:
        resident = person(email)
        if resident is None or not resident.is_active_member:
            continue
        joined = projects.task_join(member=resident, task=tasks[task], shown=shown, key=f"demo-garden-{email}")
        stated = hours.hours_state(member=resident, participation=joined, minutes=minutes,
                                   key=f"demo-garden-{email}")
        if confirmed:
            hours.hours_confirm(actor=admin, hours=stated, key=f"demo-garden-ok-{email}")
