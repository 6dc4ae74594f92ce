"""The executive dashboard and its CSV exports."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import charts
from analytics.selectors.dashboard import (
    CACHE_SECONDS,
    Dashboard,
    DashboardState,
    at_risk,
    dashboard,
    dashboard_cache_key,
)
from analytics.selectors.filters import DashboardFilterForm
from analytics.texts import churn_reason
from prm.csv_safe import csv_response
from prm.tenancy.access import program_wide, staff_required
from prm.tenancy.views import render_error


def chart_context(d: Dashboard, currency: str) -> dict:
    """The dashboard's charts (analytics.charts), one per section that has one."""
    if d.run is None:
        return {}
    pipeline, won = _("Open pipeline"), _("Won in the period")
    weeks = [charts.day_label(t["date"]) for t in d.trends]
    week_of = _("Week of")
    return {
        "status": charts.bar_chart([str(label) for _v, label, _n in d.status_counts],
                                   [(_("Partners"), [n for _v, _l, n in d.status_counts])],
                                   title=_("Partners by status"), value_title=_("Partners")),
        "attribution": charts.bar_chart([str(a["label"]) for a in d.attribution],
                                        [(_("Won revenue"), [a["revenue"] for a in d.attribution])],
                                        title=_("Won revenue by partner role"), value_title=currency, fmt="money",
                                        currency=currency),
        "tiers": charts.bar_chart([s.label for s in d.by_tier],
                                  [(pipeline, [s.pipeline for s in d.by_tier]), (won, [s.won for s in d.by_tier])],
                                  title=_("Pipeline and won revenue by tier"), value_title=currency, fmt="money",
                                  currency=currency),
        "types": charts.bar_chart([s.label for s in d.by_type],
                                  [(pipeline, [s.pipeline for s in d.by_type]), (won, [s.won for s in d.by_type])],
                                  title=_("Pipeline and won revenue by type"), value_title=currency, fmt="money",
                                  currency=currency),
        "funnel": charts.bar_chart([str(p["path"]) for p in d.funnel],
                                   [(_("Started"), [p["started"] for p in d.funnel]),
                                    (_("Finished"), [p["finished"] for p in d.funnel])],
                                   title=_("Onboarding funnel"),
                                   value_title=_("Partners")) if d.funnel else None,
        "score_trend": charts.line_chart(weeks, [(_("Average health score"), [t["avg_score"] for t in d.trends])],
                                         title=_("Average health score, 12 weeks"), value_title=_("Score"),
                                         category_title=week_of, y_max=100),
        "active_trend": charts.line_chart(weeks, [(_("Active in 30 days (%)"), [t["active_pct"] for t in d.trends])],
                                          title=_("Active in 30 days (%), 12 weeks"), value_title=_("Active (%)"),
                                          category_title=week_of, fmt="percent", y_max=100),
        "risk_trend": charts.line_chart(weeks, [(_("Partners at risk"), [t["at_risk"] for t in d.trends])],
                                        title=_("Partners at risk, 12 weeks"), value_title=_("Partners"),
                                        category_title=week_of, fmt="integer"),
    }


