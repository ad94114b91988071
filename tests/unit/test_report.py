"""The impact report, figure by figure, on a year of the timebank whose answers we know by heart.

The year 2025 of the Tilleuls timebank, built through the services with the clock moved:

- before it (December 2024) Sandrine (coordinator), Claire (admin), Amina, Karim, Fatou, Hawa, Omar,
  Nour and Malik are members; Karim gives Amina 30 min and donates 30 min to the community account;
  Karim asks for help with a letter and nobody answers.
- in February Lina and Yusuf are approved; Nadia applies and waits; Inès applies and is declined.
- March: Amina translates for Karim, agreed 2 h, done in 1 h 30 (posted 90). Karim and Fatou agree an
  exchange and cancel it: the reservation is voided.
- April: Amina gives Fatou 1 h for a meal; in June Sandrine corrects it to 45 min.
- May: Sandrine records for Hawa (no phone) that Omar helped her 2 h with her papers (brokered).
- June: Karim helps Omar 1 h; Omar disputes it; in July Sandrine cancels it (reversal): it amounts to nothing.
- August: Amina donates 1 h to the community account; September: Claire grants Yusuf 30 min from it.
- October: Fatou's cooking workshop, Lina and Yusuf pay a 1 h share each.
- December 31st, 23:30: Lina helps Yusuf 1 h 30; Yusuf disputes it; it is upheld on 2 January 2026.
- Requests in 2025: Karim's "CAF" (no answer), Amina's "bike" (Lina proposed: answered), a spam request
  hidden by a coordinator.
- 2026: Zoé is approved; on 1 January 00:10 Amina gives Karim 1 h.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.factories import category_id, member, publish
from timebank.errors import DomainError
from timebank.exchanges import groups
from timebank.exchanges.completion import exchange_confirm, exchange_mark_done
from timebank.exchanges.disputes import dispute_open
from timebank.exchanges.models import DisputeResolution
from timebank.exchanges.past import exchange_record_brokered
from timebank.exchanges.proposals import exchange_accept, exchange_cancel, exchange_propose
from timebank.exchanges.resolution import dispute_resolve
from timebank.exchanges.steps import Terms
from timebank.extensions import db
from timebank.giving import services as giving
from timebank.ledger import services as ledger
from timebank.ledger.models import TransferKind
from timebank.ledger.verify import ledger_verify
from timebank.listings.models import Listing
from timebank.members.approval import member_decline
from timebank.reports.periods import InvalidPeriod, period_months, report_period
from timebank.reports.services import SMALL_GROUP, People, impact_report

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def clock(monkeypatch):
    """Move the timebank's clock: everything it stores reads ``timebank.timeutil.utcnow``."""
    import timebank.timeutil

    now = [datetime(2024, 12, 1, 9, 0)]

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return now[0].replace(tzinfo=tz)

    monkeypatch.setattr(timebank.timeutil, "datetime", Frozen)

    def move(to: datetime):
        now[0] = to

    return move


def exchange(recipient, provider, *, minutes, done=None, title="Service", listing=None):
    """The recipient asks, the provider accepts, does it, the recipient confirms; returns the exchange."""
    from timebank.timeutil import utcnow

    on = utcnow().date()
    proposal = exchange_propose(proposer=member(recipient), counterpart=member(provider), proposer_provides=False,
                                terms=Terms(title, minutes, on, None), listing=listing)
    exchange_accept(exchange=proposal, actor=member(provider))
    exchange_mark_done(exchange=proposal, actor=member(provider), minutes=done or minutes)
    return exchange_confirm(exchange=proposal, actor=member(recipient))


