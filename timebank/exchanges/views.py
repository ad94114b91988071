"""My exchanges, proposing one, and every step of it; each view calls one service."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.coordination.acting import agent_role
from timebank.errors import DomainError
from timebank.exchanges.completion import exchange_confirm, exchange_mark_done
from timebank.exchanges.conversation import exchange_mark_read, exchange_write
from timebank.exchanges.disputes import (
    coordinators_concerned,
    dispute_latest,
    dispute_of,
    dispute_open,
    exchange_unpaid_extra,
)
from timebank.exchanges.forms import (
    CounterForm,
    DoneForm,
    MessageForm,
    ProposeForm,
    ReasonForm,
    ResolveForm,
    StepForm,
)
from timebank.exchanges.models import PROVIDER, RECIPIENT, DisputeResolution, Exchange
from timebank.exchanges.proposals import (
    check_not_oneself,
    exchange_accept,
    exchange_cancel,
    exchange_counter,
    exchange_decline,
    exchange_propose,
)
from timebank.exchanges.reading import (
    actions_for,
    exchange_as_shown,
    exchange_calendar,
    exchange_thread_read,
    my_exchanges,
)
from timebank.exchanges.resolution import dispute_resolve, dispute_reversal_room
from timebank.exchanges.steps import Terms
from timebank.extensions import db
from timebank.ledger.forms import new_key
from timebank.listings.models import Listing, ListingType
from timebank.listings.services import listing_can_see
from timebank.members.models import Member
from timebank.security import member_required
from timebank.timeutil import utcnow

bp = Blueprint("exchanges", __name__)


@bp.get("/exchanges")
@member_required
def index():
    return render_template("exchanges/index.html", groups=my_exchanges(member=current_user))


def _propose_target() -> tuple[Member, Listing | None]:
    listing = None
    wanted_listing, wanted_member = request.args.get("listing", ""), request.args.get("member", "")
    if wanted_listing.isascii() and wanted_listing.isdigit() and len(wanted_listing) < 10:
        listing = db.session.get(Listing, int(wanted_listing))
        if listing is None or not listing_can_see(listing, current_user):
            abort(404)
        return listing.member, listing
    if wanted_member.isascii() and wanted_member.isdigit() and len(wanted_member) < 10:
        member = db.session.get(Member, int(wanted_member))
        if member is None or not member.is_active_member:
            abort(404)
        return member, None
    abort(404)


@bp.route("/exchanges/new", methods=["GET", "POST"])
@member_required
def new():
    counterpart, listing = _propose_target()
    try:
        check_not_oneself(proposer=current_user, counterpart=counterpart, listing=listing)
    except DomainError as error:
        flash(error.message, "info")
        return redirect(url_for("listings.show", listing_id=listing.id) if listing
                        else url_for("members.show", member_id=counterpart.id))
    form = ProposeForm()
    if request.method == "GET":
        form.title.data = listing.title if listing else ""
        if listing is not None:
            # Answering an offer: they do it. Answering a request: I do it.
            form.role.data = "receive" if listing.type is ListingType.OFFER else "provide"
            if listing.duration_minutes:
                form.hours.data, minutes = divmod(listing.duration_minutes, 60)
                form.minutes.data = str(minutes)
    status = 200
    if form.validate_on_submit():
        try:
            exchange = exchange_propose(
                proposer=current_user, counterpart=counterpart, proposer_provides=form.role.data == "provide",
                listing=listing, message=form.message.data or "", key=form.key.data or None,
                terms=Terms(form.title.data, form.total_minutes, form.on_date.data, form.at_time.data))
        except DomainError as error:
            (form[error.field].errors.append(error.message) if error.field in ("title", "on_date")
             else form.hours.errors.append(error.message) if error.field == "minutes"
             else form.form_errors.append(error.message))
            status = error.status_code
        else:
            flash(_("Your proposal is sent to %(name)s.", name=exchange.party_name(exchange.turn_side)), "success")
            return redirect(url_for("exchanges.show", exchange_id=exchange.id), 303)
    elif request.method == "POST":
        status = 422
    return render_template("exchanges/new.html", form=form, counterpart=counterpart, listing=listing), status


# Steps a coordinator or a trusted helper may take for a party (?for=ID); not messages nor disagreements.
AGENT_ACTIONS = ("accept", "counter", "decline", "cancel", "done", "confirm")


def _exchange_or_404(exchange_id: int) -> Exchange:
    """The parties see their exchange; whoever may act for a party sees it too; coordinators see the ones that
    came to them (a disagreement, or one a coordinator recorded), not every exchange between neighbours."""
    return _may_see_or_404(db.session.get(Exchange, exchange_id))


def _may_see_or_404(exchange: Exchange | None) -> Exchange:
    if exchange is None:
        abort(404)
    if not (exchange.involves(current_user)
            or any(agent_role(current_user, party) for party in _own_parties(exchange))
            or (current_user.is_coordinator and coordinators_concerned(exchange))):
        abort(404)
    return exchange


def _own_parties(exchange: Exchange) -> list[Member]:
    """The parties who take part for themselves: someone may act for them (not for a partner's representative)."""
    return [exchange.party(side) for side in (PROVIDER, RECIPIENT) if side != exchange.partner_side]


def _principal(exchange: Exchange) -> Member | None:
    """The party the signed-in member acts for (``?for=ID``), or None when they act for themselves."""
    raw = request.args.get("for", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 \
            or int(raw) not in [party.id for party in _own_parties(exchange)]:
        abort(404)
    principal = db.session.get(Member, int(raw))
    if agent_role(current_user, principal) is None:
        abort(403)
    return principal


class _Lazy:
    """A form built the first time the page uses it: the page shows only the forms of the steps open now."""

    def __init__(self, build):
        self._build, self._form = build, None

    def __getattr__(self, name):
        if self._form is None:
            self._form = self._build()
        return getattr(self._form, name)


def _page(exchange: Exchange, status: int = 200, *, seen: int | None = None, disputed: bool | None = None,
          **forms):
    """The exchange's page; ``seen`` (how far the reader has read its thread, 0 for not at all) and ``disputed``
    (whether a disagreement is open), when read with the exchange, spare a statement each."""
    counter = forms.get("counter") or _Lazy(lambda: CounterForm(
        formdata=None, hours=exchange.minutes // 60, minutes=str(exchange.minutes % 60), on_date=exchange.on_date,
        at_time=exchange.at_time))
    done = forms.get("done") or _Lazy(lambda: DoneForm(formdata=None, hours=exchange.minutes // 60,
                                                       minutes=str(exchange.minutes % 60)))
    principal = _principal(exchange)
    if principal is not None:
        actions = [a for a in actions_for(exchange, principal) if a in AGENT_ACTIONS]
    else:
        actions = actions_for(exchange, current_user)
    if exchange.involves(current_user):
        exchange_mark_read(exchange=exchange, member=current_user, seen=seen)
    open_dispute = dispute_of(exchange) if disputed is None or disputed else None
    return Response(render_template(
        "exchanges/show.html", exchange=exchange, actions=actions, principal=principal,
        counter_form=counter, done_form=done, reason_form=forms.get("reason") or _Lazy(ReasonForm),
        message_form=forms.get("message") or _Lazy(MessageForm), step_form=_Lazy(StepForm), today=utcnow().date(),
        resolve_form=forms.get("resolve") or _Lazy(lambda: ResolveForm(formdata=None, hours=exchange.minutes // 60,
                                                                        minutes=str(exchange.minutes % 60))),
        dispute=open_dispute, error=forms.get("error"), form_key=new_key(),
        bound={name for name, form in forms.items() if form is not None and name != "error"},
        unpaid=exchange_unpaid_extra(exchange),
        reversal=dispute_reversal_room(open_dispute) if "resolve" in actions and open_dispute else None),
        status)


@bp.get("/exchanges/<id:exchange_id>")
@member_required
def show(exchange_id: int):
    shown = exchange_as_shown(exchange_id=exchange_id, reader=current_user)
    exchange, seen, disputed = shown if shown is not None else (None, 0, None)
    exchange_thread_read(_may_see_or_404(exchange))
    return _page(exchange, seen=seen, disputed=disputed)


def _step(exchange_id: int, form_class, action, success: str, form_name: str | None = None):
    """Run one step; ``action(exchange, form, actor, by)``, where ``by`` acts for ``actor`` (or is None)."""
    exchange = _exchange_or_404(exchange_id)
    principal = _principal(exchange)
    form = form_class()
    if not form.validate_on_submit():
        return _page(exchange, 422, **({form_name: form} if form_name else {}))
    try:
        if principal is not None:
            action(exchange, form, principal, current_user)
        else:
            action(exchange, form, current_user, None)
    except DomainError as error:
        db.session.rollback()
        return _page(db.session.get(Exchange, exchange_id), error.status_code, error=error.message,
                     **({form_name: form} if form_name else {}))
    flash(success, "success")
    act = {"for": principal.id} if principal is not None else {}
    return redirect(url_for("exchanges.show", exchange_id=exchange_id, **act), 303)


def _own(action):
    """A step only the parties take themselves (messages, disagreements, settling)."""
    def step(exchange, form, actor, by):
        if by is not None:
            abort(403)
        return action(exchange, form)

    return step


@bp.post("/exchanges/<id:exchange_id>/accept")
@member_required
def accept(exchange_id: int):
    return _step(exchange_id, StepForm, lambda e, f, actor, by: exchange_accept(
        exchange=e, actor=actor, by=by, key=f.key.data or None),
                 _("Agreed. The hours are reserved until the exchange is confirmed."))


@bp.post("/exchanges/<id:exchange_id>/counter")
@member_required
def counter(exchange_id: int):
    return _step(exchange_id, CounterForm, lambda e, f, actor, by: exchange_counter(
        exchange=e, actor=actor, minutes=f.total_minutes, on_date=f.on_date.data, at_time=f.at_time.data, by=by,
        key=f.key.data or None),
        _("Your suggestion is sent. The other person will answer."), "counter")


@bp.post("/exchanges/<id:exchange_id>/decline")
@member_required
def decline(exchange_id: int):
    return _step(exchange_id, ReasonForm, lambda e, f, actor, by: exchange_decline(
        exchange=e, actor=actor, message=f.reason.data or "", by=by, key=f.key.data or None),
        _("You declined this proposal."), "reason")


@bp.post("/exchanges/<id:exchange_id>/cancel")
@member_required
def cancel(exchange_id: int):
    return _step(exchange_id, ReasonForm, lambda e, f, actor, by: exchange_cancel(
        exchange=e, actor=actor, reason=f.reason.data or "", by=by, key=f.key.data or None),
        _("The exchange is cancelled."), "reason")


@bp.post("/exchanges/<id:exchange_id>/done")
@member_required
def done(exchange_id: int):
    return _step(exchange_id, DoneForm, lambda e, f, actor, by: exchange_mark_done(
        exchange=e, actor=actor, minutes=f.total_minutes, by=by, key=f.key.data or None),
        _("Thank you! The other person is asked to confirm."), "done")


@bp.post("/exchanges/<id:exchange_id>/confirm")
@member_required
def confirm(exchange_id: int):
    return _step(exchange_id, StepForm, lambda e, f, actor, by: exchange_confirm(
        exchange=e, actor=actor, by=by, key=f.key.data or None),
                 _("Confirmed. The hours have moved. Thank you!"))


@bp.post("/exchanges/<id:exchange_id>/messages")
@member_required
def write(exchange_id: int):
    return _step(exchange_id, MessageForm, _own(lambda e, f: exchange_write(
        exchange=e, author=current_user, body=f.body.data)), _("Your message is sent."), "message")


@bp.post("/exchanges/<id:exchange_id>/dispute")
@member_required
def dispute(exchange_id: int):
    return _step(exchange_id, ReasonForm, _own(lambda e, f: dispute_open(
        exchange=e, actor=current_user, reason=f.reason.data or "", key=f.key.data or None)),
        _("A coordinator will look at it and talk with you both. Until then, nothing moves."), "reason")


@bp.post("/exchanges/<id:exchange_id>/resolve")
@member_required
def resolve(exchange_id: int):
    if not current_user.is_coordinator:
        abort(403)

    def settle(exchange, form):
        # The open disagreement, or the one just settled (the same form sent again is answered, not refused).
        latest = dispute_of(exchange) or dispute_latest(exchange)
        if latest is None:
            from timebank.errors import InvalidTransition

            raise InvalidTransition(_("This disagreement has already been settled."))
        dispute_resolve(dispute=latest, actor=current_user,
                        resolution=DisputeResolution(form.resolution.data), reason=form.reason.data,
                        minutes=form.total_minutes, key=form.key.data or None,
                        shortfall=form.shortfall.data or None)

    return _step(exchange_id, ResolveForm, _own(settle), _("The disagreement is settled. Both people are told."),
                 "resolve")


@bp.get("/exchanges/<id:exchange_id>.ics")
@member_required
def calendar(exchange_id: int):
    """The agreed exchange as a calendar event, for the phone's calendar."""
    exchange = _exchange_or_404(exchange_id)
    if exchange.state.value not in ("agreed", "done", "disputed", "completed"):
        abort(404)
    body = exchange_calendar(exchange=exchange, viewer=current_user,
                             url=url_for("exchanges.show", exchange_id=exchange.id, _external=True))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="exchange-{exchange.id}.ics"'})
