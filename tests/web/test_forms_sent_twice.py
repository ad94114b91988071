"""Every form that moves hours, or creates or changes an exchange, sent twice does one thing.

A slow connection resends a form; a thumb taps twice; two tabs send at once. For
each such route of the URL map, the same form (same data, same key, as the page
rendered it) is sent twice in a row, and twice at once from two browsers of the
same person; what people then see must be what one sending gives: as many
exchanges, transfers, steps, notices and mails, the same balances on each
person's "My hours", and a ledger that verifies.

The routes come from ``app.url_map``: every POST route is declared here as
moving hours (and walked) or not, so a new route cannot slip through unseen.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login, text_of
from tests.factories import Resident
from timebank.extensions import db
from timebank.timeutil import utcnow

TODAY = utcnow().date()

# Routes whose form moves hours (a transfer, a reservation, a release) or creates or changes an exchange or a
# group session. Each is walked below by at least one scenario.
HOUR_MOVING = {
    "ledger.give", "exchanges.new", "exchanges.accept", "exchanges.counter", "exchanges.decline", "exchanges.cancel",
    "exchanges.done", "exchanges.confirm", "exchanges.dispute", "exchanges.resolve", "exchanges.group_new",
    "exchanges.group_join", "exchanges.group_leave", "exchanges.group_remove", "exchanges.group_complete",
    "exchanges.group_cancel", "coordination.record_exchange", "coordination.decide", "coordination.change_status",
    "admin.welcome", "admin.community_grant", "privacy.leave", "privacy.erase_now",
    "admin.welcome", "admin.community_grant", "partners.book", "partners.cancel", "partners.decide",
    "partners_admin.status", "projects.decide", "partners.reward_withdraw",
}
# Moves hours, but has a one-time confirmation of its own, tested with the import.
WALKED_ELSEWHERE = {"admin.import_confirm"}
# Routes that move no hours and change no exchange (a message sent twice is two messages, as in any inbox).
NOT_HOUR_MOVING = {
    "acting.my_helper", "acting.warning", "admin.categories", "admin.category", "admin.category_step",
    "admin.export_all", "admin.export_one", "admin.imports", "admin.invitation", "admin.logo", "admin.role",
    "admin.settings", "backup.download", "coordination.add_note", "coordination.change_brokered",
    "coordination.change_limits", "coordination.decide_report", "coordination.helper", "coordination.member_new",
    "coordination.member_password", "coordination.orientation", "coordination.unverify", "coordination.verify",
    "coordination.warn", "exchanges.write", "listings.edit", "listings.new", "listings.report", "listings.status",
    "members.change_password", "members.charter", "members.email_preferences", "members.login", "members.logout",
    "members.password_forgot", "members.password_reset", "members.profile", "members.register", "members.report",
    "messages.block", "messages.conversation", "messages.report",
    "admin.invitation_revoke_view", "coordination.end_sessions", "members.sign_out_everywhere",
    "members.code_request", "members.code_login", "members.sms_inbound", "admin.outbox_retry_view",
    "notifications.push_on", "notifications.push_off",  # the same phone twice is kept once; off twice is off
    "privacy.consents", "privacy.come_back", "privacy.member_data_zip",
    "partners.manage", "partners.reward_edit", "partners_admin.index", "partners_admin.edit", "partners_admin.representative_add",
    "partners_admin.representative_remove", "partners_admin.limits",
    "coordination.dispute_ask", "exchanges.dispute_version",  # asked twice: told once; a version is replaced
    # A project opened or changed twice is two projects or the same change; joining twice is one participation
    # (unique per task and resident); hours said twice with the same key are said once (tests/unit/test_projects.py).
    "projects.new", "projects.edit", "projects.close", "projects.join", "projects.hours",
}


@pytest.fixture
def app(make_app):
    # Welcome hours on approval, so approving a member moves hours; many sign-ins, so no sign-in limit.
    return make_app(TIMEBANK_WELCOME_MINUTES=60, TIMEBANK_LOGIN_LIMIT_PER_ADDRESS="10000 per minute",
                    TIMEBANK_LOGIN_LIMIT_PER_ACCOUNT="10000 per minute")


def test_every_post_route_is_declared_as_moving_hours_or_not(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    declared = HOUR_MOVING | WALKED_ELSEWHERE | NOT_HOUR_MOVING
    assert not posts - declared, "say whether these new POST routes move hours (and walk them here)"
    assert not (HOUR_MOVING | WALKED_ELSEWHERE) - posts, "these declared routes no longer exist"
    assert not HOUR_MOVING & NOT_HOUR_MOVING
    assert {scenario.endpoint for scenario in SCENARIOS} == HOUR_MOVING


# A small neighbourhood per sending, so the same story can be told twice in one database --------------------


@dataclass
class World:
    n: int
    people: dict[str, Resident] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world(people, n: int) -> World:
    world = World(n)
    world.people = {
        "amina": people.member(f"Amina Diallo {n}", email=f"amina{n}@example.org"),
        "karim": people.member(f"Karim Benali {n}", email=f"karim{n}@example.org"),
        "hawa": people.member(f"Hawa Coulibaly {n}", email=None),
        "sandrine": people.coordinator(f"Sandrine Martin {n}", email=f"sandrine{n}@example.org"),
        "claire": people.admin(f"Claire Dubois {n}", email=f"claire{n}@example.org"),
        "nadia": people.applicant(f"Nadia Haddad {n}", email=f"nadia{n}@example.org"),
    }
    return world


def _m(resident):
    from timebank.members.models import Member

    return db.session.get(Member, resident.id)


def in_app(app, work):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = work()
        db.session.commit()
        return result


def propose(app, w: World, on_date=None) -> int:
    """Karim asks Amina for help with his papers, 2 h today: Amina's turn to answer."""
    from timebank.exchanges.proposals import exchange_propose
    from timebank.exchanges.steps import Terms

    return in_app(app, lambda: exchange_propose(
        proposer=_m(w.karim), counterpart=_m(w.amina), proposer_provides=False,
        terms=Terms("Papiers de la CAF", 120, on_date or TODAY, None)).id)