@pytest.fixture
def year(ctx, people, clock):
    """Build the year 2025 described above; return the residents by first name."""
    clock(datetime(2024, 12, 1, 9, 0))
    cast = {
        "sandrine": people.coordinator("Sandrine Martin"), "claire": people.admin("Claire Dubois"),
        "amina": people.member("Amina Diallo"), "karim": people.member("Karim Benali"),
        "fatou": people.member("Fatou Ndiaye"), "hawa": people.member("Hawa Coulibaly"),
        "omar": people.member("Omar Haddad"), "nour": people.member("Nour Saleh"),
        "malik": people.member("Malik Amrani"),
    }
    c = cast
    sandrine = member(c["sandrine"])
    clock(datetime(2024, 12, 10, 10, 0))
    giving.give_time(giver=member(c["karim"]), recipient=member(c["amina"]), minutes=30, memo="Courses", key="k1")
    giving.give_time(giver=member(c["karim"]), recipient=None, minutes=30, memo="Pour le pot commun", key="k2")
    publish(ctx, c["karim"], "Lettre à la mairie", kind="request", category="paperwork")
    translation = publish(ctx, c["amina"], "Traduction arabe-français", kind="offer", category="translation")
    db.session.commit()  # end the read that saw the listing, so the next members are seen

    clock(datetime(2025, 2, 3, 10, 0))
    c["lina"], c["yusuf"] = people.member("Lina Farah"), people.member("Yusuf Kaya")
    people.applicant("Nadia Haddad")
    ines = people.applicant("Inès Moreau")
    member_decline(member=member(ines), actor=sandrine, message="Outside our neighbourhood.")

    clock(datetime(2025, 3, 12, 14, 0))
    exchange(c["karim"], c["amina"], minutes=120, done=90, title="Traduction CAF",
             listing=db.session.get(Listing, translation))
    cancelled = exchange_propose(proposer=member(c["karim"]), counterpart=member(c["fatou"]),
                                 proposer_provides=False,
                                 terms=Terms("Couture", 60, date(2025, 3, 20), None))
    exchange_accept(exchange=cancelled, actor=member(c["fatou"]))
    exchange_cancel(exchange=cancelled, actor=member(c["karim"]), reason="Plus besoin")
    publish(ctx, c["karim"], "Aide pour la CAF", kind="request", category="paperwork")
    bike = publish(ctx, c["amina"], "Réparer mon vélo", kind="request", category="diy")
    exchange_propose(proposer=member(c["lina"]), counterpart=member(c["amina"]), proposer_provides=True,
                     terms=Terms("Vélo", 60, date(2025, 3, 30), None), listing=db.session.get(Listing, bike))
    spam = publish(ctx, c["omar"], "Achetez mes produits", kind="request", category="diy")
    db.session.get(Listing, spam).hidden_at = datetime(2025, 3, 13)
    db.session.commit()

    clock(datetime(2025, 4, 8, 12, 0))
    meal = giving.give_time(giver=member(c["amina"]), recipient=member(c["fatou"]), minutes=60, memo="Repas",
                            key="a1", category_id=category_id("cooking"))

    clock(datetime(2025, 5, 20, 11, 0))
    from timebank.coordination.services import member_set_brokered

    member_set_brokered(member=member(c["hawa"]), actor=sandrine, brokered=True, reason="Pas de téléphone")
    exchange_record_brokered(coordinator=sandrine, provider=member(c["omar"]), recipient=member(c["hawa"]),
                             minutes=120, title="Dossier logement", category_id=category_id("paperwork"))

    clock(datetime(2025, 6, 2, 9, 0))
    ledger.transfer_correct(transfer=meal, minutes=45, reason="Le repas a duré 45 minutes", key="fix-meal",
                            actor=sandrine)
    disputed = exchange(c["omar"], c["karim"], minutes=60, title="Déménagement")
    dispute = dispute_open(exchange=disputed, actor=member(c["omar"]), reason="Karim n'est pas venu")
    clock(datetime(2025, 7, 1, 9, 0))
    dispute_resolve(dispute=dispute, actor=sandrine, resolution=DisputeResolution.CANCELLED,
                    reason="Le service n'a pas eu lieu")

    clock(datetime(2025, 8, 15, 9, 0))
    giving.give_time(giver=member(c["amina"]), recipient=None, minutes=60, memo="Pot commun", key="a2")
    clock(datetime(2025, 9, 15, 9, 0))
    giving.community_grant(admin=member(c["claire"]), member=member(c["yusuf"]), minutes=30, reason="Bienvenue",
                           key="g1")

    clock(datetime(2025, 10, 4, 15, 0))
    workshop = groups.group_create(provider=member(c["fatou"]), title="Atelier couscous", description="",
                                   on_date=date(2025, 10, 4), at_time=None, share_minutes=60, max_participants=8,
                                   category_id=category_id("cooking"))
    groups.group_join(session=workshop, member=member(c["lina"]))
    groups.group_join(session=workshop, member=member(c["yusuf"]))
    groups.group_complete(session=workshop, actor=member(c["fatou"]))

    clock(datetime(2025, 12, 31, 23, 30))
    late = exchange(c["yusuf"], c["lina"], minutes=90, title="Aide au devoir")
    late_dispute = dispute_open(exchange=late, actor=member(c["yusuf"]), reason="Trop court")

    clock(datetime(2026, 1, 1, 0, 10))
    giving.give_time(giver=member(c["amina"]), recipient=member(c["karim"]), minutes=60, memo="Merci", key="a3")
    clock(datetime(2026, 1, 2, 9, 0))
    dispute_resolve(dispute=late_dispute, actor=sandrine, resolution=DisputeResolution.UPHELD,
                    reason="Le devoir a bien été fait")
    db.session.commit()
    c["zoe"] = people.member("Zoé Petit")
    assert ledger_verify().problems == []
    return c


