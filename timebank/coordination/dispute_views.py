"""Disagreements heard from both sides: the coordinator asks (a coordination page), the other party answers (joins
the exchanges blueprint, beside the exchange); the decision itself stays on the exchange's page."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from timebank.coordination.disputes import dispute_version_ask, dispute_version_give
from timebank.coordination.forms import VersionAskForm, VersionForm
from timebank.coordination.views import bp
from timebank.errors import DomainError
from timebank.exchanges.views import bp as exchanges_bp
from timebank.exchanges.models import Dispute
from timebank.extensions import db
from timebank.security import coordinator_required, member_required


@bp.post("/disputes/<id:dispute_id>/ask")
@coordinator_required
def dispute_ask(dispute_id: int):
    dispute = db.session.get(Dispute, dispute_id) or abort(404)
    if not VersionAskForm().validate_on_submit():
        abort(400)
    try:
        dispute_version_ask(dispute=dispute, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("exchanges.show", exchange_id=dispute.exchange_id), 303)
    flash(_("%(name)s is asked for their version, in the app and by message.",
            name=dispute.other_name), "success")
    return redirect(url_for("exchanges.show", exchange_id=dispute.exchange_id), 303)


@exchanges_bp.route("/exchanges/<id:exchange_id>/version", methods=["GET", "POST"])
@member_required
def dispute_version(exchange_id: int):
    """The other party's page: what the other person said, and where to write their own version."""
    from timebank.exchanges.disputes import dispute_of
    from timebank.exchanges.models import Exchange

    exchange = db.session.get(Exchange, exchange_id) or abort(404)
    dispute = dispute_of(exchange) or abort(404)
    if not dispute.gives_version(current_user):
        abort(403 if exchange.involves(current_user) else 404)
    form = VersionForm()
    if form.validate_on_submit():
        try:
            dispute_version_give(dispute=dispute, actor=current_user, text=form.version.data)
        except DomainError as error:
            db.session.rollback()
            form.version.errors = [error.message]
            return render_template("coordination/dispute_version.html", dispute=dispute, form=form), \
                error.status_code
        flash(_("Thank you. The coordinator will read your version before deciding."), "success")
        return redirect(url_for("exchanges.show", exchange_id=dispute.exchange_id), 303)
    if not form.is_submitted() and dispute.version:
        form.version.data = dispute.version
    return render_template("coordination/dispute_version.html", dispute=dispute, form=form), \
        422 if form.is_submitted() else 200
