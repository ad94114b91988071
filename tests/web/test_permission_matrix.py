"""Every route × every role: who may use it is declared here, and a route nobody declared fails the suite.

Each rule of ``app.url_map`` (but ``static``), for each of its methods, is asked by eight people:

    visitor      nobody signed in
    applicant    Nadia, whose application waits for approval
    member       Amina: party to the exchange, author of the listing, owner of the warning, …
    other        Omar, an active member party to none of Amina's things
    suspended    Sami, suspended by a coordinator
    helper       Hélène, whom Amina named as her trusted helper
    coordinator  Sandrine
    admin        Claire
    representative        Rachid, who represents Les Tilleuls Habitat (the partner of every <partner_id>)
    other_representative  Lucie, who represents the school

A representative is an active member like Omar wherever no partner is concerned: a declaration that does not name
the two representatives gives them Omar's answer.

Every ``<id>`` in an address is one of Amina's things (``tests/world.py`` builds them once per module): the
exchange Karim proposed to her, her listing, Karim's group session she joined, the message Karim sent her, her
report, her warning, Amina herself for ``<member_id>``. ``ARGS`` points a route at another thing where that is
what the route is about (the agreed exchange for its calendar file, the disputed one for a resolution…).

What each answer means (see ``classify``):

    OK      the route lets this person through: the page, a redirect that is not to the sign-in page, or the
            form's own answer (a POST here sends an empty form: 422, 400, or 409 when the step does not apply)
    LOGIN   a redirect to the sign-in page
    WAIT    403 with the "your application is waiting" / "your account is suspended" page
    403 404 that status (and, for a refusal, nothing was written: every row of every table is compared)

How to declare a new route: add its endpoint to ``EXPECTED`` below, starting from the closest preset
(``PUBLIC``, ``MEMBERS``, ``COORDINATORS``, ``ADMINS``) and overriding roles with ``|``, e.g.

    "invitations.revoke": ADMINS,
    "members.sign_out_everywhere": SIGNED_IN,
    "exchanges.accept": MEMBERS | {"other": 404},

A key ``"endpoint POST"`` declares one method only, where GET and POST differ. If the address has an ``<id>``
that should not be Amina's, say which thing in ``ARGS`` (keys of ``build_neighbourhood``'s ids, or a role's
member). A known wrong answer that needs a large fix goes in ``KNOWN_WRONG`` with the reason: the test then
expects it to fail (strict), and starts failing when it is fixed, so the mark cannot be forgotten.
"""
from __future__ import annotations

import os

import pytest

from tests.conftest import text_of
from tests.world import (REPRESENTATIVES, ROLES, Snapshot, address_of, build_neighbourhood, close, english_client,
                         module_app, routes, signed_in)

OK, LOGIN, WAIT = "OK", "LOGIN", "WAIT"


def access(**roles) -> dict[str, object]:
    return {role: OK for role in ROLES if role not in REPRESENTATIVES} | roles


PUBLIC = access()
SIGNED_IN = access(visitor=LOGIN)
MEMBERS = access(visitor=LOGIN, applicant=WAIT, suspended=WAIT)
COORDINATORS = access(visitor=LOGIN, applicant=403, member=403, other=403, suspended=403, helper=403)
ADMINS = COORDINATORS | {"coordinator": 403}
NOT_SIGNED_IN = access()  # sign-in and join pages: a signed-in member is sent home, which is OK too

# Amina's own things: Omar (other) does not find them.
AMINAS = MEMBERS | {"other": 404}

# Coordinators and admins see an exchange between neighbours only once it came to them (a disagreement, or one a
# coordinator recorded): Amina's exchange with Karim is not theirs to read.
NEIGHBOURS_EXCHANGE = AMINAS | {"coordinator": 404, "admin": 404}
# A step of Amina's exchange: Hélène, her helper, sees it but takes the step for Amina only with ?for=.
EXCHANGE_STEP = NEIGHBOURS_EXCHANGE | {"helper": 403}
# Only Karim, who organises the group session, confirms or cancels it.
KARIMS_SESSION = MEMBERS | {role: 403 for role in ("member", "other", "helper", "coordinator", "admin")}

# Rachid acts for Les Tilleuls Habitat; nobody else does, an admin included.
REPRESENTATIVE_ONLY = MEMBERS | {role: 403 for role in ("member", "other", "helper", "coordinator", "admin",
                                                        "other_representative")} | {"representative": OK}

