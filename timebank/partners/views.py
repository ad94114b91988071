"""The partners' public pages, a resident's rewards, and a representative's page for her partner."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.errors import DomainError
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.partners import rewards as service
from timebank.partners.forms import BookForm, CancelBookingForm, DecideBookingForm, RewardForm, WithdrawRewardForm
from timebank.partners.models import Booking, Partner, Reward
from timebank.partners.access import partners_of, represents
from timebank.partners.services import partners
from timebank.security import member_required

bp = Blueprint("partners", __name__)


def _viewer():
    return current_user if current_user.is_authenticated else None


def _can_see(partner: Partner) -> bool:
    """A suspended partner is hidden, but from admins and its own representatives."""
    viewer = _viewer()
    return partner.is_active or (viewer is not None and viewer.is_active_member
                                 and (viewer.is_admin or represents(viewer, partner)))


def _partner_or_404(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None or not _can_see(partner):
        abort(404)
    return partner


def _reward_or_404(reward_id: int) -> Reward:
    reward = db.session.get(Reward, reward_id)
    if reward is None or not _can_see(reward.partner):
        abort(404)
    return reward


@bp.get("/partners")
def index():
    return render_template("partners/index.html", partners=partners())


@bp.get("/partners/<id:partner_id>")
def show(partner_id: int):
    from timebank.listings.services import partner_listings, today

    partner = _partner_or_404(partner_id)
    rewards = service.rewards_of(partner=partner)
    return render_template("partners/show.html", partner=partner, rewards=rewards,
                           left={reward.id: service.places_left(reward) for reward in rewards},
                           listings=partner_listings(partner=partner) if partner.is_active else [], today=today(),
                           representative=represents(_viewer(), partner))


def _reward_page(reward: Reward, status: int = 200, error: str | None = None):
    viewer = _viewer()
    mine = ([b for b in service.bookings_of_member(member=viewer) if b.reward_id == reward.id]
            if viewer is not None and viewer.is_active_member else [])
    account = ledger.account_of(viewer) if viewer is not None else None
    return render_template("partners/reward.html", reward=reward, partner=reward.partner, mine=mine,
                           left=service.places_left(reward), on=service.reward_is_on(reward),
                           balance=ledger.balance_of(account) if account is not None else None,
                           book_form=BookForm(), cancel_form=CancelBookingForm(), error=error), status


@bp.get("/partners/rewards/<id:reward_id>")
def reward(reward_id: int):
    return _reward_page(_reward_or_404(reward_id))


@bp.post("/partners/rewards/<id:reward_id>/book")
@member_required
def book(reward_id: int):
    item = _reward_or_404(reward_id)
    form = BookForm()
    if not form.validate_on_submit():
        return _reward_page(item, 422, _("Please send the form from the reward's page."))
    try:
        service.reward_book(member=current_user, reward=item, key=form.key.data)
    except DomainError as error:
        db.session.rollback()
        return _reward_page(db.session.get(Reward, reward_id), error.status_code, error.message)
    flash(_("It is booked: your hours are reserved until the partner marks it used."), "success")
    return redirect(url_for("partners.mine"), 303)


@bp.get("/me/rewards")
@member_required
def mine():
    return render_template("partners/mine.html", bookings=service.bookings_of_member(member=current_user),
                           cancel_form=CancelBookingForm(), represented=partners_of(current_user))


@bp.post("/me/rewards/<id:booking_id>/cancel")
@member_required
def cancel(booking_id: int):
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.member_id != current_user.id:
        abort(404)
    form = CancelBookingForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.booking_cancel(member=current_user, booking=booking, key=form.key.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_template("partners/mine.html", bookings=service.bookings_of_member(member=current_user),
                               cancel_form=CancelBookingForm(), represented=partners_of(current_user)), \
            error.status_code
    flash(_("Your booking is cancelled: your hours are released."), "success")
    return redirect(url_for("partners.mine"), 303)


# A representative's page ------------------------------------------------------------------------------------------


def _represented_or_403(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id) or abort(404)
    if not represents(current_user, partner):
        abort(403)
    return partner


def _manage_page(partner: Partner, form: RewardForm | None = None, status: int = 200, error: str | None = None):
    rewards = service.rewards_of(partner=partner, include_ended=True)
    return render_template("partners/manage.html", partner=partner, rewards=rewards, form=form or RewardForm(),
                           left={reward.id: service.places_left(reward) for reward in rewards},
                           bookings=service.bookings_of_partner(partner=partner), decide_form=DecideBookingForm(),
                           withdraw_form=WithdrawRewardForm(), balance=ledger.balance_of(partner.account), error=error), status


def _form_error(form, error: DomainError) -> None:
    field = {"minutes": "hours"}.get(error.field, error.field)
    target = form._fields.get(field or "")
    (target.errors.append(error.message) if target is not None and isinstance(target.errors, list)
     else form.form_errors.append(error.message))


def _reward_fields(form: RewardForm) -> service.RewardFields:
    return service.RewardFields(title=form.title.data, description=form.description.data or "",
                                minutes=form.total_minutes, places=form.places.data, starts_on=form.starts_on.data,
                                ends_on=form.ends_on.data)


@bp.route("/partners/<id:partner_id>/manage", methods=["GET", "POST"])
@member_required
def manage(partner_id: int):
    partner = _represented_or_403(partner_id)
    if request.method == "GET":
        return _manage_page(partner)
    form = RewardForm()
    if not form.validate_on_submit():
        return _manage_page(partner, form, 422)
    try:
        service.reward_create(actor=current_user, partner=partner, fields=_reward_fields(form))
    except DomainError as error:
        db.session.rollback()
        _form_error(form, error)
        return _manage_page(db.session.get(Partner, partner_id), form, error.status_code if error.status_code != 400
                            else 422)
    flash(_("The reward is published."), "success")
    return redirect(url_for("partners.manage", partner_id=partner_id), 303)


@bp.post("/partners/bookings/<id:booking_id>/decide")
@member_required
def decide(booking_id: int):
    booking = db.session.get(Booking, booking_id) or abort(404)
    partner = _represented_or_403(booking.reward.partner_id)
    form = DecideBookingForm()
    if not form.validate_on_submit() or not (form.used.data or form.refuse.data):
        return _manage_page(partner, status=422, error=_("Please send the form from the partner's page."))
    used = bool(form.used.data)
    try:
        service.booking_decide(actor=current_user, booking=booking, used=used, key=form.key.data)
    except DomainError as error:
        db.session.rollback()
        return _manage_page(db.session.get(Partner, partner.id), status=error.status_code, error=error.message)
    flash(_("Marked used: the hours went to the partner's account.") if used else
          _("Refused: the resident's hours are released."), "success")
    return redirect(url_for("partners.manage", partner_id=partner.id), 303)


def _represented_reward_or_403(reward_id: int) -> Reward:
    reward = db.session.get(Reward, reward_id) or abort(404)
    _represented_or_403(reward.partner_id)
    return reward


@bp.route("/partners/rewards/<id:reward_id>/edit", methods=["GET", "POST"])
@member_required
def reward_edit(reward_id: int):
    """A representative changes a reward (bookings already made keep their hours)."""
    item = _represented_reward_or_403(reward_id)
    form = RewardForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.hours.data, minutes = divmod(item.minutes, 60)
        form.minutes.data = str(minutes)
    status = 200
    if form.validate_on_submit():
        try:
            service.reward_update(actor=current_user, reward=item, fields=_reward_fields(form))
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
            status = error.status_code if error.status_code != 400 else 422
        else:
            flash(_("The reward is changed."), "success")
            return redirect(url_for("partners.manage", partner_id=item.partner_id), 303)
    elif request.method == "POST":
        status = 422
    item = db.session.get(Reward, reward_id)
    return render_template("partners/reward_edit.html", reward=item, partner=item.partner, form=form), status


@bp.post("/partners/rewards/<id:reward_id>/withdraw")
@member_required
def reward_withdraw(reward_id: int):
    """A representative withdraws a reward: its waiting bookings are released and the residents told."""
    item = _represented_reward_or_403(reward_id)
    form = WithdrawRewardForm()
    if not form.validate_on_submit():
        return _manage_page(item.partner, status=422, error=_("Please send the form from the partner's page."))
    try:
        service.reward_withdraw(actor=current_user, reward=item, key=form.key.data)
    except DomainError as error:
        db.session.rollback()
        partner = db.session.get(Partner, item.partner_id)
        return _manage_page(partner, status=error.status_code, error=error.message)
    flash(_("The reward is withdrawn: nobody can book it now, and the residents who had booked it have their "
            "hours back."), "success")
    return redirect(url_for("partners.manage", partner_id=item.partner_id), 303)