def test_hours_and_exchanges_count_what_was_finally_posted(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    # 90 (posted, not the 120 agreed) + 45 (60 corrected) + 120 (brokered) + 2 × 60 (workshop) + 90 (31 Dec)
    assert report.minutes == 90 + 45 + 120 + 60 + 60 + 90
    # The cancelled reservation and the reversed exchange are not exchanges; each workshop share is one.
    assert report.exchanges == 6


def test_month_by_month(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    assert [m.month for m in report.months] == [date(2025, n, 1) for n in range(1, 13)]
    assert {m.month.month: (m.exchanges, m.minutes) for m in report.months if m.exchanges} == {
        3: (1, 90), 4: (1, 45), 5: (1, 120), 10: (2, 120), 12: (1, 90)}
    assert sum(m.minutes for m in report.months) == report.minutes
    # June: the exchange was reversed, so nobody was active through it.
    assert {m.month.month: m.active_members.count for m in report.months if m.active_members.count} == {
        3: 2, 4: 2, 5: 2, 10: 3, 12: 2}


def test_a_correction_counts_with_the_transfer_it_corrects(year):
    april = impact_report(start=date(2025, 4, 1), end=date(2025, 4, 30))
    june = impact_report(start=date(2025, 6, 1), end=date(2025, 6, 30))
    assert (april.minutes, april.exchanges) == (45, 1)  # corrected in June, counted in April
    assert (june.minutes, june.exchanges) == (0, 0)  # the June exchange was reversed in July


def test_days_are_included_to_the_last_minute(year):
    december = impact_report(start=date(2025, 12, 31), end=date(2025, 12, 31))
    first = impact_report(start=date(2026, 1, 1), end=date(2026, 1, 1))
    assert (december.exchanges, december.minutes) == (1, 90)
    assert (first.exchanges, first.minutes) == (1, 60)


def test_active_members_and_reciprocity(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    # Karim, Amina, Fatou, Hawa, Omar, Lina, Yusuf; not Nour nor Malik, nor the coordinator who brokered.
    assert report.active_members == People(7)
    # Amina (gave in March, received in April) and Lina (paid the workshop, helped Yusuf).
    assert report.reciprocal_members == People(2)
    assert report.reciprocal_members.hidden and not report.active_members.hidden
    assert report.reciprocal_share is None  # 2 of 7 would give the hidden count away


def test_new_members_are_those_approved_in_the_period(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    # Lina and Yusuf; not Nadia (waiting), Inès (declined), the members of 2024 or Zoé (2026).
    assert report.new_members == People(2)
    assert {m.month.month: m.new_members.count for m in report.months if m.new_members.count} == {2: 2}
    assert impact_report(start=date(2026, 1, 1), end=date(2026, 1, 31)).new_members == People(1)


def test_hours_by_category(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    by_slug = {(c.category.slug if c.category else None): (c.exchanges, c.minutes, c.members.count)
               for c in report.categories}
    assert by_slug == {
        "cooking": (3, 45 + 120, 4),  # the meal (Amina, Fatou) and the workshop (Fatou, Lina, Yusuf)
        "paperwork": (1, 120, 2),
        "translation": (1, 90, 2),
        None: (1, 90, 2),  # Lina and Yusuf agreed it without a listing
    }
    assert report.categories[0].category.slug == "cooking"  # most hours first
    assert sum(c.minutes for c in report.categories) == report.minutes


def test_hours_to_and_from_the_community_account(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    assert (report.to_community_minutes, report.from_community_minutes) == (60, 30)  # not Karim's 2024 donation


def test_requests_that_found_no_answer(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    # "Aide pour la CAF" (no answer) and "Réparer mon vélo" (Lina proposed); not the 2024 letter, nor the spam.
    assert (report.requests, report.unanswered_requests) == (2, 1)


def test_balances_at_the_end_of_the_period(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    bands = {band.key: band.members.count for band in report.balances}
    # Karim −150, Hawa −120, Yusuf −120 | Sandrine, Claire, Nour, Malik 0, Amina +15, Lina +30 | Fatou +165,
    # Omar +120. Amina's and Karim's balances of today differ (1 January 2026): the report takes them back.
    assert bands == {"below": 0, "owing": 3, "even": 6, "ahead": 2, "above": 0}
    assert [band.key for band in report.balances] == ["below", "owing", "even", "ahead", "above"]
    with_zoe = impact_report(start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert {band.key: band.members.count for band in with_zoe.balances}["even"] == 7  # Zoé now, Amina −45 is "even"


def test_share_of_exchanges_brokered_by_coordinators(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    assert report.brokered_exchanges == 1  # Hawa's, recorded by Sandrine
    assert report.brokered_share == pytest.approx(1 / 6)


def test_an_exchange_with_extra_minutes_counts_once_and_not_at_all_once_cancelled(ctx, people):
    sandrine, amina, karim = people.coordinator("Sandrine Martin"), people.member("Amina Diallo"), \
        people.member("Karim Benali")
    from timebank.timeutil import utcnow

    today = utcnow().date()
    # Agreed 1 h, done in 1 h 30: Karim confirms, so the reservation posts 60 and the extra 30 more.
    done = exchange(karim, amina, minutes=60, done=90)
    report = impact_report(start=today, end=today)
    assert (report.exchanges, report.minutes, report.active_members) == (1, 90, People(2))
    # Karim disputes; Sandrine cancels it: one reversal of 90 minutes against the first posting.
    dispute = dispute_open(exchange=done, actor=member(karim), reason="Ce n'était pas ça")
    dispute_resolve(dispute=dispute, actor=member(sandrine), resolution=DisputeResolution.CANCELLED,
                    reason="Annulé d'un commun accord")
    report = impact_report(start=today, end=today)
    assert (report.exchanges, report.minutes, report.active_members) == (0, 0, People(0))
    assert (report.disputes_opened, report.disputes_resolved) == (1, 1)


def test_a_coordinator_acting_for_a_member_brokers_the_exchange(ctx, people):
    sandrine, hawa, omar = people.coordinator("Sandrine Martin"), people.member("Hawa Coulibaly"), \
        people.member("Omar Haddad")
    from timebank.coordination.services import member_set_brokered
    from timebank.timeutil import utcnow

    member_set_brokered(member=member(hawa), actor=member(sandrine), brokered=True, reason="Pas de téléphone")
    proposal = exchange_propose(proposer=member(omar), counterpart=member(hawa), proposer_provides=True,
                                terms=Terms("Courses", 60, utcnow().date(), None))
    exchange_accept(exchange=proposal, actor=member(hawa), by=member(sandrine))
    exchange_mark_done(exchange=proposal, actor=member(omar), minutes=60)
    exchange_confirm(exchange=proposal, actor=member(hawa), by=member(sandrine))
    giving.give_time(giver=member(omar), recipient=member(hawa), minutes=30, memo="Merci", key="o1")
    today = utcnow().date()
    report = impact_report(start=today, end=today)
    assert (report.exchanges, report.brokered_exchanges, report.brokered_share) == (2, 1, 0.5)


def test_disputes_opened_and_resolved(year):
    report = impact_report(start=YEAR[0], end=YEAR[1])
    assert (report.disputes_opened, report.disputes_resolved) == (2, 1)
    january = impact_report(start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert (january.disputes_opened, january.disputes_resolved) == (0, 1)


def test_an_empty_period_reads_zero_everywhere(ctx):
    report = impact_report(start=date(2020, 1, 1), end=date(2020, 3, 31))
    assert (report.exchanges, report.minutes, report.active_members, report.new_members) == (0, 0, People(0), People(0))
    assert report.categories == [] and report.brokered_share is None
    assert len(report.months) == 3 and all(m.minutes == 0 for m in report.months)
    assert len(report.balances) == 5 and all(band.members == People(0) for band in report.balances)


def test_small_counts_of_people_are_hidden_but_zero_and_five_are_not():
    assert [People(n).hidden for n in range(0, 7)] == [False, True, True, True, True, False, False]
    assert SMALL_GROUP == 5


def test_exchange_kinds_counted_are_written_down():
    from timebank.reports import services

    assert set(services.EXCHANGE_KINDS) == {TransferKind.EXCHANGE, TransferKind.DIRECT}
    assert "reservation" in services.__doc__ and "correction" in services.__doc__


# Charts ----------------------------------------------------------------------------------------


def test_chart_scales_are_round_and_right_to_left_is_a_mirror():
    from timebank.reports import charts

    assert charts.scale(12.3) == [0, 5, 10, 15]
    assert charts.scale(0, whole=True) == [0, 1]  # an empty chart still has an axis
    assert charts.scale(3, whole=True) == [0, 1, 2, 3]
    points = [charts.Point(f"M{n}", value, str(value), f"M{n}: {value}") for n, value in enumerate((4, 0, 9))]
    ltr, rtl = charts.columns(points, rtl=False, fmt=str), charts.columns(points, rtl=True, fmt=str)
    for left, right in zip(ltr.marks, rtl.marks):
        assert right.x == pytest.approx(charts.WIDTH - left.x - left.width) and right.y == left.y
    assert ltr.marks[0].x < ltr.marks[2].x and rtl.marks[0].x > rtl.marks[2].x  # the first month on the right
    assert ltr.marks[1].height == 0 and ltr.marks[2].height > ltr.marks[0].height


def test_a_hidden_count_breaks_the_line_and_shows_as_a_band():
    from timebank.reports import charts

    points = [charts.Point("a", 7, "7", "a"), charts.Point("b", SMALL_GROUP, "< 5", "b", hidden=True),
              charts.Point("c", 8, "8", "c"), charts.Point("d", 9, "9", "d")]
    chart = charts.line(points, rtl=False, fmt=str)
    assert len(chart.lines) == 1 and chart.lines[0].count(",") == 2  # c–d; a stands alone
    assert chart.marks[1].hidden and chart.marks[1].text == "< 5"


def test_long_periods_label_the_same_months_every_year():
    from timebank.reports import charts

    points = [charts.Point("Jan 21", 1, "1", "x") for _ in range(60)]
    labels = charts.columns(points, rtl=False, fmt=str).labels
    assert 5 <= len(labels) <= 20 and 60 % (60 // len(labels)) == 0


# Periods ---------------------------------------------------------------------------------------

TODAY = date(2026, 11, 26)


def days(period):
    return period.start, period.end


def test_periods_cover_whole_days_up_to_today():
    assert days(report_period(kind="year", year=2025, today=TODAY)) == (date(2025, 1, 1), date(2025, 12, 31))
    assert days(report_period(kind="year", year=2026, today=TODAY)) == (date(2026, 1, 1), TODAY)
    assert days(report_period(kind="quarter", year=2024, quarter=1, today=TODAY)) == (date(2024, 1, 1),
                                                                                     date(2024, 3, 31))
    assert days(report_period(kind="month", year=2024, month=2, today=TODAY)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert days(report_period(kind="month", year=2025, month=12, today=TODAY)) == (date(2025, 12, 1),
                                                                                  date(2025, 12, 31))
    custom = report_period(kind="custom", start=date(2025, 6, 15), end=date(2027, 1, 1), today=TODAY)
    assert (custom.start, custom.end) == (date(2025, 6, 15), TODAY)


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "week", "year": 2025}, "period"),
    ({"kind": "year"}, "year"),
    ({"kind": "year", "year": 1999}, "year"),
    ({"kind": "year", "year": 2027}, "year"),
    ({"kind": "quarter", "year": 2025, "quarter": 5}, "quarter"),
    ({"kind": "month", "year": 2025, "month": 13}, "month"),
    ({"kind": "month", "year": 2026, "month": 12}, "month"),  # not started yet
    ({"kind": "custom", "end": date(2025, 1, 1)}, "start"),
    ({"kind": "custom", "start": date(2025, 2, 1), "end": date(2025, 1, 1)}, "end"),
    ({"kind": "custom", "start": date(1976, 1, 1), "end": date(2026, 1, 1)}, "start"),
    ({"kind": "custom", "start": date(2000, 1, 1), "end": date(2026, 1, 1)}, "end"),  # 26 years
    ({"kind": "custom", "start": date(2021, 1, 1), "end": date(2026, 1, 1)}, "end"),  # 5 years and 1 day
])
def test_bad_periods_say_what_is_wrong(ctx, kwargs, field):
    with pytest.raises(InvalidPeriod) as raised:
        report_period(today=TODAY, **kwargs)
    assert raised.value.field == field and str(raised.value.message)
    assert isinstance(raised.value, DomainError) and raised.value.status_code == 400


def test_five_years_is_the_longest_period(ctx):
    period = report_period(kind="custom", start=date(2021, 1, 1), end=date(2025, 12, 31), today=TODAY)
    assert len(period_months(start=period.start, end=period.end)) == 60
