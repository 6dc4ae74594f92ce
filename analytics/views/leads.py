"""Lead analytics for staff: acceptance, time to accept, conversion and wins per partner and per
routing rule, and each partner's share of the leads against its due share and the fairness floor."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from analytics import charts
from analytics.selectors.leads import CHART_PARTNERS, LeadsPeriodForm, leads_page
from prm.tenancy.access import program_wide, staff_required


@staff_required
@program_wide
@require_GET
def leads_view(request: HttpRequest) -> HttpResponse:
    """Program-wide (the fairness table compares every partner with every other): staff confined
    to a book get the 403 that says why. The period selector swaps the page body with htmx."""
    form = LeadsPeriodForm(request.GET or None)
    status = 400 if form.is_bound and form.errors else 200
    page = leads_page(request.viewer, period=form.chosen_period)
    context = {"form": form, "page": page, "currency": request.tenant.base_currency}
    if page.has_leads:
        context["charts"] = {
            "funnel": charts.lead_funnel_chart(page.totals),
            "acceptance": charts.lead_acceptance_chart(page.partners[:CHART_PARTNERS]) if page.partners else None,
            "shares": charts.lead_share_chart([s["row"] for s in page.shares[:CHART_PARTNERS]]) if page.shares else None,
        }
    template = "analytics/leads.html#leads-body" if request.htmx else "analytics/leads.html"
    return render(request, template, context, status=status)
