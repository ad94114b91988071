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
    from timebank.giving.services import community_grant, give_time, welcome_grant

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


# (category, type, title, description, languages); several per category, spread over the residents.
LISTINGS = [
    ("childcare", "offer", "Garde d'enfants le mercredi après-midi", "Je peux garder deux enfants chez moi, goûter compris.", ["fr", "ar"]),
    ("childcare", "request", "Quelqu'un pour récupérer ma fille à la crèche", "Le mardi et le jeudi à 18 h, crèche des Tilleuls.", ["fr"]),
    ("childcare", "offer", "Baby-sitting en soirée", "Disponible le vendredi soir, j'ai l'habitude des petits.", ["pt", "fr"]),
    ("childcare", "request", "Garde pendant un rendez-vous médical", "Une heure environ, pour mon fils de 3 ans.", ["ar", "fr"]),
    ("homework", "offer", "Aide aux devoirs en maths (collège)", "Fractions, équations, géométrie. À la médiathèque.", ["fr", "ar"]),
    ("homework", "request", "Soutien en français pour mon fils en CM2", "Lecture et dictée, une fois par semaine.", ["fr", "tr"]),
    ("homework", "offer", "Anglais pour lycéens", "Je prépare aussi au bac.", ["en", "fr"]),
    ("homework", "request", "Aide pour les devoirs d'anglais", "Ma fille est en 4e.", ["fr", "pt"]),
    ("translation", "offer", "Traduction arabe → français", "Courriers, rendez-vous, conversations au téléphone.", ["ar", "fr"]),
    ("translation", "request", "Accompagnement à la préfecture avec traduction", "Rendez-vous titre de séjour, traduction du turc.", ["tr", "fr"]),
    ("translation", "offer", "Interprète portugais pour rendez-vous", "Mairie, école, médecin.", ["pt", "fr"]),
    ("translation", "offer", "ترجمة من العربية إلى الفرنسية", "أساعد في ترجمة الرسائل والوثائق.", ["ar", "fr"]),
    ("translation", "request", "Traduction d'un courrier en wolof", "Pour ma grand-mère.", ["wo", "fr"]),
    ("paperwork", "offer", "Aide pour les papiers de la CAF", "Déclarations trimestrielles, dossier APL.", ["fr", "ar"]),
    ("paperwork", "request", "Remplir le dossier de logement social", "Je ne comprends pas tout le formulaire.", ["fr", "ber"]),
    ("paperwork", "offer", "Écrire des courriers administratifs", "Réclamations, résiliations, lettres à l'école.", ["fr"]),
    ("paperwork", "request", "Aide pour l'inscription à l'école", "Mon fils arrive en septembre.", ["pt", "fr"]),
    ("language-practice", "offer", "Conversation en français autour d'un café", "Pour pratiquer tranquillement, sans se juger.", ["fr"]),
    ("language-practice", "request", "Pratiquer le français à l'oral", "J'arrive d'Ukraine, je voudrais parler plus.", ["uk", "ru", "fr"]),
    ("language-practice", "offer", "Cours d'arabe pour débutants", "Lecture et écriture, adultes ou enfants.", ["ar", "fr"]),
    ("language-practice", "offer", "Aprender português", "Conversa simples para iniciantes.", ["pt"]),
    ("computer-phone", "offer", "Réglages du téléphone et WhatsApp", "Je vous montre pas à pas.", ["fr", "ff"]),
    ("computer-phone", "request", "Apprendre à faire des démarches en ligne", "Ameli, impots.gouv, CAF.", ["fr", "ar"]),
    ("computer-phone", "offer", "Réparation d'ordinateur", "Lenteurs, virus, installation.", ["pt", "fr", "en"]),
    ("computer-phone", "request", "Créer une adresse e-mail", "Pour recevoir les papiers de l'école.", ["fr"]),
    ("cooking", "offer", "Cuisine turque : börek et dolma", "Atelier chez moi, on mange ensemble après.", ["tr", "fr"]),
    ("cooking", "offer", "Repas pour une personne malade", "Je peux préparer et apporter des repas.", ["fr", "vi"]),
    ("cooking", "request", "Aide pour préparer la fête de l'école", "Gâteaux et salades pour 50 personnes.", ["fr"]),
    ("cooking", "offer", "Couscous du vendredi", "J'en fais toujours trop, venez apprendre !", ["ar", "fr"]),
    ("sewing-repairs", "offer", "Ourlets et retouches", "Pantalons, rideaux, petites réparations.", ["fr", "wo"]),
    ("sewing-repairs", "request", "Réparer la fermeture d'un manteau", "Manteau d'enfant.", ["fr"]),
    ("sewing-repairs", "offer", "Réparation de vélos", "Crevaisons, freins, dérailleur.", ["fr", "ar"]),
    ("diy", "offer", "Petits travaux de peinture", "Le samedi, j'apporte les pinceaux.", ["pt", "fr"]),
    ("diy", "request", "Monter une armoire", "Armoire en kit, deux personnes nécessaires.", ["fr"]),
    ("diy", "offer", "Petites réparations de meubles", "Chaises, tiroirs, étagères.", ["wo", "fr"]),
    ("diy", "request", "Changer une prise électrique", "Dans la cuisine.", ["ar", "fr"]),
    ("gardening", "offer", "Conseils pour le potager partagé", "Semis, arrosage, compost.", ["tr", "fr"]),
    ("gardening", "request", "Aide pour tailler la haie", "Petit jardin aux Hauts.", ["fr"]),
    ("errands-rides", "offer", "Courses au supermarché en voiture", "Le samedi matin.", ["fr", "bm"]),
    ("errands-rides", "request", "Trajet à l'hôpital pour une consultation", "Aller et retour, mardi matin.", ["fr", "ar"]),
    ("errands-rides", "offer", "Accompagnement au marché", "Je porte les sacs.", ["tr", "fr"]),
    ("elderly-company", "offer", "Visites à une personne âgée", "Discuter, lire le journal, faire une promenade.", ["fr", "ff"]),
    ("elderly-company", "request", "Compagnie pour ma mère", "Elle est seule l'après-midi et parle arabe.", ["ar", "fr"]),
    ("elderly-company", "offer", "Lecture à voix haute", "Romans, journaux, courriers.", ["fr", "en"]),
    ("moving", "offer", "Aide au déménagement", "Je porte et je démonte.", ["ar", "en"]),
    ("moving", "request", "Déménagement d'un studio", "Troisième étage sans ascenseur, le 12.", ["fr"]),
    ("wellbeing", "offer", "Yoga doux pour débutants", "Au centre social, le lundi.", ["tr", "fr", "en"]),
    ("wellbeing", "offer", "Tresses et coiffure pour enfants", "Chez moi, le dimanche.", ["fr", "bm"]),
    ("culture-outings", "offer", "Atelier percussions", "Pour enfants et adultes, djembé fourni.", ["wo", "fr"]),
    ("culture-outings", "request", "Quelqu'un pour aller au musée avec moi", "Je n'ose pas y aller seule.", ["fr", "ar"]),
    ("culture-outings", "offer", "Cours de piano", "Débutants, enfants ou adultes.", ["uk", "ru", "en"]),
    ("other", "offer", "Prêt de ma perceuse et aide", "Je viens avec.", ["fr"]),
    ("other", "request", "Aide pour écrire un CV", "Je cherche du travail dans la restauration.", ["fr", "ar"]),
]


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

    def resident(local: str) -> Member:
        return db.session.scalar(sa.select(Member).where(Member.email == f"{local}@example.org"))

    amina, karim = resident("amina"), resident("karim")
    samira, fatou, hamid = resident("samira.bouzid"), resident("fatou.ndiaye"), resident("hamid.cherif")

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
        groups.group_join(session=workshop, member=resident(local))


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

    def resident(local: str) -> Member:
        return db.session.scalar(sa.select(Member).where(Member.email == f"{local}@example.org"))

    fatima, _password = member_create_offline(actor=coordinator, display_name="Fatima Zahra Amrani", phone="06 12 34 56 78",
                                              locale="ar", area="Les Hauts", languages=["ar", "fr"])
    member_set_brokered(member=fatima, actor=coordinator, brokered=True,
                        reason="Venue au local le lundi : pas de téléphone portable, elle préfère passer par nous.")
    exchange_record_brokered(coordinator=coordinator, provider=resident("zeynep.arslan"), recipient=fatima,
                             minutes=90, title="Accompagnement au marché et courses")
    marie = resident("marie.dupont")
    helper_set(member=fatima, helper=marie, actor=coordinator,
               reason="Fatima l'a demandé au local : Marie, sa voisine, gérera son compte avec elle.")
    proposal = exchange_propose(proposer=resident("jean.martin"), counterpart=fatima, proposer_provides=True,
                                terms=Terms("Conduire Fatima à l'hôpital", 120, today() + timedelta(days=4),
                                               None))
    exchange_accept(exchange=proposal, actor=fatima, by=marie)

    member_warn(member=resident("rui.almeida"), actor=coordinator,
                body="Bonjour Rui, une annonce proposait une réparation contre de l'argent. Ici, tout se paie en "
                     "heures : merci d'en tenir compte. Sandrine")

    elif_, lan = resident("elif.kaya"), resident("lan.nguyen")
    settled = exchange_propose(proposer=lan, counterpart=elif_, proposer_provides=False,
                               terms=Terms("Cours de couture", 60, today(), None))
    exchange_accept(exchange=settled, actor=elif_)
    exchange_mark_done(exchange=settled, actor=elif_, minutes=180)
    dispute = dispute_open(exchange=settled, actor=lan, reason="Le cours a duré une heure et demie, pas trois.")
    dispute_resolve(dispute=dispute, actor=coordinator, resolution=DisputeResolution.CHANGED, minutes=90,
                    reason="Après avoir parlé avec Elif et Lan : une heure et demie.")
    verifications_check()
