"""Browse and search listings, publish and edit one, pause or close it, report it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache, wraps

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from timebank.fastpaths import locale_code
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.listings import people, services, upkeep
from timebank.i18n import language_name
from timebank.listings.cards import PROJECTS, CardProject
from timebank.listings.forms import ListingForm, ReportForm, StatusForm
from timebank.listings.models import Listing, ListingStatus, ListingType
from timebank.members.models import Member
from timebank.security import member_required

bp = Blueprint("listings", __name__)


def browse_required(view):
    """Let through active members, and applicants waiting for approval who only look (see ``can_browse``)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from timebank.extensions import login_manager

            return login_manager.unauthorized()
        if not services.can_browse(current_user):
            return render_template("members/waiting.html"), 403
        return view(*args, **kwargs)

    return wrapped


def speaks_label(reader: services.Reader):
    """For the cards: "Speaks Arabic" when a listing is offered in one of the reader's less common languages."""
    locale = get_locale()
    said: dict[tuple[str, ...], str] = {}  # twenty cards a page share a few sentences

    def label(listing: Listing) -> str:
        codes = tuple(reader.speaks(listing))
        if not codes:
            return ""
        if codes not in said:
            names = [(locale.languages.get(code) if locale else None) or code for code in codes]
            said[codes] = _("Speaks %(languages)s", languages=", ".join(names))
        return said[codes]

    return label


def chosen_value(args, name: str, known) -> str:
    """A GET filter's value if it is one of ``known``, else nothing: a filter never refuses a page."""
    value = (args.get(name) or "").strip()
    return value if value in known else ""


@dataclass(frozen=True)
class Filters:
    """What the browse page was asked for, each value known or dropped (a filter never refuses a page)."""

    q: str = ""
    type: str = ""
    category: str = ""
    language: str = ""
    area: str = ""

    @classmethod
    def read(cls, args, *, categories) -> Filters:
        return cls(q=(args.get("q") or "")[:200],
                   type=chosen_value(args, "type", ("offer", "request")),
                   category=chosen_value(args, "category", {str(category.id) for category in categories}),
                   language=chosen_value(args, "language", current_app.config["TIMEBANK_SPOKEN_LANGUAGES"]),
                   area=chosen_value(args, "area", current_app.config["TIMEBANK_AREAS"]))


_LANGUAGE_CHOICES: dict[tuple, list[tuple[str, str]]] = {}


def language_choices() -> list[tuple[str, str]]:
    """The spoken languages as (code, name in the reader's language), by name; worked out once per language."""
    codes = tuple(current_app.config["TIMEBANK_SPOKEN_LANGUAGES"])
    key = (locale_code(), codes)
    if key not in _LANGUAGE_CHOICES:
        _LANGUAGE_CHOICES[key] = sorted(((code, language_name(code)) for code in codes),
                                        key=lambda choice: choice[1].casefold())
    return _LANGUAGE_CHOICES[key]


@bp.get("/listings")
@browse_required
def index():
    # A GET filter needs no form object: plain values, checked against what exists, and plain HTML.
    categories = services.open_categories()
    filters = Filters.read(request.args, categories=categories)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    reader = services.Reader.of(current_user)
    results = services.listings_search(
        reader=reader,
        q=filters.q,
        type=ListingType(filters.type) if filters.type else None,
        category_id=int(filters.category) if filters.category else None,
        language=filters.language or None,
        area=filters.area or None,
        page=page,
    )
    if page > results.pages:
        abort(404)
    args = {key: request.args[key] for key in ("q", "type", "category", "language", "area") if request.args.get(key)}
    return render_template("listings/index.html", filters=filters, results=results, args=args,
                           filtered=bool(args), today=services.today(), categories=categories,
                           speaks=speaks_label(reader), language_choices=language_choices(),
                           areas=current_app.config["TIMEBANK_AREAS"],
                           chosen_type=filters.type, chosen_category=filters.category)