def agreed(app, w: World) -> int:
    from timebank.exchanges.models import Exchange
    from timebank.exchanges.proposals import exchange_accept

    eid = propose(app, w)
    in_app(app, lambda: exchange_accept(exchange=db.session.get(Exchange, eid), actor=_m(w.amina)))
    return eid


def done(app, w: World) -> int:
    from timebank.exchanges.completion import exchange_mark_done
    from timebank.exchanges.models import Exchange

    eid = agreed(app, w)
    in_app(app, lambda: exchange_mark_done(exchange=db.session.get(Exchange, eid), actor=_m(w.amina),
                                                   minutes=120))
    return eid


def completed_and_disputed(app, w: World) -> int:
    from timebank.exchanges.completion import exchange_confirm
    from timebank.exchanges.disputes import dispute_open
    from timebank.exchanges.models import Exchange

    eid = done(app, w)
    in_app(app, lambda: exchange_confirm(exchange=db.session.get(Exchange, eid), actor=_m(w.karim)))
    in_app(app, lambda: dispute_open(exchange=db.session.get(Exchange, eid), actor=_m(w.karim),
                                             reason="Nous avons fini au bout d'une heure."))
    return eid


def brokered(app, w: World, who: str) -> None:
    from timebank.coordination.services import member_set_brokered

    in_app(app, lambda: member_set_brokered(member=_m(w.people[who]), actor=_m(w.sandrine), brokered=True,
                                            reason="Demandé au téléphone"))


def group(app, w: World, *, joined: bool) -> int:
    from timebank.exchanges import groups

    sid = in_app(app, lambda: groups.group_create(
        provider=_m(w.amina), title="Atelier couture", description="", on_date=TODAY, at_time=None,
        share_minutes=90, max_participants=5).id)
    if joined:
        from timebank.exchanges.models import GroupSession

        in_app(app, lambda: groups.group_join(session=db.session.get(GroupSession, sid), member=_m(w.karim)))
    return sid


def donation(app, w: World) -> None:
    from timebank.giving.services import give_time

    in_app(app, lambda: give_time(giver=_m(w.karim), recipient=None, minutes=180, memo="", key=f"pot{w.n}"))


# What each sending is: who sends it, from which page (which renders the key), to which address, with what --------


@dataclass
class Sending:
    who: str
    page: str
    url: str
    data: dict


@dataclass
class Scenario:
    endpoint: str
    name: str
    prepare: object  # (app, world) -> Sending
    keyed: bool = True  # False: no key, the state of the thing refuses a second sending (409, nothing more)

    def __str__(self):
        return self.name


