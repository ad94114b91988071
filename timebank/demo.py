"""Demonstration data: a small neighbourhood of residents. Only ever loaded by ``timebank demo load``."""
from __future__ import annotations

import sqlalchemy as sa

from timebank.extensions import db
from timebank.members.models import Member, Role, Status
from timebank.members.passwords import password_hash
from timebank.members.services import member_create

DEMO_PASSWORD = "timebank-demo"

# (name, e-mail local part, area, languages, interface language, bio)
RESIDENTS = [
    ("Amina Diallo", "amina", "Les Tilleuls", ["fr", "ff", "wo"], "fr",
     "Maman de trois enfants, auxiliaire de puériculture à mi-temps. Je garde volontiers les petits le mercredi."),
    ("Karim Benali", "karim", "Les Tilleuls", ["fr", "ar"], "fr",
     "Je répare les vélos et les petits meubles. J'aimerais de l'aide pour les papiers de la CAF."),
    ("Nadia Haddad", "nadia", "Centre", ["ar", "fr"], "ar", "Nouvelle dans le quartier, j'aime cuisiner."),
    ("Fatou Ndiaye", "fatou.ndiaye", "La Source", ["fr", "wo"], "fr", "Couturière, je fais les ourlets et les retouches."),
    ("Mamadou Sow", "mamadou.sow", "Le Port", ["fr", "ff", "en"], "fr", "Étudiant en informatique, j'aide pour les téléphones."),
    ("Maria Ferreira", "maria.ferreira", "Gare", ["pt", "fr", "es"], "fr", "Aide à domicile, je parle portugais et espagnol."),
    ("João Silva", "joao.silva", "Gare", ["pt", "fr"], "fr", "Peintre en bâtiment, bricolage le samedi."),
    ("Ayşe Yılmaz", "ayse.yilmaz", "Les Hauts", ["tr", "fr", "de"], "fr", "Je cuisine turc et je fais de la traduction."),
    ("Mehmet Demir", "mehmet.demir", "Les Hauts", ["tr", "fr"], "fr", "Jardinier amateur, j'ai un potager partagé."),
    ("Khadija El Amrani", "khadija.elamrani", "Centre", ["ar", "kab", "fr"], "ar", "Je peux accompagner aux rendez-vous et traduire."),
    ("Youssef Amrani", "youssef.amrani", "La Source", ["ar", "fr"], "fr", "Soutien scolaire en maths, collège et lycée."),
    ("Samira Bouzid", "samira.bouzid", "Les Tilleuls", ["fr", "ar", "kab"], "fr", "Mère seule, je cherche de l'aide pour les devoirs."),
    ("Moussa Traoré", "moussa.traore", "Le Port", ["fr", "bm"], "fr", "Chauffeur, je peux faire des courses et des trajets."),
    ("Aïssatou Ba", "aissatou.ba", "La Source", ["fr", "ff"], "fr", "J'aime tenir compagnie aux personnes âgées."),
    ("Ibrahima Fall", "ibrahima.fall", "Centre", ["wo", "fr"], "fr", "Musicien, j'anime des ateliers de percussions."),
    ("Leïla Mansouri", "leila.mansouri", "Gare", ["fr", "ar", "en"], "en", "Traductrice, je peux aider pour les courriers."),
    ("Hamid Cherif", "hamid.cherif", "Les Hauts", ["ar", "fr"], "ar", "Retraité, ancien électricien."),
    ("Elif Kaya", "elif.kaya", "Les Hauts", ["tr", "fr", "en"], "fr", "Je fais du yoga doux et de la couture."),
    ("Ana Costa", "ana.costa", "Le Port", ["pt", "fr"], "fr", "Je garde des enfants le soir."),
    ("Marie Dupont", "marie.dupont", "Centre", ["fr", "en"], "fr", "Retraitée, ancienne institutrice : lecture et écriture."),
    ("Jean Martin", "jean.martin", "La Source", ["fr"], "fr", "J'ai une voiture et du temps le week-end."),
    ("Sophie Bernard", "sophie.bernard", "Les Tilleuls", ["fr", "es"], "fr", "Infirmière à temps partiel."),
    ("Olga Petrenko", "olga.petrenko", "Gare", ["uk", "ru", "fr"], "en", "Arrivée récemment, je donne des cours de piano."),
    ("Nguyen Thi Lan", "lan.nguyen", "Le Port", ["vi", "fr"], "fr", "Cuisine vietnamienne et retouches."),
    ("Rania Saleh", "rania.saleh", "Centre", ["ar", "en", "fr"], "ar", "Étudiante, je peux aider en anglais."),
    ("Abdoulaye Diop", "abdoulaye.diop", "Les Hauts", ["wo", "fr"], "fr", "Menuisier, petites réparations."),
    ("Zeynep Arslan", "zeynep.arslan", "La Source", ["tr", "fr"], "fr", "J'accompagne les personnes âgées au marché."),
    ("Salma Idrissi", "salma.idrissi", "Les Tilleuls", ["ar", "fr"], "fr", "Aide aux démarches en ligne."),
    ("Bintou Keita", "bintou.keita", "Le Port", ["fr", "bm"], "fr", "Coiffeuse, tresses pour enfants."),
    ("Rui Almeida", "rui.almeida", "Gare", ["pt", "fr", "en"], "fr", "Je répare les ordinateurs."),
]