def _render_body(request: HttpRequest, form: DashboardFilterForm, state: DashboardState) -> str:
    d = dashboard(request.tenant, form.filters(), state)
    for snapshot in d.at_risk:
        snapshot.reason_texts = [churn_reason(r) for r in snapshot.churn_reasons]
    context = {"form": form, "d": d, "charts": chart_context(d, request.tenant.base_currency),
               "currency": request.tenant.base_currency, "querystring": d.filters.querystring(),
               "computed_at": timezone.now(), "cache_minutes": CACHE_SECONDS // 60}
    return render_to_string("analytics/dashboard.html#dashboard-body", context, request=request)


@staff_required
@program_wide
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The figures (the page body) are shared by every staff member for a few minutes: they come
    from the nightly run, and an executive team opening the page together should not compute
    them once each. A new run, other filters or another language make a new body; "Refresh"
    (refresh=1) recomputes it now."""
    form = DashboardFilterForm(request.GET or None, tenant=request.tenant)
    status = 400 if form.is_bound and form.errors else 200
    state = DashboardState.load(request.tenant)
    key = dashboard_cache_key(request.tenant, form.filters(), get_language(), state) if status == 200 else None
    body = cache.get(key) if key and request.GET.get("refresh") != "1" else None
    if body is None:
        body = _render_body(request, form, state)
        if key:
            cache.set(key, body, CACHE_SECONDS)
    if request.htmx:
        return HttpResponse(body, status=status)
    return render(request, "analytics/dashboard.html", {"form": form, "body": mark_safe(body)}, status=status)


# table -> (file name, header, rows(d, request))
def _export_tables(d: Dashboard, request) -> dict:
    tenant = request.tenant
    currency = tenant.base_currency
    return {
        "status": (_("Status"), [_("Status"), _("Partners")], lambda: [(label, n) for _v, label, n in d.status_counts]),
        "tiers": (_("Tier"), [_("Tier"), _("Partners"), _("Open pipeline (%s)") % currency, _("Won (%s)") % currency],
                  lambda: [(s.label, s.partners, s.pipeline, s.won) for s in d.by_tier]),
        "types": (_("Type"), [_("Partner type"), _("Partners"), _("Open pipeline (%s)") % currency,
                              _("Won (%s)") % currency],
                  lambda: [(s.label, s.partners, s.pipeline, s.won) for s in d.by_type]),
        "attribution": ("", [_("Role"), _("Won deals"), _("Won revenue (%s)") % currency],
                        lambda: [(a["label"], a["deals"], a["revenue"]) for a in d.attribution]),
        "funnel": ("", [_("Onboarding path"), _("Step"), _("Partners"), _("Percent")],
                   lambda: [row for p in d.funnel for row in
                            [(p["path"], _("Started"), p["started"], 100 if p["started"] else None)]
                            + [(p["path"], s["title"], s["completed"], s["pct"]) for s in p["steps"]]
                            + [(p["path"], _("Finished"), p["finished"], p["finished_pct"])]]),
        "trends": ("", [_("Week of"), _("Partners"), _("Average score"), _("Active in 30 days (%)"), _("At risk"),
                        _("Won in 30 days (%s)") % currency],
                   lambda: [(t["date"], t["partners"], t["avg_score"], t["active_pct"], t["at_risk"], t["won_30"])
                            for t in d.trends]),
        "kpis": ("", [_("Figure"), _("Value")], lambda: [
            (_("Partners"), d.partners), (_("Active in 30 days (%)"), d.active_pct),
            (_("Average health score"), d.avg_score), (_("At risk"), d.at_risk_count),
            (_("Activation rate (%)"), d.activation.get("rate")), (_("Joined in the period"), d.activation.get("cohort")),
            (_("Activated within 90 days"), d.activation.get("activated")),
            (_("Onboarding completion (%)"), d.onboarding_pct),
            (_("Decisions in the period"), d.approvals.get("decided")),
            (_("Decided within SLA (%)"), d.approvals.get("pct")),
            (_("Average decision time (hours)"), d.approvals.get("avg_hours")),
            (_("Content views and downloads per partner (30 days)"), d.content_per_partner),
            (_("Courses completed per partner (90 days)"), d.courses_per_partner),
            (_("Active certifications per partner"), d.certifications_per_partner),
            (_("MDF allocated (%s)") % currency, d.mdf_allocated), (_("MDF used (%s)") % currency, d.mdf_used),
            (_("MDF utilisation (%)"), d.mdf_utilisation),
            (_("MDF spent in the period (%s)") % currency, d.roi.get("mdf", {}).get("spent")),
            (_("Won revenue attributed to MDF (%s)") % currency, d.roi.get("mdf", {}).get("won")),
            (_("MDF ROI (×)"), d.roi.get("mdf", {}).get("roi")),
            (_("Lead offers in the period"), d.leads.get("offered")),
            (_("Lead offers accepted within the window (%)"), d.leads.get("in_window_pct")),
            (_("Accepted leads converted to a deal (%)"), d.leads.get("conversion_pct")),
            (_("Accepted leads won (%)"), d.leads.get("win_pct")),
            (_("Won revenue from vendor leads (%s)") % currency, d.leads.get("won_revenue")),
        ]),
        "at_risk": ("", [_("Partner"), _("Status"), _("Tier"), _("Health score"), _("Churn risk (%)"), _("Reasons"),
                         _("Channel manager"), _("Method")],
                    lambda: [(s.partner.name, s.get_status_display(), s.tier.name if s.tier else "", s.score,
                              s.risk_percent, "; ".join(churn_reason(r) for r in s.churn_reasons),
                              s.partner.owner.email if s.partner.owner else "", s.get_churn_method_display())
                             for s in (at_risk(tenant, d.filters, d.day, d.at_risk_threshold, limit=0).iterator()
                                       if d.day else [])]),
        "roi": ("", [_("MDF fund"), _("Requests"), _("Spent (%s)") % currency, _("Won (%s)") % currency, _("ROI (×)")],
                lambda: [(f["label"], f["requests"], f["spent"], f["won"], f["roi"]) for f in d.roi.get("funds", [])]),
    }


@staff_required
@program_wide
@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """CSV of one dashboard table (?table=…) with the page's filters."""
    table = request.GET.get("table", "")
    form = DashboardFilterForm(request.GET or None, tenant=request.tenant)
    d = dashboard(request.tenant, form.filters())
    tables = _export_tables(d, request)
    if table not in tables:
        return render_error(request, 400, reason="unknown_table")
    _title, header, rows = tables[table]
    day = d.day.isoformat() if d.day else "none"
    return csv_response(f"partner-analytics-{table}-{day}.csv", [str(h) for h in header], rows(),
                        tenant=request.tenant)
