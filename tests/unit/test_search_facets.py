"""A search with filters is answered from the index (SQLite: the filters are words of the document; PostgreSQL: the
newest listings walked first, then the GIN index), and finds exactly what the plain query finds, in the same
order, on both databases."""
import random

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL
from tests.factories import category_id, member, publish
from timebank.extensions import db
from timebank.listings import search, search_words
from timebank.listings.models import Listing, ListingLanguage, ListingStatus, ListingType
from timebank.listings.search import Reader, listings_search, matching, visible
from timebank.members.models import Member, Status
from timebank.timeutil import utcnow

WORDS = ["aide", "aides", "aider", "cours", "courses", "jardin", "velo", "cuisine", "papiers", "école", "lecture",
         "مساعدة", "الأوراق", "musique", "devoirs"]
AREAS = ["Centre", "Gare", "Les Tilleuls", "Le Port", "Centre-Ville", "L'Île", None]
LANGUAGES = ["fr", "ar", "en", "wo", "tr", "pt"]
CATEGORIES = ["translation", "paperwork", "cooking", "gardening", "homework"]


def reference(*, q="", type=None, category_id=None, language=None, area=None, reader=Reader(), page=1,
              per_page=20, exclude_member=None, counted=True):
    """What a search must show, worked out the plain way: every visible listing that the words find and the
    filters keep, the newest COUNT_CAP + 1 of them, in the reader's order (ids, and the number counted)."""
    today = utcnow().date()
    query = matching(visible(sa.select(Listing), on=today), q)
    if type is not None:
        query = query.where(Listing.type == type)
    if category_id is not None:
        query = query.where(Listing.category_id == category_id)
    if area:
        query = query.where(Listing.area == area)
    if language:
        query = query.where(Listing.id.in_(sa.select(ListingLanguage.listing_id)
                                           .where(ListingLanguage.code == language)))
    if exclude_member is not None:
        query = query.where(Listing.member_id != exclude_member.id)
    ordered = bool(reader.languages or reader.area)
    window = search.COUNT_CAP + 1 if counted else (search.PREVIEW_WINDOW if ordered else per_page)
    newest = list(db.session.scalars(query.order_by(Listing.id.desc()).limit(window)))

    def rank(listing):
        codes = set(listing.language_codes)
        spoken = (0 if codes & set(reader.rare_languages) else 1 if codes & set(reader.languages) else 2)
        return (spoken if reader.languages else 0, 0 if not reader.area or listing.area == reader.area else 1,
                -listing.id)

    shown = sorted(newest, key=rank)[(page - 1) * per_page:page * per_page]
    return [listing.id for listing in shown], len(newest) if counted else len(shown)


@pytest.fixture
def town(app, people):
    """Three hundred listings of twelve residents, with words, types, areas and languages drawn at random (the
    same each run), some closed, hidden or by a suspended resident."""
    chance = random.Random(21)
    residents = [people.member(f"Resident{n} Test{n}", email=f"resident{n}@example.org") for n in range(12)]
    with app.test_request_context():
        categories = [category_id(slug) for slug in CATEGORIES]
        for n in range(300):
            words = " ".join(chance.sample(WORDS, chance.randint(1, 3)))
            listing = Listing(
                member_id=chance.choice(residents).id, type=chance.choice(list(ListingType)),
                title=f"{words} {n}", description=" ".join(chance.sample(WORDS, 2)) if n % 3 else "",
                category_id=chance.choice(categories), area=chance.choice(AREAS),
                status=ListingStatus.CLOSED if n % 17 == 0 else ListingStatus.OPEN,
                hidden_at=utcnow() if n % 23 == 0 else None,
                languages=[ListingLanguage(code=code) for code in chance.sample(LANGUAGES, chance.randint(0, 3))])
            db.session.add(listing)
            if n % 50 == 0:
                db.session.flush()
        db.session.get(Member, residents[0].id).status = Status.SUSPENDED
        db.session.commit()
        # Some are edited afterwards, as residents do: the index must follow their type, area and languages.
        for listing in db.session.scalars(sa.select(Listing).where(Listing.id % 7 == 0)):
            listing.type = ListingType.OFFER if listing.type is ListingType.REQUEST else ListingType.REQUEST
            listing.area = chance.choice(AREAS)
            listing.languages = [ListingLanguage(code=code) for code in chance.sample(LANGUAGES, 2)]
        db.session.commit()
        for listing in db.session.scalars(sa.select(Listing).where(Listing.id % 29 == 0)):
            db.session.delete(listing)
        db.session.commit()
    return residents