# The garden Les Tilleuls Habitat sponsors: Rachid, coordinators and admins manage it; not the school's Lucie.
PROJECT_SPONSOR = MEMBERS | {role: 403 for role in ("member", "other", "helper", "other_representative")} | {
    "representative": OK}
# Amina's exchange with Karim is no partner's: a representative is a neighbour like Omar there (explicit rows, as
# every step of an exchange now asks whether someone acts for a partner).
NOT_THE_PARTNERS = {"representative": 404, "other_representative": 404}

EXPECTED: dict[str, dict[str, object]] = {
    # Anyone, signed in or not.
    "main.index": PUBLIC,
    "main.health": PUBLIC,
    # The installable app: its manifest, its service worker and the offline page hold nothing personal.
    "main.manifest": PUBLIC,
    "main.service_worker": PUBLIC,
    "main.offline": PUBLIC,
    "privacy.index": PUBLIC,  # what the association keeps, and why: for anyone, before joining too
    # Public; in this world the periodic jobs never ran, so monitoring is told 503 whoever asks.
    "main.health_ready": access(**{role: 503 for role in ROLES}),
    "main.logo": access(**{role: 404 for role in ROLES}),  # public; this world has no logo, hence 404 for all
    "members.login": NOT_SIGNED_IN,
    "members.register": NOT_SIGNED_IN,
    "members.logout": PUBLIC,
    "members.password_forgot": PUBLIC,
    "members.password_reset": PUBLIC,
    # Signing in with a code by text message: a signed-in person is sent home.
    "members.code_request": NOT_SIGNED_IN,
    "members.code_login": NOT_SIGNED_IN,
    # The SMS gateway's incoming texts: only with the gateway's token, which this world does not set.
    "members.sms_inbound": access(**{role: 404 for role in ROLES}),
    # Any signed-in person, whatever the state of the membership: one's account, not the community.
    "members.charter": SIGNED_IN,
    "members.change_password": SIGNED_IN,
    "members.sign_out_everywhere": SIGNED_IN,  # one's own other sessions, whatever the state of the membership
    "members.email_preferences": SIGNED_IN,  # a suspended member can still stop the e-mails
    "notifications.index": SIGNED_IN,  # a suspended member reads why their exchanges were cancelled
    "notifications.push_on": MEMBERS,  # phone notifications: for approved members
    "notifications.push_off": SIGNED_IN,  # a suspended member can still stop them
    # Her own data, whatever the state of the membership: see it, take it, withdraw an agreement, leave.
    "privacy.mine": SIGNED_IN,
    "privacy.consents": SIGNED_IN,
    "privacy.download": SIGNED_IN,
    "privacy.leave": SIGNED_IN,  # an empty form is refused (422): nobody leaves without ticking the box
    "privacy.come_back": SIGNED_IN,  # a suspended member reads why their exchanges were cancelled
    "members.profile": SIGNED_IN | {"suspended": WAIT},  # an applicant completes it while waiting
    "acting.warning": SIGNED_IN | {role: 404 for role in ("applicant", "other", "suspended", "helper",
                                                          "coordinator", "admin")},
    # A suspended member reads her statement and takes it away; an applicant has no account yet.
    "ledger.hours": SIGNED_IN | {"applicant": WAIT},
    "ledger.hours_csv": SIGNED_IN | {"applicant": WAIT},
    # Active members.
    # An applicant may look at the listings while she waits: read only, without names or contacts.
    "listings.index": MEMBERS | {"applicant": OK},
    "listings.directory": MEMBERS,
    "listings.new": MEMBERS | {"representative": OK, "other_representative": OK},  # "for myself" or "for <partner>"
    "listings.mine": MEMBERS,
    "listings.show": MEMBERS | {"applicant": OK, "representative": OK, "other_representative": OK},
    "listings.edit": MEMBERS | {"other": 403, "helper": 403, "representative": 403,  # the author, and coordinators
                               "other_representative": 403},  # (moderation); a partner's: its representatives
    "listings.status": MEMBERS | {"other": 403, "helper": 403, "representative": 403, "other_representative": 403},
    "listings.report": MEMBERS,
    "listings.report POST": MEMBERS | {"member": 403},  # not one's own listing (the form is shown, sending is refused)
    "members.directory": MEMBERS,
    "members.show": MEMBERS,
    "members.report": MEMBERS,
    "members.report POST": MEMBERS | {"member": 403},  # not oneself
    "messages.index": MEMBERS,
    "messages.conversation": MEMBERS | {"member": 404},  # not with oneself
    "messages.block": MEMBERS | {"member": 404},
    "messages.report": AMINAS | {"helper": 404, "coordinator": 404, "admin": 404},  # only the message received
    "ledger.give": MEMBERS,
    "acting.my_helper": MEMBERS,
    "acting.member": MEMBERS | {"member": 403, "other": 403, "coordinator": 403, "admin": 403},  # her helper only
    "exchanges.index": MEMBERS | {"representative": OK, "other_representative": OK},  # with her partner's
    "exchanges.new": MEMBERS | {"representative": OK, "other_representative": OK},
    "exchanges.show": NEIGHBOURS_EXCHANGE | NOT_THE_PARTNERS,
    "exchanges.calendar": NEIGHBOURS_EXCHANGE | NOT_THE_PARTNERS,
    "exchanges.accept": EXCHANGE_STEP | NOT_THE_PARTNERS,
    "exchanges.counter": EXCHANGE_STEP | NOT_THE_PARTNERS,
    "exchanges.decline": EXCHANGE_STEP | NOT_THE_PARTNERS,
    "exchanges.cancel": EXCHANGE_STEP | NOT_THE_PARTNERS,
    "exchanges.done": EXCHANGE_STEP | NOT_THE_PARTNERS | {"member": 403},  # Karim gives the service: he says when it is done
    "exchanges.confirm": EXCHANGE_STEP | NOT_THE_PARTNERS,
    "exchanges.write": EXCHANGE_STEP | NOT_THE_PARTNERS,
    "exchanges.dispute": EXCHANGE_STEP | NOT_THE_PARTNERS,
    # The disputed exchange: its parties may not settle it; coordinators may.
    "exchanges.resolve": MEMBERS | {"member": 403, "other": 403, "helper": 403},
    "exchanges.groups": MEMBERS,
    "exchanges.group_new": MEMBERS,
    "exchanges.group": MEMBERS,
    "exchanges.group_join": MEMBERS,
    "exchanges.group_leave": MEMBERS,
    "exchanges.group_remove": KARIMS_SESSION | {"member": OK},  # Amina may take herself off
    "exchanges.group_complete": KARIMS_SESSION,
    "exchanges.group_cancel": KARIMS_SESSION,
    # Coordinators (and admins).
    "coordination.index": COORDINATORS,
    "coordination.audit_log": COORDINATORS,
    "coordination.end_sessions": COORDINATORS,  # Amina lost her phone
    "coordination.member": COORDINATORS,
    "coordination.member_new": COORDINATORS,
    "coordination.decide": COORDINATORS,
    "coordination.decide_report": COORDINATORS,
    "coordination.add_note": COORDINATORS,
    "coordination.change_status": COORDINATORS,
    "coordination.change_limits": COORDINATORS,
    "coordination.change_brokered": COORDINATORS,
    "coordination.member_password": COORDINATORS,
    "coordination.welcome_sheet": COORDINATORS,  # printed again, the password unchanged
    "coordination.record_exchange": COORDINATORS,
    "coordination.orientation": COORDINATORS,
    "coordination.verify": COORDINATORS,
    "coordination.unverify": COORDINATORS,
    "coordination.warn": COORDINATORS,
    "coordination.helper": COORDINATORS,
    "privacy.member_data": COORDINATORS,
    "privacy.member_data_zip": COORDINATORS,  # audited
    "privacy.erase_now": COORDINATORS,  # an empty form is refused (422): a reason and a ticked box are needed
    "coordination.dispute_ask": COORDINATORS,
    # Only the party who did not raise the disagreement (Karim, here) writes her version; Amina raised it.
    "exchanges.dispute_version": MEMBERS | {"member": 403, "other": 404, "helper": 404, "coordinator": 404,
                                            "admin": 404},
    "reports.index": COORDINATORS,
    "reports.table_csv": COORDINATORS,
    # A partner's report: its current representative (Rachid), coordinators and admins; not the school's Lucie.
    "partner_reports.show": MEMBERS | {role: 403 for role in ("member", "other", "helper", "other_representative")}
    | {"representative": OK},
    "partner_reports.table_csv": MEMBERS | {role: 403 for role in ("member", "other", "helper",
                                                                   "other_representative")} | {"representative": OK},
    # Admins only.
    "admin.index": ADMINS,
    "admin.outbox": ADMINS,
    "admin.outbox_retry_view": ADMINS | {"admin": 404},  # this world has no failed message to send again
    "admin.welcome": ADMINS,
    "admin.community_grant": ADMINS,
    "admin.people": ADMINS,
    "admin.role": ADMINS,
    "admin.invitation": ADMINS,
    "admin.invitation_revoke_view": ADMINS,
    "admin.settings": ADMINS,
    "admin.logo": ADMINS,
    "admin.categories": ADMINS,
    "admin.category": ADMINS,
    "admin.category_step": ADMINS,
    "admin.exports": ADMINS,
    "admin.export_one": ADMINS,
    "admin.export_all": ADMINS,
    "admin.imports": ADMINS,
    "admin.import_confirm": ADMINS,
    "backup.index": ADMINS,
    "backup.download": ADMINS,
    # Partners: their pages are public; residents book rewards; only the partner's representatives act for it
    # (not an admin, not the school's representative); only admins create partners and name representatives.
    "partners.index": PUBLIC,
    "partners.show": PUBLIC | {"representative": OK, "other_representative": OK},  # with its requests and offers
    "partners.reward": PUBLIC,
    "partners.book": MEMBERS,
    "partners.mine": MEMBERS,
    "partners.cancel": AMINAS | {role: 404 for role in ("helper", "coordinator", "admin", *REPRESENTATIVES)},
    "partners.manage": REPRESENTATIVE_ONLY,
    "partners.decide": REPRESENTATIVE_ONLY,
    # A representative changes or withdraws her partner's reward (withdrawing releases its bookings).
    "partners.reward_edit": REPRESENTATIVE_ONLY | {"representative": OK, "other_representative": 403},
    "partners.reward_withdraw": REPRESENTATIVE_ONLY | {"representative": OK, "other_representative": 403},
    "partners_admin.index": ADMINS,
    "partners_admin.edit": ADMINS,
    "partners_admin.representative_add": ADMINS,
    "partners_admin.representative_remove": ADMINS,
    "partners_admin.limits": ADMINS,
    "partners_admin.status": ADMINS,
    # Projects: their pages are public; coordinators, admins and a partner's representatives open one (Lucie for
    # the school); only coordinators, admins and the sponsor's representative (Rachid, for Les Tilleuls Habitat's
    # garden) change, close it and decide its hours; active members join a task; Amina says her own hours.
    "projects.index": PUBLIC,
    "projects.show": PUBLIC,
    "projects.new": MEMBERS | {"member": 403, "other": 403, "helper": 403, "representative": OK,
                               "other_representative": OK},
    "projects.edit": PROJECT_SPONSOR,
    "projects.close": PROJECT_SPONSOR,
    "projects.decide": PROJECT_SPONSOR,
    "projects.join": MEMBERS | {"representative": OK, "other_representative": OK},
    "projects.hours": AMINAS | {role: 404 for role in ("helper", "coordinator", "admin", *REPRESENTATIVES)},
}

