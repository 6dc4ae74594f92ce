"""Channel manager pages: my partners sorted by risk, and the partner 360 page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import charts
from analytics.forms import MyPartnersFilterForm
from analytics.models import COMPONENT_KEYS
from analytics.selectors.partners import MyPartnersFilters, default_scope, my_partners, partner_360, still_open
from analytics.services.scoring import lead_penalty_of
from analytics.texts import (
    action_text,
    churn_reason,
    component_label,
    event_label,
    lead_penalty_label,
    lead_penalty_sentence,
    requirement_text,
    tier_progress,
)
from prm.csv_safe import csv_response
from prm.tenancy.access import staff_required

PAGE_SIZE = 50


def _filters(request) -> tuple[MyPartnersFilterForm, MyPartnersFilters]:
    data = request.GET.copy()
    if not data.get("scope"):
        data["scope"] = default_scope(request.viewer)
    form = MyPartnersFilterForm(data)
    clean = form.cleaned_data if form.is_valid() else {}
    return form, MyPartnersFilters(scope=clean.get("scope") or "all", q=(clean.get("q") or "").strip(),
                                   risk=clean.get("risk") or "")


@staff_required
@require_GET
def my_partners_view(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request)
    run, qs = my_partners(request.viewer, f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    currency = request.tenant.base_currency
    for s in page.object_list:
        s.reason_texts = [churn_reason(r) for r in s.churn_reasons]
        s.action_texts = [a for a in (action_text(x, audience="manager", currency=currency) for x in s.next_actions) if a]
    querystring = request.GET.copy()
    querystring.pop("page", None)
    context = {"form": form, "run": run, "page": page, "querystring": querystring.urlencode(), "currency": currency}
    template = "analytics/my_partners.html#partner-rows" if request.htmx else "analytics/my_partners.html"
    return render(request, template, context)


@staff_required
@require_GET
def my_partners_export(request: HttpRequest) -> HttpResponse:
    _form, f = _filters(request)
    run, qs = my_partners(request.viewer, f)
    currency = request.tenant.base_currency
    header = [_("Partner"), _("Status"), _("Tier"), _("Health score"), _("Churn risk (%)"), _("Reasons"),
              _("Recommendation"), _("Recommended tier"), _("Next actions"), _("Channel manager"), _("Date")]

    def rows():
        for s in qs.iterator(chunk_size=500):
            yield [s.partner.name, s.get_status_display(), s.tier.name if s.tier else "", s.score, s.risk_percent,
                   "; ".join(churn_reason(r) for r in s.churn_reasons), s.get_recommendation_display(),
                   s.recommended_tier.name if s.recommended_tier else "",
                   "; ".join(a["text"] for a in (action_text(x, audience="manager", currency=currency)
                                                 for x in s.next_actions) if a),
                   s.partner.owner.email if s.partner.owner else "", s.date]

    return csv_response(f"partners-by-risk-{run.date if run else 'none'}.csv", [str(h) for h in header], rows(),
                        tenant=request.tenant)


@staff_required
@require_GET
def partner_360_view(request: HttpRequest, partner_id) -> HttpResponse:
    from partners.selectors import partners_visible_to

    partner = get_object_or_404(partners_visible_to(request.viewer).select_related("tier", "partner_type", "owner"),
                                pk=partner_id)
    context = partner_360(request.viewer, partner)
    currency = request.tenant.base_currency
    for event in context["timeline"]:
        event.kind_label = event_label(event.kind)
    latest = context["latest"]
    if latest is not None:
        context["components"] = [
            {"key": k, "label": component_label(k), **latest.components.get(k, {})} for k in COMPONENT_KEYS]
        penalty = lead_penalty_of(latest.activity)
        context["lead_penalty"] = penalty if penalty and penalty["expired"] else None  # shown when it took points
        if context["lead_penalty"]:
            context["lead_penalty"].update(label=lead_penalty_label(),
                                           sentence=lead_penalty_sentence(context["lead_penalty"]))
        context["reasons"] = [churn_reason(r) for r in latest.churn_reasons]
        context["actions"] = [a for a in (action_text(x, audience="manager", currency=currency)
                                          for x in still_open(partner, latest)) if a]
        context["missing"] = [requirement_text(m, currency) for m in latest.tier_missing]
        context["progress"] = tier_progress(latest, currency)
    history = context["history"]
    if history:
        days = [charts.day_label(h["date"]) for h in history]
        context["score_chart"] = charts.line_chart(days, [(_("Health score"), [h["score"] for h in history])],
                                                   title=_("Health score, 90 days"), value_title=_("Score"), y_max=100)
        context["risk_chart"] = charts.line_chart(
            days, [(_("Churn risk"), [round(h["churn_risk"] * 100) for h in history])],
            title=_("Churn risk (%), 90 days"), value_title=_("Churn risk (%)"), fmt="percent", y_max=100)
    context["currency"] = currency
    return render(request, "analytics/partner_360.html", context)
