"""The members' directory and a member's page.

They show listings (and whether one blocked the member), so they live above the members; their routes join the
members blueprint, whose addresses and names they keep (members.directory, members.show, members.report).
The app factory imports this module before it registers that blueprint.
"""
from __future__ import annotations

from functools import cache

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from timebank.members.views import bp
from timebank.security import member_required


@bp.get("/members")
@member_required
def directory():
    # A GET filter needs no form object: plain values, checked against what exists, and plain HTML.
    from timebank.database import capped_pages
    from timebank.listings.people import DIRECTORY_COUNT_CAP, DIRECTORY_PER_PAGE, members_directory
    from timebank.listings.views import chosen_value, language_choices

    language = chosen_value(request.args, "language", current_app.config["TIMEBANK_SPOKEN_LANGUAGES"])
    area = chosen_value(request.args, "area", current_app.config["TIMEBANK_AREAS"])
    page = max(1, request.args.get("page", 1, type=int) or 1)
    members, total = members_directory(
        q=request.args.get("name", "")[:80], skill=request.args.get("skill", "")[:200], language=language or None,
        area=area or None, page=page, private=current_user.is_coordinator)
    pages = capped_pages(total, DIRECTORY_COUNT_CAP, DIRECTORY_PER_PAGE)
    if page > pages:
        abort(404)
    args = {key: request.args[key] for key in ("name", "skill", "language", "area") if request.args.get(key)}
    return render_template("members/directory.html", members=members, total=total, page=page, pages=pages,
                           cap=DIRECTORY_COUNT_CAP,
                           args=args, language=language, area=area, language_choices=language_choices(),
                           areas=current_app.config["TIMEBANK_AREAS"])


@cache
def _shown():
    """A member as her page shows her, with her languages (not a lazy load after); built once."""
    import sqlalchemy as sa
    from sqlalchemy.orm import joinedload

    from timebank.members.models import Member

    return (sa.select(Member).where(Member.id == sa.bindparam("member", type_=sa.Integer))
            .options(joinedload(Member.languages)))


def _member_or_404(member_id: int, statement=None):
    from timebank.extensions import db
    from timebank.members.models import Member

    member = (db.session.execute(statement, {"member": member_id}).unique().scalar_one_or_none()
              if statement is not None else db.session.get(Member, member_id))
    visible = member is not None and (member.is_active_member or current_user.is_coordinator)
    if not visible:
        abort(404)
    return member


@bp.get("/members/<id:member_id>")
@member_required
def show(member_id: int):
    from timebank.listings.people import can_see_contact
    from timebank.listings.services import member_listings, today

    from timebank.messages.services import has_blocked

    member = _member_or_404(member_id, _shown())
    return render_template(
        "members/show.html", member=member, listings=member_listings(member=member, viewer=current_user),
        show_contact=can_see_contact(member=member, viewer=current_user),
        today=today(), blocked=has_blocked(blocker=current_user, blocked=member))


@bp.route("/members/<id:member_id>/report", methods=["GET", "POST"])
@member_required
def report(member_id: int):
    from timebank.listings.views import report_page

    member = _member_or_404(member_id)
    return report_page(back=url_for("members.show", member_id=member.id), member=member)
