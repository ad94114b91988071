"""Two residents book the last place of a reward at the same instant, from separate OS processes: one gets it."""
from __future__ import annotations

import multiprocessing
import time

import sqlalchemy as sa

from tests.conftest import base_config
from tests.factories import member
from timebank.extensions import db
from timebank.partners.models import Booking

WORKERS = 4


def _book(args):
    """One worker: its own app, wait for the common start, then book the reward once."""
    url, member_id, reward_id, start_at = args
    from timebank import create_app
    from timebank.errors import DomainError
    from timebank.members.models import Member
    from timebank.partners.models import Reward
    from timebank.partners.rewards import reward_book

    app = create_app(base_config(url))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        resident = db.session.get(Member, member_id)
        reward = db.session.get(Reward, reward_id)
        time.sleep(max(0.0, start_at - time.time()))
        try:
            booking = reward_book(member=resident, reward=reward, key=f"worker-{member_id}")
            result = ("ok", booking.id)
        except DomainError as error:
            result = ("refused", str(error.message))
        db.session.remove()
        db.engine.dispose()
    return result


def test_a_reward_with_one_place_booked_by_residents_at_once_goes_to_one(app, ctx, people, database_url):
    from timebank.ledger.services import account_of
    from timebank.ledger.verify import ledger_verify
    from timebank.partners import rewards, services
    from timebank.partners.models import PartnerKind

    claire, sandrine = people.admin("Claire Dubois"), people.member("Sandrine Morel")
    residents = [people.member(f"Résidente {n}", email=f"r{n}@example.org") for n in range(WORKERS)]
    partner = services.partner_create(actor=member(claire), fields=services.PartnerFields(
        name="Les Tilleuls Habitat", kind=PartnerKind.SOCIAL_LANDLORD, descriptions={}))
    services.partner_set_limits(actor=member(claire), partner=partner, floor=0, ceiling=6000, reason="Convention")
    services.representative_add(actor=member(claire), partner=partner, member=member(sandrine), reason="Référente")
    reward = rewards.reward_create(actor=member(sandrine), partner=partner, fields=rewards.RewardFields(
        title="Entrée piscine", description="", minutes=60, places=1))
    reward_id = reward.id
    db.session.commit()
    db.session.remove()

    start_at = time.time() + 3.0  # every process has built its app by then
    jobs = [(database_url, resident.id, reward_id, start_at) for resident in residents]
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        results = pool.map(_book, jobs)

    assert sorted(r[0] for r in results) == ["ok"] + ["refused"] * (WORKERS - 1), results
    assert {r[1] for r in results if r[0] == "refused"} == {"Sorry, there is no place left for this reward."}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1
    reserved = [account_of(member(r)).pending_debits for r in residents]
    assert sorted(reserved) == [0] * (WORKERS - 1) + [60]
    assert ledger_verify().problems == []
