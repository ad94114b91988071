"""Partners ask and offer: Sandrine asks for help for Les Tilleuls Habitat, Amina answers, the partner pays."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import account, member, publish
from timebank.errors import NotAllowed
from timebank.exchanges.completion import exchange_confirm, exchange_mark_done
from timebank.exchanges.disputes import dispute_open
from timebank.exchanges.models import DisputeResolution, Exchange, ExchangeEvent, ExchangeState
from timebank.exchanges.proposals import exchange_accept, exchange_propose
from timebank.exchanges.resolution import dispute_resolve
from timebank.exchanges.steps import Terms
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.errors import BelowFloor
from timebank.ledger.models import Transfer
from timebank.ledger.verify import ledger_verify
from timebank.listings.models import Listing
from timebank.notifications.messages import notification_plain
from timebank.notifications.models import Notification
from timebank.partners import services
from timebank.partners.models import Partner, PartnerKind
from timebank.timeutil import utcnow
from tests.unit.test_partners import make_partner

TITLE = "Aider les locataires âgés à préparer les cartons"


def plain(text: str) -> str:
    return str(text).replace("\u2068", "").replace("\u2069", "")


@pytest.fixture
def tilleuls(app, ctx, people):
    """Claire (admin) names Sandrine and Lucie to act for Les Tilleuls Habitat, which may pay up to 10 h; Sandrine
    asks for help for it."""
    claire = people.admin("Claire Dubois")
    sandrine, lucie = people.member("Sandrine Morel"), people.member("Lucie Petit")
    amina, sami = people.member("Amina Diallo"), people.coordinator("Sami Ferhat")
    partner = make_partner(claire)
    services.partner_set_limits(actor=member(claire), partner=partner, floor=-600, ceiling=6000,
                                reason="Convention signée")
    for rep in (sandrine, lucie):
        services.representative_add(actor=member(claire), partner=partner, member=member(rep), reason="Rénovation")
    listing_id = publish(app, sandrine, TITLE, kind="request", category="paperwork", partner_id=partner.id)
    return {"claire": claire, "sandrine": sandrine, "lucie": lucie, "amina": amina, "sami": sami,
            "partner": partner, "listing": listing_id}


def answer(t, minutes=120) -> Exchange:
    """Amina offers her help from the partner's request, today."""
    return exchange_propose(proposer=member(t["amina"]), counterpart=member(t["sandrine"]), proposer_provides=True,
                            listing=db.session.get(Listing, t["listing"]), key=None,
                            terms=Terms(TITLE, minutes, utcnow().date(), None))


def partner_account(t):
    return db.session.get(Partner, t["partner"].id).account


def test_a_partners_request_answered_by_a_resident_moves_hours_from_the_partners_account(tilleuls):
    t = tilleuls
    listing = db.session.get(Listing, t["listing"])
    assert listing.partner.name == "Les Tilleuls Habitat" and listing.member_id == t["sandrine"].id

    exchange = answer(t)
    assert (exchange.partner_id, exchange.partner_side) == (t["partner"].id, "recipient")
    exchange_accept(exchange=exchange, actor=member(t["sandrine"]), key="a")
    assert partner_account(t).pending_debits == 120 and account(t["amina"]).pending_credits == 120
    exchange_mark_done(exchange=exchange, actor=member(t["amina"]), minutes=120, key="d")
    exchange_confirm(exchange=exchange, actor=member(t["sandrine"]), key="c")

    assert partner_account(t).posted == -120 and partner_account(t).pending_debits == 0
    assert account(t["amina"]).posted == 120
    assert account(t["sandrine"]).posted == 0 and account(t["sandrine"]).pending_debits == 0  # not hers: the partner's
    [line] = ledger.statement(account=account(t["amina"])).lines
    assert line.minutes == 120 and ledger.account_label(line.counterpart) == "Les Tilleuls Habitat"
    [partner_line] = ledger.statement(account=partner_account(t)).lines
    assert partner_line.minutes == -120 and ledger.account_label(partner_line.counterpart) == "Amina Diallo"
    assert ledger_verify().problems == []

    # Every step taken for the partner says who acted for it, in the timeline and in Amina's notices.
    steps = {e.kind: e.detail.get("for_partner") for e in db.session.scalars(
        sa.select(ExchangeEvent).where(ExchangeEvent.exchange_id == exchange.id))}
    assert steps == {"proposed": None, "accepted": "Les Tilleuls Habitat", "done": None,
                     "confirmed": "Les Tilleuls Habitat"}
    notices = [plain(notification_plain(n.kind, n.params)) for n in db.session.scalars(
        sa.select(Notification).where(Notification.member_id == t["amina"].id).order_by(Notification.id))]
    assert f"Sandrine Morel for Les Tilleuls Habitat agreed: {TITLE}. The hours are reserved." in notices
    assert f"Sandrine Morel for Les Tilleuls Habitat confirmed: {TITLE}. You received 2 h." in notices
    # Both representatives hear of the proposal, the partner's side.
    told = set(db.session.scalars(sa.select(Notification.member_id).where(Notification.kind == "exchange_proposed")))
    assert told == {t["sandrine"].id, t["lucie"].id}