@bp.get("/listings/print")
@member_required
def directory():
    """The open offers and requests on paper, for members who read on paper (coordinators print it)."""
    from flask import current_app

    area = request.args.get("area") if request.args.get("area") in current_app.config["TIMEBANK_AREAS"] else None
    listings = services.listings_directory(area=area)
    return render_template("listings/print.html", listings=listings, area=area,
                           capped=len(listings) == services.DIRECTORY_MAX,
                           areas=current_app.config["TIMEBANK_AREAS"], printed_on=services.today())


def _fields(form: ListingForm) -> services.ListingFields:
    return services.ListingFields(
        type=ListingType(form.type.data),
        title=form.title.data or "",
        description=form.description.data or "",
        category_id=int(form.category.data),
        tags=form.tags.data or "",
        languages=tuple(form.languages.data or ()),
        area=form.area.data or None,
        duration_minutes=int(form.duration.data) if form.duration.data else None,
        availability=form.availability.data or "",
        ends_on=form.ends_on.data,
        partner_id=form.partner_id,
    )


def _partners_of(member) -> list:
    """The active partners a member may publish for (the listing form offers them)."""
    from timebank.partners.access import partners_of

    return [partner for partner in partners_of(member) if partner.is_active]


def _show_error(form, error: DomainError):
    target = form._fields.get(error.field) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + [error.message]
    else:
        flash(error.message, "error")


@bp.route("/listings/new", methods=["GET", "POST"])
@member_required
def new():
    partners = _partners_of(current_user)
    form = ListingForm(categories=services.categories(), partners=partners)
    if request.method == "GET":
        if request.args.get("partner") in {str(partner.id) for partner in partners}:
            form.on_behalf.data = request.args["partner"]  # "Publish for Les Tilleuls Habitat" on the partner's page
        form.type.data = request.args.get("type") if request.args.get("type") in ("offer", "request") else None
        form.languages.data = current_user.language_codes
        form.area.data = current_user.area or ""
        if request.args.get("category", "").isdigit():
            form.category.data = request.args["category"]
    status = 200
    if form.validate_on_submit():
        try:
            listing = services.listing_create(author=current_user, fields=_fields(form), locale=locale_code())
        except DomainError as error:
            _show_error(form, error)
            status = error.status_code
        else:
            flash(_("Your listing is published."), "success")
            return redirect(url_for("listings.show", listing_id=listing.id, published=1), 303)
    elif request.method == "POST":
        status = 422
    return render_template("listings/new.html", form=form), status


def _listing_or_404(listing_id: int, statement=None) -> Listing:
    """The listing if the signed-in member may see it; ``statement`` (``_shown``) also says whether it is visible
    to everyone today, which spares ``listing_can_see`` a statement of its own."""
    visible = None
    if statement is not None:
        row = db.session.execute(statement, {"listing": listing_id}).unique().one_or_none()
        listing, visible, project_title = row if row is not None else (None, None, None)
        if listing is not None and listing.project_id is not None and project_title is not None:
            listing.project = CardProject(listing.project_id, project_title)  # what project_of gives the page
    else:
        listing = db.session.get(Listing, listing_id)
    if listing is None or not services.listing_can_see(listing, current_user, visible=visible):
        abort(404)
    return listing


@lru_cache(maxsize=4)
def _shown(on: date):
    """A listing as its page shows it, in one statement (the listing with its author, her languages, its category,
    its partner and its languages, whether everyone sees it on ``on``, and the title of the project it is a task
    of), not one lazy load each; built once a day. Joined rather than loaded by a second "select in" each: a
    listing and its author speak a few languages, and each further statement cost the ORM 0.3 ms."""
    project = PROJECTS
    project_title = (sa.select(project.c.title).where(project.c.id == Listing.project_id).scalar_subquery()
                     .label("project_title"))
    return (sa.select(Listing, services.visible_one(on).correlate(None).exists().label("visible"), project_title)
            .where(Listing.id == sa.bindparam("listing", type_=sa.Integer))
            .options(joinedload(Listing.member).joinedload(Member.languages), joinedload(Listing.category),
                     joinedload(Listing.partner), joinedload(Listing.languages)))