# Where an <id> should not be Amina's: argument → thing (an id of build_neighbourhood, "karim", or a role), and
# "?name" for a query argument.
ARGS: dict[str, dict[str, str]] = {
    "exchanges.calendar": {"exchange_id": "agreed"},  # a proposal has no date in a calendar yet
    "exchanges.resolve": {"exchange_id": "disputed"},
    "exchanges.dispute_version": {"exchange_id": "disputed"},
    "exchanges.new": {"?member": "karim"},
    "coordination.member_password": {"member_id": "offline"},  # members with an e-mail use the reset link
}

# A POST sends this form (the smallest that passes the form's own checks), so that a refusal by the service, not
# only by the page, is seen; other POSTs send an empty form.
FORMS: dict[str, dict[str, str]] = {
    "exchanges.write": {"body": "Hello"},
    "exchanges.counter": {"hours": "2", "minutes": "0", "on_date": "2099-01-01"},
    "exchanges.done": {"hours": "1", "minutes": "0"},
    "exchanges.dispute": {"reason": "It did not happen"},
    "exchanges.decline": {"reason": "Not this week"},
    "exchanges.cancel": {"reason": "Not this week"},
    "listings.status": {"pause": "y"},
    "listings.report": {"reason": "Rude words"},
    "members.report": {"reason": "Rude words"},
    "messages.report": {"reason": "Rude words"},
    "messages.conversation": {"body": "Hello"},
    "messages.block": {"block": "y"},
}

