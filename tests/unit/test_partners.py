"""Partners and their rewards: Amina spends her hours at Les Tilleuls Habitat's swimming pool."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import account, member
from timebank.errors import DomainError, NotAllowed
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.errors import BelowFloor
from timebank.ledger.models import AccountKind, TransferKind
from timebank.ledger.verify import ledger_verify
from timebank.partners import rewards, services
from timebank.partners.models import Booking, BookingState, Partner, PartnerKind, Reward
from timebank.timeutil import utcnow


def make_partner(admin, name="Les Tilleuls Habitat", kind=PartnerKind.SOCIAL_LANDLORD, **descriptions) -> Partner:
    return services.partner_create(actor=member(admin), fields=services.PartnerFields(
        name=name, kind=kind, descriptions=descriptions or {"fr": "Bailleur social du quartier"},
        address="2 rue des Tilleuls", contact="01 23 45 67 89"))


def open_account(partner: Partner, admin, *, ceiling_hours=100):
    services.partner_set_limits(actor=member(admin), partner=partner, floor=0, ceiling=ceiling_hours * 60,
                                reason="Convention signée")


def publish_reward(partner, rep, *, title="Entrée piscine", minutes=60, places=5, ends_on=None) -> Reward:
    return rewards.reward_create(actor=member(rep), partner=partner, fields=rewards.RewardFields(
        title=title, description="", minutes=minutes, places=places, ends_on=ends_on))


@pytest.fixture
def tilleuls(ctx, people):
    """Claire (admin) creates Les Tilleuls Habitat and names Sandrine its representative; Amina is a resident."""
    claire = people.admin("Claire Dubois")
    sandrine = people.member("Sandrine Morel")
    amina = people.member("Amina Diallo")
    karim = people.member("Karim Benali")
    fatou = people.member("Fatou Sow")
    partner = make_partner(claire)
    open_account(partner, claire)
    services.representative_add(actor=member(claire), partner=partner, member=member(sandrine),
                                reason="Chargée de la rénovation")
    return {"claire": claire, "sandrine": sandrine, "amina": amina, "karim": karim, "fatou": fatou,
            "partner": partner}


def test_a_new_partner_has_its_own_account_with_limits_zero_until_the_admin_sets_them(ctx, people):
    claire = people.admin("Claire Dubois")
    partner = make_partner(claire)
    school = make_partner(claire, "École Jules Ferry", PartnerKind.SCHOOL)

    assert partner.account.kind is AccountKind.PARTNER and school.account.kind is AccountKind.PARTNER
    assert (partner.account.floor, partner.account.ceiling) == (0, 0)
    assert ledger.account_label(partner.account) == "Les Tilleuls Habitat"
    services.partner_set_limits(actor=member(claire), partner=partner, floor=-600, ceiling=6000, reason="Convention")
    assert (partner.account.floor, partner.account.ceiling) == (-600, 6000)
    from timebank.audit import audit_entries

    assert [e.action for e in audit_entries(limit=5)][:2] == ["limits_changed", "partner_created"]


def test_the_description_is_read_in_the_readers_language_or_else_in_french(ctx, people):
    partner = make_partner(people.admin(), fr="Bailleur social", ar="مؤجر اجتماعي")
    assert partner.description("ar") == "مؤجر اجتماعي"
    assert partner.description("en") == "Bailleur social"


def test_only_admins_create_partners_and_name_representatives(ctx, people):
    sandrine, claire = people.coordinator("Sandrine Martin"), people.admin("Claire Dubois")
    with pytest.raises(NotAllowed):
        make_partner(sandrine)
    partner = make_partner(claire)
    with pytest.raises(NotAllowed):
        services.representative_add(actor=member(sandrine), partner=partner, member=member(sandrine), reason="x")
    with pytest.raises(DomainError, match="reason"):
        services.representative_add(actor=member(claire), partner=partner,
                                    member=member(sandrine), reason=" ")


def test_a_booking_used_moves_the_hours_from_the_resident_to_the_partner(tilleuls):
    amina, sandrine, partner = tilleuls["amina"], tilleuls["sandrine"], tilleuls["partner"]
    reward = publish_reward(partner, sandrine)

    booking = rewards.reward_book(member=member(amina), reward=reward, key="k1")
    assert ledger.balance_of(account(amina)).reserved_to_pay == 60
    assert partner.account.pending_credits == 60
    rewards.booking_decide(actor=member(sandrine), booking=booking, used=True, key="k2")

    assert account(amina).posted == -60 and account(amina).pending_debits == 0
    assert db.session.get(Partner, partner.id).account.posted == 60
    [line] = ledger.statement(account=account(amina)).lines
    assert line.transfer.kind is TransferKind.REWARD
    assert line.transfer.memo == "Entrée piscine — Les Tilleuls Habitat"
    assert ledger.account_label(line.counterpart) == "Les Tilleuls Habitat"
    assert db.session.get(Booking, booking.id).state is BookingState.USED
    assert ledger_verify().problems == []


def test_the_same_booking_form_sent_twice_books_once(tilleuls):
    reward = publish_reward(tilleuls["partner"], tilleuls["sandrine"])
    first = rewards.reward_book(member=member(tilleuls["amina"]), reward=reward, key="same")
    again = rewards.reward_book(member=member(tilleuls["amina"]), reward=reward, key="same")
    assert first.id == again.id
    assert rewards.places_left(reward) == 4
    assert account(tilleuls["amina"]).pending_debits == 60


def test_a_booking_beyond_the_residents_floor_is_refused_with_the_usual_message(tilleuls):
    amina = tilleuls["amina"]
    reward = publish_reward(tilleuls["partner"], tilleuls["sandrine"], title="Salle commune", minutes=11 * 60)

    with pytest.raises(BelowFloor) as refused:
        rewards.reward_book(member=member(amina), reward=reward, key="k")
    assert str(refused.value.message).replace("\u2068", "").replace("\u2069", "") == (
        "You can give at most 10 h now: your account cannot go below −10 h.")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0
    assert rewards.places_left(reward) == 5


def test_cancelling_refusing_expiring_and_suspending_release_the_hours(tilleuls):
    amina, sandrine, partner, claire, karim = (tilleuls["amina"], tilleuls["sandrine"], tilleuls["partner"],
                                               tilleuls["claire"], tilleuls["karim"])
    reward = publish_reward(partner, sandrine, ends_on=utcnow().date())
    cancelled = rewards.reward_book(member=member(amina), reward=reward, key="a")
    refused = rewards.reward_book(member=member(karim), reward=reward, key="b")
    expiring = rewards.reward_book(member=member(amina), reward=reward, key="c")
    rewards.booking_cancel(member=member(amina), booking=cancelled, key="d")
    with pytest.raises(NotAllowed):
        rewards.booking_cancel(member=member(karim), booking=expiring)
    rewards.booking_decide(actor=member(sandrine), booking=refused, used=False, key="e")
    assert rewards.bookings_expire_due(utcnow().date()) == 0  # the last day is today: still on
    assert rewards.bookings_expire_due(utcnow().date() + timedelta(days=1)) == 1

    states = {b.id: b.state for b in db.session.scalars(sa.select(Booking))}
    assert states == {cancelled.id: BookingState.CANCELLED, refused.id: BookingState.REFUSED,
                      expiring.id: BookingState.EXPIRED}
    assert account(amina).pending_debits == 0 and account(karim).pending_debits == 0

    other = publish_reward(partner, sandrine, title="Cinéma")
    waiting = rewards.reward_book(member=member(amina), reward=other, key="f")
    services.partner_set_suspended(actor=member(claire), partner=partner, suspended=True, reason="Convention finie")
    assert db.session.get(Booking, waiting.id).state is BookingState.RELEASED
    assert account(amina).pending_debits == 0
    assert rewards.rewards_of(partner=partner) == []  # hidden
    assert services.partners() == []
    with pytest.raises(DomainError):
        rewards.reward_book(member=member(amina), reward=other, key="g")
    assert ledger_verify().problems == []


def test_only_the_partners_representatives_publish_and_decide_and_a_removed_one_loses_access(tilleuls):
    sandrine, partner, claire = tilleuls["sandrine"], tilleuls["partner"], tilleuls["claire"]
    school = make_partner(claire, "École Jules Ferry", PartnerKind.SCHOOL)
    fatou = tilleuls["fatou"]
    services.representative_add(actor=member(claire), partner=school, member=member(fatou), reason="Directrice")
    with pytest.raises(NotAllowed):
        publish_reward(partner, fatou)
    with pytest.raises(NotAllowed):
        publish_reward(partner, claire)  # an admin is not a representative
    reward = publish_reward(partner, sandrine)
    booking = rewards.reward_book(member=member(tilleuls["amina"]), reward=reward, key="k")
    with pytest.raises(NotAllowed):
        rewards.booking_decide(actor=member(fatou), booking=booking, used=True)

    services.representative_remove(actor=member(claire), partner=partner, member=member(sandrine), reason="Partie")
    with pytest.raises(NotAllowed):
        rewards.booking_decide(actor=member(sandrine), booking=booking, used=True)
    from timebank.audit import audit_entries

    [removed] = audit_entries(action="representative_removed")
    assert removed.reason == "Partie" and removed.member_id == sandrine.id


def test_a_reward_with_one_place_is_not_given_twice(tilleuls):
    karim = tilleuls["karim"]
    reward = publish_reward(tilleuls["partner"], tilleuls["sandrine"], places=1)
    rewards.reward_book(member=member(tilleuls["amina"]), reward=reward, key="a")
    with pytest.raises(DomainError, match="no place left"):
        rewards.reward_book(member=member(karim), reward=reward, key="b")


def test_the_demo_has_three_partners_a_pool_entry_amina_used_and_a_clean_ledger(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    verify = runner.invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0, verify.output
    with app.test_request_context(headers={"Accept-Language": "en"}):
        names = {p.name: p.kind for p in services.partners()}
        assert names == {"Les Tilleuls Habitat": PartnerKind.SOCIAL_LANDLORD, "École Jules Ferry": PartnerKind.SCHOOL,
                         "Association de la banque de temps": PartnerKind.ASSOCIATION}
        [pool] = db.session.scalars(sa.select(Reward)).all()
        assert (pool.title, pool.minutes, pool.partner.name) == ("Entrée piscine", 60, "Les Tilleuls Habitat")
        assert pool.partner.account.posted == 60


def test_a_partner_whose_limits_were_never_set_cannot_receive_hours_and_says_so(ctx, people):
    claire, sandrine, amina = people.admin("Claire Dubois"), people.member("Sandrine Morel"), people.member()
    partner = make_partner(claire, "École Jules Ferry", PartnerKind.SCHOOL)  # 0/0: no room yet
    services.representative_add(actor=member(claire), partner=partner, member=member(sandrine), reason="Directrice")
    reward = publish_reward(partner, sandrine, title="Sortie au musée")
    with pytest.raises(DomainError) as refused:
        rewards.reward_book(member=member(amina), reward=reward, key="k")
    assert "École Jules Ferry cannot receive more hours" in str(refused.value.message)
    db.session.rollback()
    assert account(amina).pending_debits == 0 and rewards.places_left(reward) == 5


def test_suspending_a_member_releases_her_waiting_bookings(tilleuls, people):
    from timebank.coordination.services import member_suspend

    reward = publish_reward(tilleuls["partner"], tilleuls["sandrine"])
    booking = rewards.reward_book(member=member(tilleuls["amina"]), reward=reward, key="k")
    member_suspend(member=member(tilleuls["amina"]), actor=member(tilleuls["claire"]), reason="Absences répétées")

    assert db.session.get(Booking, booking.id).state is BookingState.RELEASED
    assert account(tilleuls["amina"]).pending_debits == 0
    assert db.session.get(Partner, tilleuls["partner"].id).account.pending_credits == 0
    assert rewards.places_left(reward) == 5
    assert ledger_verify().problems == []


def test_a_representative_changes_a_reward_keeping_the_places_already_booked(tilleuls):
    sandrine, partner = tilleuls["sandrine"], tilleuls["partner"]
    reward = publish_reward(partner, sandrine, places=3)
    rewards.reward_book(member=member(tilleuls["amina"]), reward=reward, key="a")
    rewards.reward_book(member=member(tilleuls["karim"]), reward=reward, key="b")
    fields = rewards.RewardFields(title="Entrée piscine (samedi)", description="Le samedi matin", minutes=90,
                                  places=1)
    with pytest.raises(DomainError, match="2 places are already booked"):
        rewards.reward_update(actor=member(sandrine), reward=reward, fields=fields)
    db.session.rollback()
    with pytest.raises(NotAllowed):
        rewards.reward_update(actor=member(tilleuls["fatou"]), reward=reward, fields=fields)

    rewards.reward_update(actor=member(sandrine), reward=reward,
                          fields=rewards.RewardFields(**{**fields.__dict__, "places": 2}))
    changed = db.session.get(Reward, reward.id)
    assert (changed.title, changed.minutes, changed.places) == ("Entrée piscine (samedi)", 90, 2)
    assert rewards.places_left(changed) == 0
    assert account(tilleuls["amina"]).pending_debits == 60  # booked before the change: the same hour


def test_withdrawing_a_reward_releases_its_bookings_and_tells_the_residents(tilleuls):
    from timebank.notifications.messages import notification_plain
    from timebank.notifications.models import Notification

    amina, sandrine, partner = tilleuls["amina"], tilleuls["sandrine"], tilleuls["partner"]
    reward = publish_reward(partner, sandrine)
    booking = rewards.reward_book(member=member(amina), reward=reward, key="a")
    with pytest.raises(NotAllowed):
        rewards.reward_withdraw(actor=member(amina), reward=reward, key="w0")

    rewards.reward_withdraw(actor=member(sandrine), reward=reward, key="w")
    rewards.reward_withdraw(actor=member(sandrine), reward=reward, key="w")  # the same form again: done once

    assert db.session.get(Booking, booking.id).state is BookingState.RELEASED
    assert account(amina).pending_debits == 0 and db.session.get(Partner, partner.id).account.pending_credits == 0
    [notice] = db.session.scalars(sa.select(Notification).where(Notification.member_id == amina.id,
                                                                Notification.kind == "reward_withdrawn")).all()
    assert notification_plain(notice.kind, notice.params).replace("\u2068", "").replace("\u2069", "") == (
        "Les Tilleuls Habitat withdrew Entrée piscine: your booking is cancelled and your hours are released.")
    assert rewards.rewards_of(partner=partner) == []
    with pytest.raises(DomainError, match="cannot be booked"):
        rewards.reward_book(member=member(amina), reward=reward, key="b")
    db.session.rollback()
    with pytest.raises(DomainError, match="already withdrawn"):
        rewards.reward_withdraw(actor=member(sandrine), reward=reward, key="w2")
    assert ledger_verify().problems == []