# Applicants waiting for a coordinator, so the approval queue is not empty.
APPLICANTS = [
    ("Hawa Coulibaly", "hawa.coulibaly", "Centre", ["fr", "bm"], "fr", "Je viens d'arriver dans le quartier."),
    ("Tariq Haddad", "tariq.haddad", "Le Port", ["ar", "en"], "ar", "J'aimerais aider pour les déménagements."),
]


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
    for rows, status in ((RESIDENTS, Status.ACTIVE), (APPLICANTS, Status.PENDING)):
        for name, local, area, languages, locale, bio in rows:
            member = member_create(display_name=name, email=f"{local}@example.org", password=DEMO_PASSWORD,
                                   status=status, area=area, languages=languages, locale=locale, bio=bio,
                                   decided_by=coordinator if status is Status.ACTIVE else None)
            member.password_hash = hashed
    db.session.commit()
    _demo_hours(admin)
    return True


# (giver, receiver, minutes, what for); None as receiver is the community account.
GIFTS = [
    ("karim", "amina", 90, "Garde des enfants mercredi après-midi"),
    ("amina", "karim", 180, "Réparation du vélo et de la poussette"),
    ("samira.bouzid", "youssef.amrani", 120, "Soutien en maths pour Inès"),
    ("marie.dupont", "khadija.elamrani", 60, "Accompagnement à la mairie, traduction"),
    ("hamid.cherif", "mamadou.sow", 45, "Réglage du téléphone"),
    ("jean.martin", "fatou.ndiaye", 30, "Ourlet de pantalon"),
    ("olga.petrenko", "leila.mansouri", 90, "Courrier à la CAF"),
    ("sophie.bernard", "aissatou.ba", 60, "Visite à ma mère"),
    ("joao.silva", None, 120, ""),
    ("ayse.yilmaz", None, 60, ""),
    ("karim", None, 30, ""),
]
WELCOMED = ["olga.petrenko", "lan.nguyen", "rania.saleh", "salma.idrissi", "hamid.cherif", "jean.martin"]


def _demo_hours(admin: Member) -> None:
    """Welcome hours, gifts between neighbours, donations and one grant from the community account."""
    from timebank.ledger.giving import community_grant, give_time, welcome_grant

    def resident(local: str) -> Member:
        return db.session.scalar(sa.select(Member).where(Member.email == f"{local}@example.org"))

    for local in WELCOMED:
        welcome_grant(admin=admin, member=resident(local), minutes=120, memo="Bienvenue !",
                      key=f"demo-{local}")
    for n, (giver, receiver, minutes, memo) in enumerate(GIFTS):
        give_time(giver=resident(giver), recipient=resident(receiver) if receiver else None, minutes=minutes,
                  memo=memo, key=f"demo-{n}")
    community_grant(admin=admin, member=resident("aissatou.ba"), minutes=60,
                    reason="Merci pour l'animation de la fête de quartier", key="demo-1")


def demo_is_loaded() -> bool:
    return db.session.scalar(sa.select(Member.id).where(Member.email == "admin@example.org")) is not None