def _exchange_step(step, prepare_state, who, data=None, acting=None):
    def prepare(app, w):
        eid = prepare_state(app, w)
        if acting:
            brokered(app, w, acting)
        query = f"?for={w.people[acting].id}" if acting else ""
        return Sending(who, f"/exchanges/{eid}{query}", f"/exchanges/{eid}/{step}{query}", dict(data or {}))
    return prepare


def _give(app, w):
    return Sending("karim", "/give", "/give", {"to": str(w.amina.id), "hours": "1", "minutes": "30",
                                               "memo": "Dossier CAF", "category": "", "confirm": "yes"})


def _propose(app, w):
    url = f"/exchanges/new?member={w.amina.id}"
    return Sending("karim", url, url, {"role": "receive", "title": "Papiers", "hours": "2", "minutes": "0",
                                       "on_date": TODAY.isoformat()})


def _resolve(app, w):
    eid = completed_and_disputed(app, w)
    return Sending("sandrine", f"/exchanges/{eid}", f"/exchanges/{eid}/resolve",
                   {"resolution": "changed", "hours": "1", "minutes": "0", "reason": "Une heure, d'après vous deux."})


def _resolve_before_confirmation(app, w):
    from timebank.exchanges.disputes import dispute_open
    from timebank.exchanges.models import Exchange

    eid = done(app, w)
    in_app(app, lambda: dispute_open(exchange=db.session.get(Exchange, eid), actor=_m(w.karim),
                                             reason="Une heure seulement."))
    return Sending("sandrine", f"/exchanges/{eid}", f"/exchanges/{eid}/resolve",
                   {"resolution": "changed", "hours": "1", "minutes": "0", "reason": "Une heure."})


def _group_new(app, w):
    return Sending("amina", "/groups/new", "/groups/new", {
        "title": "Atelier couture", "on_date": TODAY.isoformat(), "hours": "1", "minutes": "30",
        "max_participants": "5"})


def _group_step(step, who, joined=True, remove=False):
    def prepare(app, w):
        sid = group(app, w, joined=joined)
        url = f"/groups/{sid}/remove/{w.karim.id}" if remove else f"/groups/{sid}/{step}"
        return Sending(who, f"/groups/{sid}", url, {})
    return prepare


def _record(app, w):
    brokered(app, w, "hawa")
    return Sending("sandrine", f"/coordination/members/{w.hawa.id}", f"/coordination/members/{w.hawa.id}/record",
                   {"provider": str(w.amina.id), "title": "Courses au marché", "hours": "1", "minutes": "30"})


def _approve(app, w):
    return Sending("sandrine", "/coordination/", f"/coordination/members/{w.nadia.id}/decide",
                   {"approve": "y", "message": ""})


def _suspend(app, w):
    agreed(app, w)  # Karim's 2 h are reserved: suspending him releases them
    return Sending("sandrine", f"/coordination/members/{w.karim.id}", f"/coordination/members/{w.karim.id}/status",
                   {"status-reason": "Plusieurs absences", "status-suspend": "y"})


def _leave(app, w):
    agreed(app, w)  # Karim's 2 h are reserved for Amina: his leaving releases them
    return Sending("karim", "/me/leave", "/me/leave", {"confirm": "y"})


def _erase_now(app, w):
    agreed(app, w)
    return Sending("sandrine", f"/coordination/members/{w.karim.id}/data",
                   f"/coordination/members/{w.karim.id}/erase", {"reason": "Demandé au téléphone", "confirm": "y"})


def _welcome(app, w):
    return Sending("claire", "/admin/", "/admin/welcome", {
        "welcome-member": str(w.amina.id), "welcome-hours": "2", "welcome-minutes": "0",
        "welcome-reason": "Bienvenue"}, )


def _grant(app, w):
    donation(app, w)
    return Sending("claire", "/admin/", "/admin/community-grant", {
        "grant-member": str(w.amina.id), "grant-hours": "2", "grant-minutes": "0", "grant-reason": "Fête de quartier"})


def partner_with_reward(app, w: World, *, booked: bool) -> tuple[int, int, int | None]:
    """Claire creates Les Tilleuls Habitat, Karim represents it and publishes the pool; Amina may have booked it."""
    from timebank.partners import rewards, services
    from timebank.partners.models import PartnerKind

    def work():
        claire = _m(w.claire)
        partner = services.partner_create(actor=claire, fields=services.PartnerFields(
            name=f"Les Tilleuls Habitat {w.n}", kind=PartnerKind.SOCIAL_LANDLORD, descriptions={}))
        services.partner_set_limits(actor=claire, partner=partner, floor=0, ceiling=6000, reason="Convention")
        services.representative_add(actor=claire, partner=partner, member=_m(w.karim), reason="Référent")
        reward = rewards.reward_create(actor=_m(w.karim), partner=partner, fields=rewards.RewardFields(
            title="Entrée piscine", description="", minutes=60, places=5))
        booking = rewards.reward_book(member=_m(w.amina), reward=reward, key=f"b{w.n}") if booked else None
        return partner.id, reward.id, booking.id if booking else None

    return in_app(app, work)


