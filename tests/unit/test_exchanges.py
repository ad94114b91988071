"""The exchange state machine, with Amina (who looks after children) and Karim (who needs her)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import account, member, publish
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.exchanges.auto_confirm import exchanges_auto_confirm, exchanges_remind_tomorrow
from timebank.exchanges.completion import exchange_confirm, exchange_mark_done
from timebank.exchanges.conversation import exchange_mark_read, exchange_write, unread_messages
from timebank.exchanges.disputes import dispute_of, dispute_open
from timebank.exchanges.models import Exchange, ExchangeState
from timebank.exchanges.proposals import (
    exchange_accept,
    exchange_cancel,
    exchange_counter,
    exchange_decline,
    exchange_propose,
)
from timebank.exchanges.resolution import dispute_resolve
from timebank.exchanges.steps import Terms
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.errors import BelowFloor
from timebank.ledger.models import TransferKind
from timebank.ledger.verify import ledger_verify
from timebank.listings.models import Listing
from timebank.timeutil import utcnow

TODAY = utcnow().date()


@pytest.fixture
def amina(ctx, people):
    return people.member("Amina Diallo", locale="fr")


@pytest.fixture
def karim(ctx, people):
    return people.member("Karim Benali", locale="ar")


@pytest.fixture
def fatou(ctx, people):
    return people.member("Fatou Ndiaye")


def propose(proposer, counterpart, *, provides=False, minutes=120, on=TODAY, listing=None):
    return exchange_propose(proposer=member(proposer), counterpart=member(counterpart), proposer_provides=provides,
                            terms=Terms("Garde des enfants", minutes, on, None), message="Bonjour !",
                            listing=listing)


def balance(resident):
    return ledger.balance_of(account(resident))


def clean():
    assert ledger_verify().problems == []


def test_the_whole_loop_moves_the_hours_once(amina, karim, people):
    exchange = propose(karim, amina)  # Karim asks Amina to look after his children
    assert exchange.state is ExchangeState.PROPOSED and exchange.turn_id == amina.id

    exchange_accept(exchange=exchange, actor=member(amina))
    assert (balance(karim).reserved_to_pay, balance(amina).reserved_to_receive) == (120, 120)
    clean()

    exchange_mark_done(exchange=exchange, actor=member(amina), minutes=90)
    exchange_confirm(exchange=exchange, actor=member(karim))

    assert exchange.state is ExchangeState.COMPLETED
    assert (balance(karim).posted, balance(amina).posted) == (-90, 90)
    assert (balance(karim).reserved_to_pay, balance(amina).reserved_to_receive) == (0, 0)
    clean()
    kinds = [event.kind for event in exchange.events]
    assert kinds == ["proposed", "accepted", "done", "confirmed"]
    # Each step told the other person, in their own language.
    subjects = [(mail.to, mail.locale) for mail in people.outbox()]
    assert ("amina@example.org", "fr") in subjects and ("karim@example.org", "ar") in subjects


def test_more_than_agreed_needs_the_recipients_confirmation(amina, karim):
    exchange = propose(karim, amina, minutes=60)
    exchange_accept(exchange=exchange, actor=member(amina))
    exchange_mark_done(exchange=exchange, actor=member(amina), minutes=90)
    exchange_confirm(exchange=exchange, actor=member(karim))
    assert (balance(karim).posted, balance(amina).posted) == (-90, 90)
    clean()


def test_a_counter_proposal_changes_whose_turn_it_is(amina, karim):
    exchange = propose(karim, amina)
    exchange_counter(exchange=exchange, actor=member(amina), minutes=90, on_date=TODAY + timedelta(days=2),
                     at_time=None)
    assert exchange.turn_id == karim.id and exchange.minutes == 90
    with pytest.raises(InvalidTransition):
        exchange_accept(exchange=exchange, actor=member(amina))  # her own suggestion
    exchange_accept(exchange=exchange, actor=member(karim))
    assert balance(karim).reserved_to_pay == 90


def test_accepting_beyond_the_floor_is_refused_with_a_suggestion(amina, karim, fatou):
    ledger.transfer_post(debit=account(karim), credit=account(fatou), minutes=540, kind=TransferKind.DIRECT,
                         key="k", actor=member(karim))
    exchange = propose(karim, amina, minutes=120)
    with pytest.raises(BelowFloor) as refused:
        exchange_accept(exchange=exchange, actor=member(amina))  # Amina would give; Karim cannot pay
    assert ("Karim Benali does not have enough hours for this exchange just now. Suggest fewer hours"
            in str(refused.value.message))
    db.session.rollback()
    assert db.session.get(Exchange, exchange.id).state is ExchangeState.PROPOSED
    offered = propose(amina, karim, provides=True, minutes=120)
    with pytest.raises(BelowFloor) as refused:
        exchange_accept(exchange=offered, actor=member(karim))  # Karim would pay: advice for him
    assert "You can give at most 1 h now" in str(refused.value.message)
    assert "Ask for fewer hours, or earn hours by offering your help first." in str(refused.value.message)
    db.session.rollback()
    assert balance(karim).reserved_to_pay == 0


def test_cancelling_an_agreed_exchange_releases_the_hours(amina, karim):
    exchange = propose(karim, amina)
    exchange_accept(exchange=exchange, actor=member(amina))
    with pytest.raises(DomainError):
        exchange_cancel(exchange=exchange, actor=member(karim), reason="  ")
    exchange_cancel(exchange=exchange, actor=member(karim), reason="My mother came after all")
    assert exchange.state is ExchangeState.CANCELLED
    assert balance(karim).reserved_to_pay == 0
    clean()


def test_declining_a_proposal(amina, karim):
    exchange = propose(karim, amina)
    exchange_decline(exchange=exchange, actor=member(amina), message="Pas ce jour-là, désolée")
    assert exchange.state is ExchangeState.DECLINED
    assert exchange.messages[-1].body == "Pas ce jour-là, désolée"


@pytest.mark.parametrize("step", ["accept", "counter", "decline", "cancel", "done", "confirm", "write"])
def test_a_third_member_can_do_nothing(amina, karim, fatou, step):
    exchange = propose(karim, amina)
    calls = {
        "accept": lambda: exchange_accept(exchange=exchange, actor=member(fatou)),
        "counter": lambda: exchange_counter(exchange=exchange, actor=member(fatou), minutes=60, on_date=TODAY,
                                            at_time=None),
        "decline": lambda: exchange_decline(exchange=exchange, actor=member(fatou)),
        "cancel": lambda: exchange_cancel(exchange=exchange, actor=member(fatou), reason="x"),
        "done": lambda: exchange_mark_done(exchange=exchange, actor=member(fatou), minutes=60),
        "confirm": lambda: exchange_confirm(exchange=exchange, actor=member(fatou)),
        "write": lambda: exchange_write(exchange=exchange, author=member(fatou), body="Hello"),
    }
    with pytest.raises(DomainError):
        calls[step]()
    db.session.rollback()
    assert db.session.get(Exchange, exchange.id).state is ExchangeState.PROPOSED


# From every state, the steps that are not allowed.
FORBIDDEN = {
    ExchangeState.PROPOSED: ["done", "confirm"],
    ExchangeState.AGREED: ["accept", "counter", "decline", "confirm", "done_by_recipient"],
    ExchangeState.DONE: ["accept", "counter", "decline", "cancel", "done", "confirm_by_provider"],
    ExchangeState.COMPLETED: ["accept", "counter", "decline", "cancel", "done", "confirm"],
    ExchangeState.CANCELLED: ["accept", "counter", "decline", "cancel", "done", "confirm"],
    ExchangeState.DECLINED: ["accept", "counter", "decline", "cancel", "done", "confirm"],
}


def bring_to(state, amina, karim):
    exchange = propose(karim, amina)
    if state is ExchangeState.DECLINED:
        exchange_decline(exchange=exchange, actor=member(amina))
    if state in (ExchangeState.AGREED, ExchangeState.DONE, ExchangeState.COMPLETED, ExchangeState.CANCELLED):
        exchange_accept(exchange=exchange, actor=member(amina))
    if state is ExchangeState.CANCELLED:
        exchange_cancel(exchange=exchange, actor=member(amina), reason="Malade")
    if state in (ExchangeState.DONE, ExchangeState.COMPLETED):
        exchange_mark_done(exchange=exchange, actor=member(amina), minutes=120)
    if state is ExchangeState.COMPLETED:
        exchange_confirm(exchange=exchange, actor=member(karim))
    return exchange


@pytest.mark.parametrize(("state", "step"), [(s, step) for s, steps in FORBIDDEN.items() for step in steps])
def test_every_forbidden_step_changes_nothing(amina, karim, state, step):
    exchange = bring_to(state, amina, karim)
    before = (balance(karim), balance(amina), len(exchange.events))
    calls = {
        "accept": lambda: exchange_accept(exchange=exchange, actor=member(amina)),
        "counter": lambda: exchange_counter(exchange=exchange, actor=member(amina), minutes=60, on_date=TODAY,
                                            at_time=None),
        "decline": lambda: exchange_decline(exchange=exchange, actor=member(amina)),
        "cancel": lambda: exchange_cancel(exchange=exchange, actor=member(karim), reason="x"),
        "done": lambda: exchange_mark_done(exchange=exchange, actor=member(amina), minutes=60),
        "done_by_recipient": lambda: exchange_mark_done(exchange=exchange, actor=member(karim), minutes=60),
        "confirm": lambda: exchange_confirm(exchange=exchange, actor=member(karim)),
        "confirm_by_provider": lambda: exchange_confirm(exchange=exchange, actor=member(amina)),
    }
    with pytest.raises((InvalidTransition, NotAllowed)):
        calls[step]()
    db.session.rollback()
    current = db.session.get(Exchange, exchange.id)
    assert current.state is state
    assert (balance(karim), balance(amina), len(current.events)) == before
    clean()


def test_confirming_twice_is_refused_and_pays_once(amina, karim):
    exchange = bring_to(ExchangeState.COMPLETED, amina, karim)
    with pytest.raises(InvalidTransition):
        exchange_confirm(exchange=exchange, actor=member(karim))
    assert balance(amina).posted == 120


def test_done_only_once_the_day_has_come(amina, karim):
    exchange = propose(karim, amina, on=TODAY + timedelta(days=3))
    exchange_accept(exchange=exchange, actor=member(amina))
    with pytest.raises(InvalidTransition):
        exchange_mark_done(exchange=exchange, actor=member(amina), minutes=120)


def test_past_dates_and_bad_durations_are_refused(amina, karim):
    for minutes, on in ((0, TODAY), (7, TODAY), (25 * 60, TODAY), (60, TODAY - timedelta(days=1))):
        with pytest.raises(DomainError):
            propose(karim, amina, minutes=minutes, on=on)
    db.session.rollback()
    assert db.session.query(Exchange).count() == 0


def test_nobody_proposes_to_themselves(amina):
    with pytest.raises(NotAllowed):
        propose(amina, amina)


def test_childcare_needs_a_verified_provider(app, people, amina, karim):
    listing_id = publish(app, karim, "Garde pour mon fils", kind="request", category="childcare")
    listing = db.session.get(Listing, listing_id)
    with pytest.raises(NotAllowed):
        propose(amina, karim, provides=True, listing=listing)


def test_auto_confirm_after_the_configured_days_with_a_reminder(amina, karim, people):
    exchange = bring_to(ExchangeState.DONE, amina, karim)
    done_at = db.session.get(Exchange, exchange.id).done_at

    assert exchanges_auto_confirm(now=done_at + timedelta(days=5)) == (0, 0)
    assert exchanges_auto_confirm(now=done_at + timedelta(days=6, hours=1)) == (1, 0)
    assert exchanges_auto_confirm(now=done_at + timedelta(days=6, hours=2)) == (0, 0)  # reminded once
    assert exchanges_auto_confirm(now=done_at + timedelta(days=7, hours=1)) == (0, 1)
    assert exchanges_auto_confirm(now=done_at + timedelta(days=8)) == (0, 0)

    assert db.session.get(Exchange, exchange.id).state is ExchangeState.COMPLETED
    assert (balance(karim).posted, balance(amina).posted) == (-120, 120)
    clean()
    reminder = [mail for mail in people.outbox(to="karim@example.org") if "demain" in mail.body or "غدًا" in
                mail.body or "automatically" in mail.subject or "تلقائي" in mail.subject]
    assert reminder


def test_threads_count_unread_messages(amina, karim):
    exchange = propose(karim, amina)  # with "Bonjour !"
    assert unread_messages(member=member(amina)) == 1
    assert unread_messages(member=member(karim)) == 0
    exchange_mark_read(exchange=exchange, member=member(amina))
    assert unread_messages(member=member(amina)) == 0
    exchange_write(exchange=exchange, author=member(amina), body="Oui, mercredi ?")
    assert unread_messages(member=member(karim)) == 1


# Disputes ----------------------------------------------------------------------------------------

from timebank.exchanges.models import DisputeResolution  # noqa: E402


@pytest.fixture
def sandrine(ctx, people):
    return people.coordinator("Sandrine Martin")


def resolve(exchange, sandrine, resolution, minutes=None):
    return dispute_resolve(dispute=dispute_of(exchange), actor=member(sandrine), resolution=resolution,
                           reason="Les deux sont d'accord après discussion", minutes=minutes)


@pytest.mark.parametrize(("before", "resolution", "minutes", "state", "karim_posted", "karim_reserved"), [
    (ExchangeState.AGREED, DisputeResolution.UPHELD, None, ExchangeState.AGREED, 0, 120),
    (ExchangeState.AGREED, DisputeResolution.CHANGED, 60, ExchangeState.COMPLETED, -60, 0),
    (ExchangeState.AGREED, DisputeResolution.CANCELLED, None, ExchangeState.CANCELLED, 0, 0),
    (ExchangeState.DONE, DisputeResolution.UPHELD, None, ExchangeState.COMPLETED, -120, 0),
    (ExchangeState.DONE, DisputeResolution.CHANGED, 180, ExchangeState.COMPLETED, -180, 0),
    (ExchangeState.DONE, DisputeResolution.CANCELLED, None, ExchangeState.CANCELLED, 0, 0),
    (ExchangeState.COMPLETED, DisputeResolution.UPHELD, None, ExchangeState.COMPLETED, -120, 0),
    (ExchangeState.COMPLETED, DisputeResolution.CHANGED, 45, ExchangeState.COMPLETED, -45, 0),
    (ExchangeState.COMPLETED, DisputeResolution.CANCELLED, None, ExchangeState.CANCELLED, 0, 0),
])
def test_disputes_resolved_each_way_before_and_after_posting(amina, karim, sandrine, people, before, resolution,
                                                             minutes, state, karim_posted, karim_reserved):
    exchange = bring_to(before, amina, karim)
    dispute_open(exchange=exchange, actor=member(karim), reason="Elle est partie au bout d'une heure")
    assert db.session.get(Exchange, exchange.id).state is ExchangeState.DISPUTED
    with pytest.raises(InvalidTransition):
        exchange_confirm(exchange=exchange, actor=member(karim))  # frozen

    resolve(exchange, sandrine, resolution, minutes)

    current = db.session.get(Exchange, exchange.id)
    assert current.state is state
    assert (balance(karim).posted, balance(karim).reserved_to_pay) == (karim_posted, karim_reserved)
    assert balance(amina).posted == -karim_posted
    clean()
    for email in ("amina@example.org", "karim@example.org"):
        assert any("Les deux sont d'accord après discussion" in mail.body or "Les deux sont d" in mail.body
                   for mail in people.outbox(to=email))


def test_a_dispute_is_settled_once_and_not_by_a_party(amina, karim, sandrine, people):
    exchange = bring_to(ExchangeState.DONE, amina, karim)
    dispute_open(exchange=exchange, actor=member(amina), reason="Il ne confirme pas")
    with pytest.raises(NotAllowed):
        resolve(exchange, karim, DisputeResolution.UPHELD)  # not a coordinator
    claire = people.coordinator("Claire Dubois")
    dispute = dispute_of(exchange)
    dispute_resolve(dispute=dispute, actor=member(sandrine), resolution=DisputeResolution.UPHELD, reason="Fait")
    with pytest.raises(InvalidTransition):
        dispute_resolve(dispute=dispute, actor=member(claire), resolution=DisputeResolution.CANCELLED,
                        reason="Trop tard")
    assert balance(amina).posted == 120
    clean()


def test_the_dispute_window_closes(app, amina, karim):
    exchange = bring_to(ExchangeState.COMPLETED, amina, karim)
    db.session.get(Exchange, exchange.id).finished_at = utcnow() - timedelta(days=15)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        dispute_open(exchange=exchange, actor=member(karim), reason="Trop tard")


def test_a_disputed_exchange_is_not_auto_confirmed(amina, karim):
    exchange = bring_to(ExchangeState.DONE, amina, karim)
    dispute_open(exchange=exchange, actor=member(karim), reason="Ce n'était pas 2 h")
    assert exchanges_auto_confirm(now=utcnow() + timedelta(days=30)) == (0, 0)
    assert balance(amina).posted == 0


def test_both_are_reminded_the_day_before_once(amina, karim, people):
    exchange = propose(karim, amina, on=TODAY + timedelta(days=1))
    exchange_accept(exchange=exchange, actor=member(amina))
    assert exchanges_remind_tomorrow() == 1
    assert exchanges_remind_tomorrow() == 0
    subjects = [mail.subject for mail in people.outbox() if "Garde des enfants" in mail.subject]
    assert any(s.startswith("Demain") for s in subjects)  # Amina reads French
    assert len([m for m in people.outbox(to="karim@example.org") if "Garde" in m.subject]) >= 2
