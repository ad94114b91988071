"""The impact report: one page with charts and tables for coordinators and admins, each table also as CSV."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from timebank.csvfile import NUMBER, TEXT, csv_response, csv_text
from timebank.exports import hours_decimal, hours_hmm
from timebank.i18n import format_minutes, text_direction
from timebank.reports import charts
from timebank.reports.forms import PeriodForm
from timebank.reports.partners import PartnerFigures, partner_figures
from timebank.reports.periods import InvalidPeriod, Period, report_period
from timebank.reports.services import SMALL_GROUP, BalanceBand, CategoryFigures, ImpactReport, People, impact_report
from timebank.security import coordinator_required
from timebank.timeutil import utcnow

bp = Blueprint("reports", __name__, url_prefix="/admin/reports")


# The period asked for ------------------------------------------------------------------------


def _number(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def period_of(form: PeriodForm) -> Period | None:
    """The period the form asks for; None, with the reason next to the field at fault, if there is none."""
    if not form.validate():
        return None
    try:
        return report_period(kind=form.period.data, year=form.year.data, quarter=_number(form.quarter.data),
                             month=_number(form.month.data), start=form.start.data, end=form.end.data)
    except InvalidPeriod as error:
        field = form._fields.get(error.field) or form.period
        field.errors = [*field.errors, error.message]
        return None


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as a half-open range of times: from its first day's midnight to the midnight after its last."""
    return datetime.combine(period.start, time.min), datetime.combine(period.end + timedelta(days=1), time.min)


def period_args(period: Period) -> dict:
    """The address's arguments that ask for this period again (for the CSV links)."""
    if period.kind == "custom":
        return {"period": "custom", "start": period.start.isoformat(), "end": period.end.isoformat()}
    args = {"period": period.kind, "year": period.year}
    if period.quarter:
        args["quarter"] = period.quarter
    if period.month:
        args["month"] = period.month
    return args


# How figures read ----------------------------------------------------------------------------


def people_text(people: People) -> str:
    """A count of people, or "< 5" when it is small enough to point at someone."""
    return _("< %(num)s", num=SMALL_GROUP) if people.hidden else format_decimal(people.count)


def share_text(share: float | None) -> str:
    return "—" if share is None else format_percent(share)


def category_name(figures: CategoryFigures) -> str:
    if figures.category is None:
        return _("Not said")
    return figures.category.name(str(get_locale()))


def band_label(band: BalanceBand) -> str:
    if band.low is None:
        return _("Less than %(amount)s", amount=format_minutes(band.high + 1))
    if band.high is None:
        return _("More than %(amount)s", amount=format_minutes(band.low - 1))
    if band.low < 0 < band.high:
        return _("Less than %(amount)s either way", amount=format_minutes(band.high + 1))
    return _("From %(low)s to %(high)s", low=format_minutes(band.low), high=format_minutes(band.high))


@dataclass(frozen=True)
class Figure:
    label: str
    kind: str  # hours, count, people or share
    value: object

    @property
    def text(self) -> str:
        if self.kind == "hours":
            return format_minutes(self.value)
        if self.kind == "people":
            return people_text(self.value)
        if self.kind == "share":
            return share_text(self.value)
        return format_decimal(self.value)


def key_figures(report: ImpactReport) -> list[Figure]:
    return [
        Figure(_("Hours exchanged"), "hours", report.minutes),
        Figure(_("Exchanges"), "count", report.exchanges),
        Figure(_("Members who gave or received a service"), "people", report.active_members),
        Figure(_("Members who both gave and received"), "people", report.reciprocal_members),
        Figure(_("Share of active members who both gave and received"), "share", report.reciprocal_share),
        Figure(_("New members"), "people", report.new_members),
        Figure(_("Hours given to the community account"), "hours", report.to_community_minutes),
        Figure(_("Hours given from the community account"), "hours", report.from_community_minutes),
        Figure(_("Requests published"), "count", report.requests),
        Figure(_("Requests that found no answer"), "count", report.unanswered_requests),
        Figure(_("Exchanges brokered by coordinators"), "count", report.brokered_exchanges),
        Figure(_("Share of exchanges brokered by coordinators"), "share", report.brokered_share),
        Figure(_("Disagreements opened"), "count", report.disputes_opened),
        Figure(_("Disagreements resolved"), "count", report.disputes_resolved),
    ]