def _book(app, w):
    _pid, rid, _bid = partner_with_reward(app, w, booked=False)
    return Sending("amina", f"/partners/rewards/{rid}", f"/partners/rewards/{rid}/book", {})


def _cancel_booking(app, w):
    _pid, _rid, bid = partner_with_reward(app, w, booked=True)
    return Sending("amina", "/me/rewards", f"/me/rewards/{bid}/cancel", {})


def _decide(data):
    def prepare(app, w):
        pid, _rid, bid = partner_with_reward(app, w, booked=True)
        return Sending("karim", f"/partners/{pid}/manage", f"/partners/bookings/{bid}/decide", dict(data))
    return prepare


def _suspend_partner(app, w):
    pid, _rid, _bid = partner_with_reward(app, w, booked=True)  # Amina's hour is reserved: suspending releases it
    return Sending("claire", f"/admin/partners/{pid}", f"/admin/partners/{pid}/status",
                   {"status-reason": "Convention terminée", "status-suspend": "y"})


def project_with_hours(app, w: World) -> tuple[int, int]:
    """Karim represents Les Tilleuls Habitat (which may go 10 h below zero) and opens the garden; Amina says 2 h."""
    from timebank.partners.services import partner_set_limits
    from timebank.projects import hours, services

    from tests.factories import category_id

    pid, _rid, _bid = partner_with_reward(app, w, booked=False)

    def work():
        from timebank.partners.models import Partner

        partner = db.session.get(Partner, pid)
        partner_set_limits(actor=_m(w.claire), partner=partner, floor=-600, ceiling=6000, reason="Convention")
        project = services.project_open(actor=_m(w.karim), partner=partner, fields=services.ProjectFields(
            title="Jardin partagé", description="", goal_minutes=600), tasks=["Bêcher"],
            category_id=category_id("paperwork"))
        [task] = services.tasks_of(project)
        joined = services.task_join(member=_m(w.amina), task=task, shown=True)
        return project.id, hours.hours_state(member=_m(w.amina), participation=joined, minutes=120).id

    return in_app(app, work)


def _project_decide(data):
    def prepare(app, w):
        project_id, hours_id = project_with_hours(app, w)
        return Sending("karim", f"/projects/{project_id}", f"/projects/hours/{hours_id}/decide", dict(data))
    return prepare


def _withdraw_reward(app, w):
    pid, rid, _bid = partner_with_reward(app, w, booked=True)  # Amina's hour is reserved: withdrawing releases it
    return Sending("karim", f"/partners/{pid}/manage", f"/partners/rewards/{rid}/withdraw", {})


def partner_exchange(app, w: World, *, state: str) -> int:
    """Karim asks for help for Les Tilleuls Habitat, Amina answers (proposed); he accepts (agreed); she marks it
    done (done). Hawa, the partner's other representative, may act for it too."""
    from timebank.exchanges.completion import exchange_mark_done
    from timebank.exchanges.models import Exchange
    from timebank.exchanges.proposals import exchange_accept, exchange_propose
    from timebank.exchanges.steps import Terms
    from timebank.listings.models import Listing
    from timebank.partners.models import Partner

    pid, _rid, _bid = partner_with_reward(app, w, booked=False)

    def work():
        from timebank.partners import services

        partner = db.session.get(Partner, pid)
        services.partner_set_limits(actor=_m(w.claire), partner=partner, floor=-600, ceiling=6000, reason="Convention")
        services.representative_add(actor=_m(w.claire), partner=partner, member=_m(w.hawa), reason="Gardienne")
        return partner.id

    in_app(app, work)
    from tests.factories import publish

    lid = publish(app, w.karim, "Aider aux cartons", kind="request", category="paperwork", partner_id=pid)
    eid = in_app(app, lambda: exchange_propose(
        proposer=_m(w.amina), counterpart=_m(w.karim), proposer_provides=True, listing=db.session.get(Listing, lid),
        terms=Terms("Aider aux cartons", 120, TODAY, None)).id)
    if state in ("agreed", "done"):
        in_app(app, lambda: exchange_accept(exchange=db.session.get(Exchange, eid), actor=_m(w.karim)))
    if state == "done":
        in_app(app, lambda: exchange_mark_done(exchange=db.session.get(Exchange, eid), actor=_m(w.amina),
                                               minutes=120))
    return eid