CRITERIA = [
    {}, {"q": "aide"}, {"q": "aid"}, {"q": "a"}, {"q": "cours"}, {"q": "ecole"}, {"q": "اوراق"},
    {"q": "aide", "type": ListingType.OFFER}, {"q": "aide", "area": "Centre"}, {"q": "aide", "language": "wo"},
    {"q": "aide", "type": ListingType.OFFER, "language": "fr", "area": "Centre"},
    {"q": "cou", "type": ListingType.REQUEST, "language": "ar", "area": "Gare"},
    {"q": "velo lecture", "area": "L'Île"}, {"q": "jardin", "area": "Centre-Ville", "language": "tr"},
    {"type": ListingType.REQUEST}, {"area": "Le Port"}, {"language": "pt"}, {"area": "Centre", "language": "en"},
    {"q": "musique", "category": "cooking"}, {"category": "gardening", "type": ListingType.OFFER},
    {"q": "nothingatall"}, {"q": "aide", "area": "Nowhere"}, {"q": "aide", "language": "xx"},
]
READERS = [Reader(), Reader(languages=("fr", "wo"), rare_languages=("wo",), area="Centre"),
           Reader(languages=("ar",), rare_languages=("ar",)), Reader(area="Gare")]


@pytest.mark.parametrize("recent", [5000, 40])
def test_searches_find_what_the_plain_query_finds_in_the_same_order(app, town, monkeypatch, recent):
    # With a short walk, PostgreSQL also takes the GIN index for the older listings.
    monkeypatch.setattr(search, "RECENT_LISTINGS", recent)
    monkeypatch.setattr(search, "COUNT_CAP", 30)
    with app.test_request_context():
        for criteria in CRITERIA:
            criteria = dict(criteria)
            if "category" in criteria:
                criteria["category_id"] = category_id(criteria.pop("category"))
            for reader in READERS:
                for page in (1, 2):
                    got = listings_search(reader=reader, page=page, per_page=8, **criteria)
                    assert ([listing.id for listing in got.listings], got.total) == reference(
                        reader=reader, page=page, per_page=8, **criteria), (criteria, reader, page)
            preview = listings_search(reader=READERS[1], per_page=4, counted=False, **criteria)
            assert ([listing.id for listing in preview.listings], preview.total) == reference(
                reader=READERS[1], per_page=4, counted=False, **criteria), criteria


def test_a_typed_word_never_reaches_the_filters_words(app, people):
    amina = people.member("Amina Diallo")
    offer = publish(app, amina, "Cours de cuisine", area="Centre", languages=("fr", "wo"))
    typed = [search_words.facet_word(kind, value) for kind, value in (
        (search_words.FACET_TYPE, "offer"), (search_words.FACET_AREA, "Centre"), (search_words.FACET_LANGUAGE, "wo"))]
    with app.test_request_context():
        typed += search_words.facet_words(type=ListingType.OFFER, area="Centre", language="wo")  # a combination
        typed += search_words.facet_words(area="Centre", language="wo")
        for query in typed + ["zz", "zzt", "zza", "zzl", "zzo", "#t", "t6f66666572"]:
            assert listings_search(q=query).listings == [], query
        assert [listing.id for listing in listings_search(q="cuisine", type=ListingType.OFFER, area="Centre",
                                                          language="wo").listings] == [offer]


def test_filters_follow_an_edit_and_a_deletion(app, people):
    from timebank.listings.services import ListingFields, listing_update

    karim = people.member("Karim Benali")
    listing_id = publish(app, karim, "Aide aux devoirs", kind="request", area="Gare", languages=("fr",))

    def found(**filters):
        with app.test_request_context():
            return [listing.id for listing in listings_search(q="devoirs", **filters).listings]

    assert found(type=ListingType.REQUEST, area="Gare", language="fr") == [listing_id]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        listing = db.session.get(Listing, listing_id)
        listing_update(listing=listing, actor=member(karim), locale="en", fields=ListingFields(
            type=ListingType.OFFER, title=listing.title, description="", category_id=category_id("homework"),
            tags="", languages=("ar", "tr"), area="Centre", duration_minutes=None, availability="", ends_on=None,
            partner_id=None))
    assert found(type=ListingType.REQUEST) == found(area="Gare") == found(language="fr") == []
    assert found(type=ListingType.OFFER, area="Centre", language="tr") == [listing_id]
    with app.app_context():
        homework = category_id("homework")
    assert found(language="ar", category_id=homework) == [listing_id]
    with app.test_request_context():
        db.session.execute(sa.delete(ListingLanguage).where(ListingLanguage.listing_id == listing_id,
                                                            ListingLanguage.code == "tr"))
        db.session.commit()
    assert found(language="tr") == [] and found(language="ar") == [listing_id]
    with app.test_request_context():
        # By the database's own cascade, as an erasure does: its languages go after it.
        db.session.execute(sa.delete(Listing).where(Listing.id == listing_id))
        db.session.commit()
    assert found() == []
    if not PG_URL:
        with app.test_request_context():
            assert db.session.execute(sa.text("SELECT count(*) FROM listing_fts")).scalar() == 0
            db.session.execute(sa.text("INSERT INTO listing_fts(listing_fts) VALUES ('integrity-check')"))
