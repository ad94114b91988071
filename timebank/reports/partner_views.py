"""A partner's own report, for its current representatives, coordinators and admins.

Whether someone represents the partner is asked on every request (``partners.access.represents``): a
representative who is removed loses the page at once.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from timebank.csvfile import csv_response, csv_text
from timebank.extensions import db
from timebank.partners.access import represents
from timebank.partners.models import Partner
from timebank.reports.forms import PeriodForm
from timebank.reports.partners import partner_figures
from timebank.reports.views import PARTNER_KINDS, formatting, partners_table, period_args, period_bounds, period_of
from timebank.security import member_required
from timebank.timeutil import utcnow

bp = Blueprint("partner_reports", __name__)
bp.context_processor(formatting)


def _partner_or_403(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id) or abort(404)
    if not (current_user.is_coordinator or represents(current_user, partner)):
        abort(403)
    return partner


def _figures(partner: Partner, form: PeriodForm):
    period = period_of(form)
    if period is None:
        return None, None
    start_at, end_at = period_bounds(period)
    return period, partner_figures(start_at=start_at, end_at=end_at, partner=partner)[0]


@bp.get("/partners/<id:partner_id>/report")
@member_required
def show(partner_id: int):
    partner = _partner_or_403(partner_id)
    form = PeriodForm(request.args, today=utcnow().date())
    period, figures = _figures(partner, form)
    if period is None:
        return render_template("reports/partner.html", partner=partner, form=form, figures=None), 400
    return render_template("reports/partner.html", partner=partner, form=form, period=period, figures=figures,
                           partner_rows=[figures], args=period_args(period))


@bp.get("/partners/<id:partner_id>/report.csv")
@member_required
def table_csv(partner_id: int):
    partner = _partner_or_403(partner_id)
    form = PeriodForm(request.args, today=utcnow().date())
    period, figures = _figures(partner, form)
    if period is None:
        reasons = [str(error) for errors in form.errors.values() for error in errors]
        return Response("\n".join(reasons) + "\n", status=400, content_type="text/plain; charset=utf-8")
    header, *rows = partners_table([figures])
    name = f"partner-{partner.id}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return csv_response(csv_text(header, PARTNER_KINDS, rows), filename=name)