def _partner_step(step, state, who, data=None):
    def prepare(app, w):
        eid = partner_exchange(app, w, state=state)
        return Sending(who, f"/exchanges/{eid}", f"/exchanges/{eid}/{step}", dict(data or {}))
    return prepare


SCENARIOS = [
    Scenario("ledger.give", "giving time", _give),
    Scenario("exchanges.new", "proposing an exchange", _propose),
    Scenario("exchanges.accept", "accepting", _exchange_step("accept", propose, "amina")),
    Scenario("exchanges.accept", "accepting, by a coordinator for a member", _exchange_step(
        "accept", propose, "sandrine", acting="amina")),
    Scenario("exchanges.counter", "suggesting another duration", _exchange_step(
        "counter", propose, "amina", {"hours": "1", "minutes": "0", "on_date": (TODAY + timedelta(days=1)).isoformat()})),
    Scenario("exchanges.decline", "declining", _exchange_step("decline", propose, "amina", {"reason": "Pas le temps"})),
    Scenario("exchanges.cancel", "cancelling", _exchange_step("cancel", agreed, "karim", {"reason": "Ma sœur m'aide"})),
    Scenario("exchanges.done", "marking done", _exchange_step("done", agreed, "amina", {"hours": "2", "minutes": "0"})),
    Scenario("exchanges.confirm", "confirming", _exchange_step("confirm", done, "karim")),
    Scenario("exchanges.confirm", "confirming, by a coordinator for a member", _exchange_step(
        "confirm", done, "sandrine", acting="karim")),
    Scenario("exchanges.dispute", "raising a disagreement", _exchange_step("dispute", done, "karim",
                                                                           {"reason": "Une heure seulement"})),
    Scenario("exchanges.resolve", "settling a disagreement after confirmation", _resolve),
    Scenario("exchanges.resolve", "settling a disagreement before confirmation", _resolve_before_confirmation),
    Scenario("exchanges.group_new", "announcing a group session", _group_new),
    Scenario("exchanges.group_join", "joining a group session", _group_step("join", "karim", joined=False)),
    Scenario("exchanges.group_leave", "leaving a group session", _group_step("leave", "karim")),
    Scenario("exchanges.group_remove", "removing a participant", _group_step("remove", "amina", remove=True)),
    Scenario("exchanges.group_complete", "confirming a group session", _group_step("complete", "amina")),
    Scenario("exchanges.group_cancel", "cancelling a group session", _group_step("cancel", "amina")),
    Scenario("coordination.record_exchange", "a coordinator recording an exchange", _record),
    Scenario("coordination.decide", "approving a member (welcome hours)", _approve, keyed=False),
    Scenario("coordination.change_status", "suspending a member (reserved hours released)", _suspend, keyed=False),
    Scenario("privacy.leave", "asking to leave (reserved hours released)", _leave, keyed=False),
    Scenario("privacy.erase_now", "erasing a member at once (reserved hours released)", _erase_now, keyed=False),
    Scenario("admin.welcome", "welcome hours", _welcome),
    Scenario("admin.community_grant", "hours from the community account", _grant),
    Scenario("partners.book", "booking a reward", _book),
    Scenario("partners.cancel", "cancelling a booking", _cancel_booking),
    Scenario("partners.decide", "a representative marking a booking used", _decide({"used": "y"})),
    Scenario("partners.decide", "a representative refusing a booking", _decide({"refuse": "y"})),
    Scenario("partners_admin.status", "suspending a partner (bookings released)", _suspend_partner),
    Scenario("projects.decide", "confirming a resident's hours for a project", _project_decide({"confirm": "y"})),
    Scenario("projects.decide", "declining a resident's hours for a project",
             _project_decide({"decline": "y", "reason": "Pas ce jour-là"})),
    Scenario("partners.reward_withdraw", "withdrawing a reward (bookings released)", _withdraw_reward),
    Scenario("exchanges.accept", "a representative agreeing for her partner", _partner_step("accept", "proposed",
                                                                                          "karim")),
    Scenario("exchanges.confirm", "another representative confirming for the partner", _partner_step(
        "confirm", "done", "hawa")),
]


