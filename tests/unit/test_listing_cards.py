"""List pages read their cards as plain records (timebank.listings.cards), not as ORM objects: a card must read the
same either way, whatever the listing (a partner's, a verified helper's in a category that asks for one, paused,
ended, hidden, with or without languages and a duration), in French and in Arabic, for a member and a visitor."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from tests.factories import member, publish
from tests.unit.test_partner_exchanges import tilleuls  # noqa: F401 (a fixture)
from timebank.extensions import db
from timebank.listings.cards import listing_cards
from timebank.listings.models import Category, Listing, ListingStatus
from timebank.timeutil import utcnow

CARDS = ('{% from "_partials/listing_card.html" import listing_card with context %}'
         '<ul>{% for listing in listings %}{{ listing_card(listing, today) }}{% endfor %}</ul>')


@pytest.fixture
def shelf(app, tilleuls):  # noqa: F811
    """Listings of every kind a card tells apart (a project's task too); their ids, newest first."""
    amina = tilleuls["amina"]
    today = utcnow().date()
    member(amina).verified_at = utcnow()  # childcare asks for a verified helper
    db.session.commit()
    ids = [tilleuls["listing"],
           publish(app, amina, "Cours d'arabe", category="homework", languages=("ar", "fr")),
           publish(app, amina, "Garde du soir", category="childcare", languages=(), area=None),
           publish(app, amina, "Papiers de la CAF", category="paperwork", ends_on=today + timedelta(days=2)),
           publish(app, amina, "Traduction", category="translation", languages=("tr", "wo", "fr")),
           publish(app, amina, "Jardinage", category="gardening")]
    assert db.session.scalar(sa.select(Category.requires_verified).where(Category.slug == "childcare"))
    from timebank.projects import services as projects

    project = projects.project_open(
        actor=member(tilleuls["sandrine"]), partner=tilleuls["partner"],
        fields=projects.ProjectFields(title="Jardin partagé", description="Derrière le bâtiment B", goal_minutes=600),
        tasks=["Bêcher"], category_id=db.session.scalar(sa.select(Category.id).where(Category.slug == "paperwork")))
    ids.append(projects.tasks_of(project)[0].id)
    listings = {listing.id: listing for listing in db.session.scalars(sa.select(Listing).where(Listing.id.in_(ids)))}
    listings[ids[3]].ends_on = today - timedelta(days=1)  # ended yesterday
    listings[ids[4]].status = ListingStatus.PAUSED
    listings[ids[5]].hidden_at = utcnow()
    listings[ids[1]].duration_minutes = 90
    db.session.commit()
    return sorted(ids, reverse=True)


@pytest.mark.parametrize("locale", ["fr", "ar"])
@pytest.mark.parametrize("reader", ["sami", None])
def test_a_card_reads_the_same_from_a_record_as_from_the_listing(app, tilleuls, shelf, locale, reader):  # noqa: F811
    with app.test_request_context(f"/listings?lang={locale}", headers={"Accept-Language": locale}):
        if reader:
            login_user(member(tilleuls[reader]))
        today = utcnow().date()
        objects = [db.session.get(Listing, id_) for id_ in shelf]
        from_objects = render_template_string(CARDS, listings=objects, today=today)
        from_records = render_template_string(CARDS, listings=listing_cards(shelf), today=today)
    assert from_records == from_objects
    for shown in ("Les Tilleuls Habitat", "Garde du soir", "✓", "Jardin partagé", "1 h 30" if locale == "fr" else "Jardinage"):
        assert shown in from_records
    assert from_records.count("<li") == len(shelf)


def test_cards_come_in_the_order_asked_and_skip_what_is_gone(app, ctx, shelf):
    asked = [shelf[2], 999_999, shelf[0], shelf[1]]
    assert [card.id for card in listing_cards(asked)] == [shelf[2], shelf[0], shelf[1]]
    assert listing_cards([]) == []


def test_a_list_of_project_tasks_costs_no_query_a_card(app, client, tilleuls):  # noqa: F811
    from tests.conftest import count_queries, login
    from timebank.projects import services as projects

    def open_project(title, tasks):
        with app.test_request_context():
            projects.project_open(
                actor=member(tilleuls["sandrine"]), partner=tilleuls["partner"],
                fields=projects.ProjectFields(title=title, description="Pour le quartier", goal_minutes=600),
                tasks=tasks, category_id=db.session.scalar(sa.select(Category.id).where(Category.slug == "paperwork")))
            db.session.commit()

    open_project("Jardin partagé", ["Bêcher"])
    login(client, tilleuls["amina"])
    client.get("/listings")
    one_task = count_queries(app, client, "/listings")
    open_project("Fête de quartier", ["Tables", "Affiches", "Gâteaux"])
    page = client.get("/listings")
    assert page.get_data(as_text=True).count("Fête de quartier") == 3
    assert count_queries(app, client, "/listings") == one_task