# Charts ---------------------------------------------------------------------------------------


def _hours(minutes: int) -> str:
    return format_decimal(round(minutes / 60, 1))


def report_charts(report: ImpactReport) -> dict[str, charts.Chart]:
    rtl = text_direction() == "rtl"
    month_format = "MMM" if report.start.year == report.end.year else "MMM yy"
    hours = [charts.Point(label=format_date(m.month, month_format), value=m.minutes / 60, text=_hours(m.minutes),
                          title=_("%(month)s: %(amount)s", month=format_date(m.month, "MMMM y"),
                                  amount=format_minutes(m.minutes)))
             for m in report.months]
    active = [charts.Point(label=format_date(m.month, month_format),
                           value=SMALL_GROUP if m.active_members.hidden else m.active_members.count,
                           text=people_text(m.active_members), hidden=m.active_members.hidden,
                           title=ngettext("%(month)s: %(people)s active member", "%(month)s: %(people)s active members",
                                          SMALL_GROUP if m.active_members.hidden else m.active_members.count,
                                          month=format_date(m.month, "MMMM y"), people=people_text(m.active_members)))
              for m in report.months]
    categories = [charts.Point(label=category_name(c), value=c.minutes / 60, text=format_minutes(c.minutes),
                               title=_("%(category)s: %(amount)s", category=category_name(c),
                                       amount=format_minutes(c.minutes)))
                  for c in report.categories]
    balances = [charts.Point(label=band_label(b), value=SMALL_GROUP if b.members.hidden else b.members.count,
                             text=people_text(b.members), hidden=b.members.hidden,
                             title=ngettext("%(band)s: %(people)s member", "%(band)s: %(people)s members",
                                            SMALL_GROUP if b.members.hidden else b.members.count,
                                            band=band_label(b), people=people_text(b.members)))
                for b in report.balances]
    return {
        "hours": charts.columns(hours, rtl=rtl, fmt=format_decimal),
        "active": charts.line(active, rtl=rtl, fmt=format_decimal),
        "categories": charts.bars(categories, rtl=rtl),
        "balances": charts.bars(balances, rtl=rtl),
    }


# CSV tables ----------------------------------------------------------------------------------


def _people_cell(people: People) -> str:
    return _("< %(num)s", num=SMALL_GROUP) if people.hidden else str(people.count)


def _months_table(report: ImpactReport) -> list[list]:
    rows = [[_("Month"), _("Exchanges"), _("Hours (decimal)"), _("Hours (h:mm)"), _("Active members"),
             _("New members")]]
    for m in report.months:
        rows.append([m.month.strftime("%Y-%m"), m.exchanges, hours_decimal(m.minutes), hours_hmm(m.minutes),
                     _people_cell(m.active_members), _people_cell(m.new_members)])
    rows.append([_("Whole period"), report.exchanges, hours_decimal(report.minutes),
                 hours_hmm(report.minutes), _people_cell(report.active_members), _people_cell(report.new_members)])
    return rows


def _categories_table(report: ImpactReport) -> list[list]:
    rows = [[_("Category"), _("Exchanges"), _("Hours (decimal)"), _("Hours (h:mm)"), _("Members taking part")]]
    for c in report.categories:
        rows.append([category_name(c), c.exchanges, hours_decimal(c.minutes), hours_hmm(c.minutes),
                     _people_cell(c.members)])
    return rows


def _balances_table(report: ImpactReport) -> list[list]:
    rows = [[_("Balance at the end of the period"), _("Members")]]
    for band in report.balances:
        rows.append([band_label(band), _people_cell(band.members)])
    return rows