# What people see ------------------------------------------------------------------------------------------------


def signed_in(app, resident: Resident):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, resident)
    return client


def balance_seen(app, resident: Resident) -> str:
    """The balance card of "My hours", as the person reads it (names left out: each world has its own)."""
    response = signed_in(app, resident).get("/me/hours")
    if response.status_code != 200:
        return f"no account ({response.status_code})"
    card = re.search(r'<section class="balance card".*?</section>', response.get_data(as_text=True), re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card)).strip()


def counts(app) -> dict[str, int]:
    from timebank.audit import AuditEntry
    from timebank.exchanges.models import Dispute, Exchange, ExchangeEvent, GroupParticipant, GroupSession
    from timebank.ledger.models import Transfer
    from timebank.ledger.services import community_account
    from timebank.notifications.models import Notification, OutboxMessage
    from timebank.partners.models import Booking

    with app.app_context():
        number = {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                  for model in (Exchange, ExchangeEvent, Dispute, Transfer, GroupSession, GroupParticipant,
                                Notification, OutboxMessage, AuditEntry, Booking)}
        for state in ("reserved", "used", "cancelled", "refused", "released"):
            number[f"bookings {state}"] = db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
                Booking.state == state))
        number["community account"] = community_account().posted
        number["reserved transfers"] = db.session.scalar(sa.select(sa.func.count()).select_from(Transfer).where(
            Transfer.state == "pending"))
        return number


def seen(app, w: World) -> dict[str, str]:
    return {name: balance_seen(app, resident) for name, resident in w.people.items()}


def _prefix(sending: Sending) -> str:
    """Forms that share a page name their fields "welcome-…", "grant-…"."""
    return next((name.split("-")[0] + "-" for name in sending.data if "-" in name), "")


def with_page_key(client, sending: Sending) -> dict:
    """The form's data with the key the page rendered into it, as the browser sends it."""
    name = f"{_prefix(sending)}key"
    html = client.get(sending.page).get_data(as_text=True)
    match = (re.search(rf'name="{name}"[^>]*value="([^"]+)"', html)
             or re.search(rf'value="([^"]+)"[^>]*name="{name}"', html))
    assert match, f"the page {sending.page} renders no key for the form of {sending.url}"
    return {**sending.data, name: match.group(1)}


def ledger_clean(app) -> None:
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output


def send(app, w: World, sending: Sending, times: int, *, at_once: bool, keyed: bool = True) -> list:
    """Send the form ``times`` times: from one browser in a row, or from as many browsers at the same instant."""
    resident = w.people[sending.who]
    first = signed_in(app, resident)
    data = with_page_key(first, sending) if keyed else sending.data
    if not at_once:
        return [first.post(sending.url, data=data) for _ in range(times)]
    clients = [first] + [signed_in(app, resident) for _ in range(times - 1)]
    start = threading.Barrier(times)
    responses: list = [None] * times

    def one(index):
        start.wait()
        responses[index] = clients[index].post(sending.url, data=data)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return responses


@pytest.mark.parametrize("at_once", [False, True], ids=["in a row", "at once"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_a_form_sent_twice_acts_once(app, people, scenario, at_once):
    once, twice = build_world(people, 1), build_world(people, 2)

    sending = scenario.prepare(app, once)
    before = counts(app)
    [single] = send(app, once, sending, 1, at_once=False, keyed=scenario.keyed)
    effect = {name: value - before[name] for name, value in counts(app).items()}
    assert single.status_code == 303, (scenario.name, single.status_code, text_of(single)[:500])
    assert any(effect.values()), f"{scenario.name}: the first sending did nothing"

    sending = scenario.prepare(app, twice)
    before = counts(app)
    responses = send(app, twice, sending, 2, at_once=at_once, keyed=scenario.keyed)
    assert all(r is not None and r.status_code < 500 for r in responses), scenario.name
    again = {name: value - before[name] for name, value in counts(app).items()}

    assert again == effect, scenario.name
    assert seen(app, twice) == seen(app, once), scenario.name
    statuses = sorted(r.status_code for r in responses)
    if scenario.keyed:  # the same form again answers as the first time (the first result), not with an error
        assert statuses == [303, 303], (scenario.name, [text_of(r)[:300] for r in responses])
    else:  # the second is told it is already done, and nothing more happens
        assert statuses == [303, 409], (scenario.name, [text_of(r)[:300] for r in responses])
    ledger_clean(app)