KNOWN_WRONG: dict[str, str] = {}

# Showing a page (an error page included) may note that its reader has read it: not a write of what was refused.
# Everyone signs back in after sessions were ended: their sign-ins are recorded (``sign_in``), not the refused act.
READ_MARKERS = {"exchange_read", "sign_in"}


# The routes --------------------------------------------------------------------------------------------------

ROUTES = routes()


def declared(endpoint: str, method: str) -> dict[str, object] | None:
    found = EXPECTED.get(f"{endpoint} {method}") or EXPECTED.get(endpoint)
    if found is None:
        return None
    return {**{role: found["other"] for role in REPRESENTATIVES if "other" in found}, **found}


def _param(endpoint, method, rule):
    marks = []
    reason = KNOWN_WRONG.get(f"{endpoint} {method}") or KNOWN_WRONG.get(endpoint)
    if reason:
        marks.append(pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(endpoint, method, rule, id=f"{method} {rule}", marks=marks)


# The world ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(migrated_database, tmp_path_factory):
    app = module_app(migrated_database, tmp_path_factory)
    built = build_neighbourhood(app)
    clients = {role: signed_in(app, resident) for role, resident in built["residents"].items()}
    clients["visitor"] = english_client(app)
    built.update(app=app, clients=clients, snapshot=Snapshot(app))
    yield built
    close(app)


def address(world, endpoint: str, rule: str) -> str:
    return address_of(world, endpoint, rule, ARGS.get(endpoint, {}))


def classify(response) -> object:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login" in location:
        return LOGIN
    if response.status_code == 403 and ("Your application" in text_of(response)
                                        or "Your account is suspended" in text_of(response)):
        return WAIT
    if response.status_code in (403, 404, 405) or response.status_code >= 500:
        return response.status_code
    return OK


def ask(world, role: str, method: str, url: str, form: dict):
    client = world["clients"][role]
    response = client.get(url) if method == "GET" else client.open(url, method=method, data=form)
    response.get_data()  # a streamed download is read to its end and closed, as a browser would, before the next
    response.close()     # person asks (its request context would otherwise still hold the previous session)
    if url in ("/logout", "/me/sign-out-everywhere") or url.endswith("/sessions"):
        # Sessions ended (one's own, or Amina's by a coordinator): everyone signs back in for the next route.
        for name, resident in world["residents"].items():
            world["clients"][name] = signed_in(world["app"], resident)
    return response


# The tests ---------------------------------------------------------------------------------------------------

def test_every_route_is_declared():
    missing = [f"{method} {rule} ({endpoint})" for endpoint, method, rule in ROUTES if declared(endpoint, method) is None]
    assert not missing, ("these routes say nowhere who may use them; declare each in EXPECTED in "
                         f"tests/web/test_permission_matrix.py: {', '.join(missing)}")


@pytest.mark.parametrize("endpoint,method,rule", [_param(*route) for route in ROUTES])
def test_each_role_gets_the_declared_answer(world, endpoint, method, rule):
    expected = declared(endpoint, method)
    if expected is None and not os.environ.get("TIMEBANK_MATRIX_DISCOVER"):
        pytest.fail(f"{method} {rule}: declare who may use {endpoint!r} in EXPECTED in "
                    "tests/web/test_permission_matrix.py")
    url = address(world, endpoint, rule)
    snapshot: Snapshot = world["snapshot"]
    answers, wrong = {}, []
    for role in ROLES:
        response = ask(world, role, method, url, FORMS.get(endpoint, {}))
        answer = answers[role] = classify(response)
        want = (expected or {}).get(role)
        changed = snapshot.changes()  # a page that was let through may note "read"; undone before the next role
        if want is not None and answer != want:
            wrong.append(f"{role}: expected {want}, got {answer} ({response.status_code})")
        elif want is not None and want != OK and set(changed) - READ_MARKERS:
            wrong.append(f"{role}: refused ({answer}) but wrote to {', '.join(changed)}")
        if isinstance(answer, int) and answer >= 500 and answer != want:
            wrong.append(f"{role}: server error {response.status_code}")
        if changed:
            snapshot.restore(changed)
    if os.environ.get("TIMEBANK_MATRIX_DISCOVER"):
        print(f"\nMATRIX {endpoint} {method} " + " ".join(f"{r}={a}" for r, a in answers.items()))
    assert not wrong, f"{method} {url} ({endpoint}):\n  " + "\n  ".join(wrong)