@bp.get("/listings/<id:listing_id>")
@browse_required
def show(listing_id: int):
    listing = _listing_or_404(listing_id, _shown(services.today()))
    can_edit = services.listing_can_edit(listing, current_user)
    # One's own listing, or one's partner's: others answer it.
    mine = listing.member_id == current_user.id or (listing.partner_id is not None and can_edit
                                                    and not current_user.is_coordinator)
    reader = services.Reader.of(current_user)
    matches = services.listing_matches(listing=listing, reader=reader) if mine else []
    return render_template(
        "listings/show.html", listing=listing, mine=mine, can_edit=can_edit, matches=matches,
        speaks=speaks_label(reader),
        published=request.args.get("published") == "1", status_form=StatusForm() if can_edit else None,
        today=services.today(),
        show_contact=people.can_see_contact(member=listing.member, viewer=current_user),
    )


@bp.route("/listings/<id:listing_id>/edit", methods=["GET", "POST"])
@member_required
def edit(listing_id: int):
    listing = _listing_or_404(listing_id)
    if not services.listing_can_edit(listing, current_user):
        abort(403)
    partners = _partners_of(current_user)
    if listing.partner is not None and listing.partner not in partners:
        partners.append(listing.partner)  # a coordinator moderating keeps it as it is
    form = ListingForm(obj=listing, categories=services.categories(), partners=partners)
    if request.method == "GET":
        form.on_behalf.data = str(listing.partner_id or "")
        form.type.data = listing.type.value
        form.category.data = str(listing.category_id)
        form.languages.data = listing.language_codes
        form.area.data = listing.area or ""
        form.duration.data = str(listing.duration_minutes or "")
    status = 200
    if form.validate_on_submit():
        try:
            services.listing_update(listing=listing, actor=current_user, fields=_fields(form),
                                    locale=locale_code())
        except DomainError as error:
            _show_error(form, error)
            status = error.status_code
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("listings.show", listing_id=listing.id), 303)
    elif request.method == "POST":
        status = 422
    return render_template("listings/edit.html", form=form, listing=listing), status


@bp.post("/listings/<id:listing_id>/status")
@member_required
def status(listing_id: int):
    listing = _listing_or_404(listing_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = (ListingStatus.PAUSED if form.pause.data else ListingStatus.OPEN if form.reopen.data
              else ListingStatus.CLOSED if form.close.data else None)
    if wanted is None:
        abort(400)
    services.listing_set_status(listing=listing, actor=current_user, status=wanted)
    messages = {ListingStatus.PAUSED: _("Your listing is paused: nobody sees it until you reopen it."),
                ListingStatus.OPEN: _("Your listing is open again."),
                ListingStatus.CLOSED: _("Your listing is closed.")}
    flash(messages[wanted], "success")
    return redirect(request.form.get("back") if request.form.get("back") == url_for("listings.mine")
                    else url_for("listings.show", listing_id=listing.id), 303)


@bp.get("/me/listings")
@member_required
def mine():
    return render_template("listings/mine.html", listings=services.member_listings(member=current_user,
                                                                                  viewer=current_user),
                           status_form=StatusForm(), today=services.today())


@bp.route("/listings/<id:listing_id>/report", methods=["GET", "POST"])
@member_required
def report(listing_id: int):
    listing = _listing_or_404(listing_id)
    return report_page(back=url_for("listings.show", listing_id=listing.id), listing=listing)


def report_page(*, back: str, **item):
    """Tell the coordinators about one ``listing``, ``member`` or ``message``; then go ``back``."""
    form = ReportForm()
    if form.validate_on_submit():
        upkeep.report_create(reporter=current_user, reason=form.reason.data, **item)
        flash(_("Thank you. A coordinator will look at it."), "success")
        return redirect(back, 303)
    status = 422 if request.method == "POST" else 200
    return render_template("listings/report.html", form=form, **{"listing": None, "member": None, "message": None,
                                                                 **item}), status
