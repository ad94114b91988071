"""My hours, my statement (page and CSV), and giving time."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from timebank.errors import DomainError
from timebank.csvfile import NUMBER, TEXT, csv_response, csv_text
from timebank.exports import hours_hmm
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.giving import services as giving
from timebank.ledger import services as ledger
from timebank.ledger.errors import IdempotencyConflict
from timebank.ledger.forms import COMMUNITY, GiveForm, new_key
from timebank.ledger.models import TransferKind
from timebank.members.models import Member, Status
from timebank.security import member_required

bp = Blueprint("ledger", __name__)


def _my_account():
    """The signed-in member's account; pending applicants have none yet."""
    account = ledger.account_of(current_user)
    if account is None:
        abort(Response(render_template("members/waiting.html"), 403))
    return account


@bp.get("/me/hours")
@login_required
def hours():
    account = _my_account()
    page = request.args.get("page", 1, type=int) or 1
    statement = ledger.statement(account=account, page=max(1, page))
    if statement.page > statement.pages:
        abort(404)
    return render_template(
        "ledger/hours.html",
        balance=ledger.balance_of(account),
        statement=statement,
        reservations=ledger.reservations(account=account),
        account=account,
    )


def kind_label(kind: TransferKind, received: bool) -> str:
    labels = {
        TransferKind.EXCHANGE: _("Exchange"),
        TransferKind.DIRECT: _("Time given") if not received else _("Time received"),
        TransferKind.DONATION: _("Donation to the community account"),
        TransferKind.GRANT: _("From the community account"),
        TransferKind.WELCOME: _("Welcome hours"),
        TransferKind.OPENING: _("Opening balance"),
        TransferKind.ADJUSTMENT: _("Correction"),
        TransferKind.REVERSAL: _("Cancellation"),
    }
    return labels[kind]


@bp.get("/me/hours.csv")
@login_required
def hours_csv():
    account = _my_account()
    header = [_("Date"), _("With"), _("What"), _("Details"), _("Minutes"), _("Hours (decimal)"), _("Hours"),
              _("Balance after (minutes)")]
    kinds = [TEXT, TEXT, TEXT, TEXT, NUMBER, NUMBER, NUMBER, NUMBER]
    rows = ([line.transfer.created_at.strftime("%Y-%m-%d %H:%M"), ledger.account_label(line.counterpart),
             kind_label(line.transfer.kind, line.minutes > 0), line.transfer.memo, line.minutes,
             f"{line.minutes / 60:.2f}", hours_hmm(line.minutes), line.balance_after]
            for line in ledger.statement_all(account=account))
    return csv_response(csv_text(header, kinds, rows), filename="my-hours.csv")


def _recipient_of(member_id: int) -> Member | None:
    """A member the signed-in member may give to: active, and not herself."""
    member = db.session.get(Member, member_id)
    ok = member is not None and member.id != current_user.id and member.status is Status.ACTIVE
    return member if ok else None


def _category_from(args) -> str | None:
    """The kind of service of the listing or exchange the gift comes from (``?listing=`` or ``?exchange=``)."""
    from timebank.exchanges.models import Exchange
    from timebank.listings.models import Listing

    for name, model in (("listing", Listing), ("exchange", Exchange)):
        value = args.get(name, "")
        if value.isascii() and value.isdigit() and len(value) < 10:
            thing = db.session.get(model, int(value))
            if thing is not None and thing.category_id:
                return str(thing.category_id)
    return None


def _give_page(form: GiveForm, status: int = 200, found=None):
    return render_template("ledger/give.html", form=form, found=found, chosen=form.recipient,
                           community=form.to.data == COMMUNITY), status


@bp.route("/give", methods=["GET", "POST"])
@member_required
def give():
    from timebank.listings.services import categories
    from timebank.members.search import members_find

    form = GiveForm(recipient_of=_recipient_of, categories=categories())
    if request.method == "GET":
        to = request.args.get("to", "")
        if to == COMMUNITY or (to.isascii() and to.isdigit() and len(to) < 10 and _recipient_of(int(to)) is not None):
            form.to.data = to
        form.category.data = _category_from(request.args) or form.category.data
        return _give_page(form)
    if form.find.data or (not form.to.data and (form.who.data or "").strip()):
        # The results step: the members found by what she typed, to choose from (works without JavaScript).
        typed = (form.who.data or "").strip()
        found = [m for m in members_find(text=typed, private=False, statuses=[Status.ACTIVE])
                 if m.id != current_user.id]
        hidden = _out_of_directory([m.id for m in found])
        # A member who left the directory is found by her member number only, never by her name.
        found = [m for m in found if m.id not in hidden or typed == str(m.number)]
        form.to.data = str(found[0].id) if len(found) == 1 else ""
        return _give_page(form, found=found)
    if not form.validate_on_submit():
        return _give_page(form, 422)
    if request.form.get("edit"):
        return _give_page(form)
    recipient = form.recipient
    minutes = form.total_minutes
    try:
        if form.confirm.data != "yes":
            after = giving.give_preview(giver=current_user, recipient=recipient, minutes=minutes,
                                        category_id=int(form.category.data) if form.category.data else None)
            return render_template("ledger/give_confirm.html", form=form, recipient=recipient, minutes=minutes,
                                   after=after)
        giving.give_time(giver=current_user, recipient=recipient, minutes=minutes, memo=form.memo.data or "",
                         key=form.key.data, category_id=int(form.category.data) if form.category.data else None)
    except DomainError as error:
        if isinstance(error, IdempotencyConflict):
            form.key.data = new_key()
        # Amount problems go next to the duration; the others above the form.
        (form.hours.errors if error.field == "minutes" else form.form_errors).append(error.message)
        return _give_page(form, error.status_code)
    if recipient is None:
        flash(_("Thank you! You gave %(amount)s to the community account.", amount=format_minutes(minutes)),
              "success")
    else:
        flash(_("You gave %(amount)s to %(name)s. They will be told.", amount=format_minutes(minutes),
                name=recipient.display_name), "success")
    return redirect(url_for("ledger.hours"), 303)


def _out_of_directory(ids: list[int]) -> set[int]:
    from timebank.privacy.models import withdrawn

    if not ids:
        return set()
    return set(db.session.scalars(withdrawn("directory")).all()) & set(ids)