def test_a_partner_at_its_floor_cannot_agree_and_nothing_is_written(tilleuls, people):
    t = tilleuls
    school = make_partner(t["claire"], "École Jules Ferry", PartnerKind.SCHOOL)  # 0/0
    fatou = people.member("Fatou Sow")
    services.representative_add(actor=member(t["claire"]), partner=school, member=member(fatou), reason="Directrice")
    from flask import current_app

    listing_id = publish(current_app, fatou, "Accompagner la sortie au musée", kind="request",
                         category="paperwork", partner_id=school.id)
    exchange = exchange_propose(proposer=member(t["amina"]), counterpart=member(fatou), proposer_provides=True,
                                listing=db.session.get(Listing, listing_id),
                                terms=Terms("Sortie au musée", 60, utcnow().date(), None))
    transfers = db.session.scalar(sa.select(sa.func.count()).select_from(Transfer))

    with pytest.raises(BelowFloor) as refused:
        exchange_accept(exchange=exchange, actor=member(fatou), key="a")
    assert plain(refused.value.message) == (
        "École Jules Ferry cannot give hours just now: the account has reached its lower limit (0 h).")
    db.session.rollback()
    assert db.session.get(Exchange, exchange.id).state is ExchangeState.PROPOSED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == transfers
    assert db.session.get(Partner, school.id).account.pending_debits == 0
    assert account(t["amina"]).pending_credits == 0


def test_another_representative_confirms_and_a_removed_one_can_do_nothing_more(tilleuls):
    t = tilleuls
    exchange = answer(t)
    exchange_accept(exchange=exchange, actor=member(t["sandrine"]), key="a")
    exchange_mark_done(exchange=exchange, actor=member(t["amina"]), minutes=120, key="d")
    services.representative_remove(actor=member(t["claire"]), partner=t["partner"], member=member(t["sandrine"]),
                                   reason="Partie à la retraite")

    exchange = db.session.get(Exchange, exchange.id)
    assert exchange.provider_id != exchange.recipient_id == t["sandrine"].id  # still stored there, but no longer acts
    assert not exchange.involves(member(t["sandrine"]))
    for step in (lambda: exchange_confirm(exchange=exchange, actor=member(t["sandrine"]), key="c1"),
                 lambda: dispute_open(exchange=exchange, actor=member(t["sandrine"]), reason="Non", key="x")):
        with pytest.raises(NotAllowed):
            step()
        db.session.rollback()
    assert account(t["amina"]).posted == 0

    exchange_confirm(exchange=db.session.get(Exchange, exchange.id), actor=member(t["lucie"]), key="c2")
    assert account(t["amina"]).posted == 120 and partner_account(t).posted == -120
    event = db.session.scalars(sa.select(ExchangeEvent).where(ExchangeEvent.kind == "confirmed")).one()
    assert (event.actor_id, event.detail["for_partner"]) == (t["lucie"].id, "Les Tilleuls Habitat")
    assert ledger_verify().problems == []


