""""My exchanges" and the home page read their exchanges as plain records (timebank.exchanges.cards), not as ORM
objects: each card must read the same either way, for every exchange of a neighbourhood and for each of its parties,
a partner's exchange included (seen by its representatives, one of them no longer one), in French and in Arabic."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from tests.factories import member
from tests.unit.test_partner_exchanges import answer, tilleuls  # noqa: F401 (a fixture)
from tests.world import build_neighbourhood
from timebank.exchanges.cards import ExchangeCard
from timebank.exchanges.models import Exchange
from timebank.exchanges.reading import my_exchanges
from timebank.extensions import db
from timebank.members.models import Member

CARDS = ('{% from "_partials/exchange_card.html" import exchange_card with context %}'
         '<ul>{% for exchange in exchanges %}{{ exchange_card(exchange) }}{% endfor %}</ul>')


def _orm_groups(reader: Member) -> dict[str, list[int]]:
    """What ``my_exchanges`` said when it read ORM objects: the same grouping, from ``Exchange`` rows."""
    from timebank.exchanges.models import taking_part

    rows = db.session.scalars(sa.select(Exchange).where(taking_part(reader.id))
                              .order_by(Exchange.on_date, Exchange.id)).all()
    cards = {card.id: card for group in my_exchanges(member=reader).values() for card in group}
    assert sorted(cards) == sorted(row.id for row in rows)
    return {row.id: row for row in rows}


def _compare_for_everyone(app, locale: str) -> int:
    compared = 0
    for reader in db.session.scalars(sa.select(Member).order_by(Member.id)).all():
        with app.test_request_context(f"/exchanges?lang={locale}", headers={"Accept-Language": locale}):
            login_user(reader)
            objects = _orm_groups(reader)
            for name, cards in my_exchanges(member=reader).items():
                assert all(isinstance(card, ExchangeCard) for card in cards)
                from_records = render_template_string(CARDS, exchanges=cards)
                from_objects = render_template_string(CARDS, exchanges=[objects[card.id] for card in cards])
                assert from_records == from_objects, (reader.display_name, name)
                compared += len(cards)
    return compared


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_an_exchange_card_reads_the_same_from_a_record_as_from_the_exchange(app, locale):
    with app.app_context():
        build_neighbourhood(app)
        db.session.commit()
        assert _compare_for_everyone(app, locale) >= 6  # three exchanges (proposed, agreed, disputed), two parties each


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_a_partner_s_exchange_card_reads_the_same_for_its_representatives(app, tilleuls, locale):  # noqa: F811
    from timebank.partners import services as partners

    exchange = answer(tilleuls)  # Les Tilleuls Habitat's exchange: Sandrine and Lucie act for it
    db.session.commit()
    assert _compare_for_everyone(app, locale) == 3  # Amina, Sandrine and Lucie
    partners.representative_remove(actor=member(tilleuls["claire"]), partner=tilleuls["partner"],
                                   member=member(tilleuls["lucie"]), reason="Fin de mission")
    db.session.commit()
    assert _compare_for_everyone(app, locale) == 2
    lucie = db.session.get(Member, tilleuls["lucie"].id)
    sandrine = db.session.get(Member, tilleuls["sandrine"].id)
    with app.test_request_context("/exchanges"):
        assert [card.id for group in my_exchanges(member=sandrine).values() for card in group] == [exchange.id]
        assert not any(my_exchanges(member=lucie).values())