def _summary_table(report: ImpactReport) -> list[list]:
    rows = [[_("Figure"), _("Number"), _("Hours (decimal)"), _("Hours (h:mm)")]]
    for figure in key_figures(report):
        if figure.kind == "hours":
            rows.append([figure.label, "", hours_decimal(figure.value), hours_hmm(figure.value)])
        elif figure.kind == "people":
            rows.append([figure.label, _people_cell(figure.value), "", ""])
        elif figure.kind == "share":
            rows.append([figure.label, "" if figure.value is None else f"{figure.value * 100:.1f}%", "", ""])
        else:
            rows.append([figure.label, figure.value, "", ""])
    return rows


def active_partners(period: Period) -> list[PartnerFigures]:
    start_at, end_at = period_bounds(period)
    return [row for row in partner_figures(start_at=start_at, end_at=end_at) if row.active]


def partners_table(rows: list[PartnerFigures]) -> list[list]:
    table = [[_("Partner"), _("Hours given to the partner (decimal)"), _("Hours given by the partner (decimal)"),
              _("Rewards used"), _("Hours spent on rewards (decimal)"), _("Residents reached")]]
    for row in rows:
        table.append([row.partner.name, hours_decimal(row.to_minutes), hours_decimal(row.by_minutes), row.rewards_used,
                      hours_decimal(row.reward_minutes), _people_cell(row.residents)])
    return table


PARTNER_KINDS = [TEXT, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER]


def projects_table(rows) -> list[list]:
    table = [[_("Project"), _("Hours (decimal)"), _("People taking part")]]
    for row in rows:
        table.append([row.title, hours_decimal(row.minutes), _people_cell(row.people)])
    return table


PROJECT_KINDS = [TEXT, NUMBER, NUMBER]
TABLES = {"months": _months_table, "categories": _categories_table, "balances": _balances_table,
          "summary": _summary_table}
# The kind of each column: a figure stays a number in the spreadsheet, any text is kept from being a formula.
KINDS = {"months": [TEXT, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER],
         "categories": [TEXT, NUMBER, NUMBER, NUMBER, NUMBER],
         "balances": [TEXT, NUMBER],
         "summary": [TEXT, NUMBER, NUMBER, NUMBER]}


# Pages ---------------------------------------------------------------------------------------


@bp.context_processor
def formatting():
    return {"people": people_text, "number": format_decimal, "category_name": category_name,
            "band_label": band_label}


@bp.get("/")
@coordinator_required
def index():
    form = PeriodForm(request.args, today=utcnow().date())
    period = period_of(form)
    if period is None:
        return render_template("reports/index.html", form=form, report=None), 400
    report = impact_report(start=period.start, end=period.end)
    from timebank.projects.report import project_figures

    partner_rows = active_partners(period)
    return render_template("reports/index.html", form=form, report=report, figures=key_figures(report),
                           charts=report_charts(report), args=period_args(period), partner_rows=partner_rows,
                           partners_csv=url_for("reports.table_csv", table="partners", **period_args(period)),
                           projects=project_figures(start=period.start, end=period.end),
                           projects_csv=url_for("reports.table_csv", table="projects", **period_args(period)))


@bp.get("/<any(months, categories, balances, summary, partners, projects):table>.csv")
@coordinator_required
def table_csv(table: str):
    form = PeriodForm(request.args, today=utcnow().date())
    period = period_of(form)
    if period is None:
        reasons = [str(error) for errors in form.errors.values() for error in errors]
        return Response("\n".join(reasons) + "\n", status=400, content_type="text/plain; charset=utf-8")
    if table == "partners":
        header, *rows = partners_table(active_partners(period))
        kinds = PARTNER_KINDS
    elif table == "projects":
        from timebank.projects.report import project_figures

        header, *rows = projects_table(project_figures(start=period.start, end=period.end))
        kinds = PROJECT_KINDS
    else:
        header, *rows = TABLES[table](impact_report(start=period.start, end=period.end))
        kinds = KINDS[table]
    name = f"impact-{table}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return csv_response(csv_text(header, kinds, rows), filename=name)