def test_a_representative_cannot_answer_her_own_partners_listing(tilleuls):
    t = tilleuls
    with pytest.raises(NotAllowed, match="You represent Les Tilleuls Habitat"):
        exchange_propose(proposer=member(t["lucie"]), counterpart=member(t["sandrine"]), proposer_provides=True,
                         listing=db.session.get(Listing, t["listing"]),
                         terms=Terms(TITLE, 60, utcnow().date(), None))


def test_only_a_current_representative_publishes_for_a_partner(tilleuls, app):
    from timebank.listings.services import partner_listings

    with pytest.raises(NotAllowed, match="for a partner you represent"):
        publish(app, tilleuls["amina"], "Fête des voisins", kind="request", partner_id=tilleuls["partner"].id)
    assert [listing.id for listing in partner_listings(partner=tilleuls["partner"])] == [tilleuls["listing"]]


def test_a_coordinator_settles_a_disagreement_with_the_partners_account(tilleuls):
    t = tilleuls
    exchange = answer(t)
    exchange_accept(exchange=exchange, actor=member(t["sandrine"]), key="a")
    exchange_mark_done(exchange=exchange, actor=member(t["amina"]), minutes=120, key="d")
    exchange_confirm(exchange=exchange, actor=member(t["lucie"]), key="c")
    dispute = dispute_open(exchange=db.session.get(Exchange, exchange.id), actor=member(t["sandrine"]),
                           reason="Une heure seulement", key="x")
    # Sandrine raised it for the partner: a coordinator reads both sides by who speaks for them; Amina gives her version.
    assert (dispute.opener_name, dispute.other_name, dispute.other_short_name) == (
        "Les Tilleuls Habitat (Sandrine Morel)", "Amina Diallo", "Amina")
    assert dispute.gives_version(member(t["amina"])) and not dispute.gives_version(member(t["lucie"]))
    dispute_resolve(dispute=dispute, actor=member(t["sami"]), resolution=DisputeResolution.CHANGED, minutes=60,
                    reason="Une heure, d'après vous deux.", key="r")

    assert account(t["amina"]).posted == 60 and partner_account(t).posted == -60
    lines = ledger.statement(account=account(t["amina"])).lines
    assert [(line.minutes, ledger.account_label(line.counterpart)) for line in lines] == [
        (-60, "Les Tilleuls Habitat"), (120, "Les Tilleuls Habitat")]
    told = set(db.session.scalars(sa.select(Notification.member_id).where(Notification.kind == "exchange_resolved")))
    assert told == {t["amina"].id, t["sandrine"].id, t["lucie"].id}
    assert ledger_verify().problems == []


def test_suspending_the_partner_hides_its_listings_and_releases_its_reserved_hours(tilleuls):
    from timebank.listings.services import listing_can_see, partner_listings

    t = tilleuls
    exchange = answer(t)
    exchange_accept(exchange=exchange, actor=member(t["sandrine"]), key="a")
    services.partner_set_suspended(actor=member(t["claire"]), partner=t["partner"], suspended=True,
                                   reason="Convention terminée")

    assert db.session.get(Exchange, exchange.id).state is ExchangeState.CANCELLED
    assert partner_account(t).pending_debits == 0 and account(t["amina"]).pending_credits == 0
    assert partner_listings(partner=t["partner"]) == []
    assert not listing_can_see(db.session.get(Listing, t["listing"]), member(t["amina"]))
    with pytest.raises(NotAllowed, match="suspended"):
        answer(t)
    assert ledger_verify().problems == []


def test_suspending_a_representative_leaves_her_partners_exchanges_to_the_others(tilleuls):
    from timebank.coordination.services import member_suspend

    t = tilleuls
    exchange = answer(t)
    exchange_accept(exchange=exchange, actor=member(t["sandrine"]), key="a")
    member_suspend(member=member(t["sandrine"]), actor=member(t["sami"]), reason="Absences")

    assert db.session.get(Exchange, exchange.id).state is ExchangeState.AGREED
    assert partner_account(t).pending_debits == 120
