"""Tier proposals for channel managers, and the what-if simulation for tenant admins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analytics.forms import threshold_forms
from analytics.models import PartnerHealthSnapshot
from analytics.selectors.dashboard import latest_run
from analytics.services.program import proposal_apply
from analytics.services.whatif import Thresholds, simulate, tier_thresholds_save
from analytics.texts import requirement_text, tier_progress
from prm.tenancy.access import manager_required, tenant_admin_required


@manager_required
@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    from partners.selectors import partners_visible_to

    run = latest_run(request.tenant)
    rows = []
    if run is not None:
        rows = list(PartnerHealthSnapshot.objects.filter(
            tenant=request.tenant, date=run.date, tier_action=PartnerHealthSnapshot.TierAction.PROPOSED,
            partner__in=partners_visible_to(request.viewer).values("pk"),
        ).select_related("partner", "partner__owner", "tier", "recommended_tier", "next_tier")
            .order_by("-recommendation", "partner__name"))
    currency = request.tenant.base_currency
    for s in rows:
        s.missing_texts = [requirement_text(m, currency) for m in s.tier_missing]
        s.progress = tier_progress(s, currency)
    from partners.models import PartnerSettings

    automatic = PartnerSettings.for_tenant(request.tenant).tier_evaluation == PartnerSettings.TierEvaluation.AUTOMATIC
    return render(request, "analytics/proposals.html", {"run": run, "rows": rows, "automatic": automatic})


@manager_required
@require_POST
def proposal_apply_view(request: HttpRequest, partner_id) -> HttpResponse:
    from partners.selectors import partners_visible_to

    partner = get_object_or_404(partners_visible_to(request.viewer), pk=partner_id)
    try:
        snapshot = proposal_apply(tenant=request.tenant, partner=partner, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("analytics:tier_proposals")
    if snapshot.tier_action == PartnerHealthSnapshot.TierAction.SCHEDULED:
        messages.success(request, _("%(partner)s moves to %(tier)s after the grace period.") % {
            "partner": partner.name, "tier": snapshot.recommended_tier.name})
    else:
        messages.success(request, _("%(partner)s is now %(tier)s.") % {
            "partner": partner.name, "tier": snapshot.recommended_tier.name})
    return redirect("analytics:tier_proposals")


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def whatif(request: HttpRequest) -> HttpResponse:
    from partners.models import Tier

    tiers = list(Tier.objects.filter(tenant=request.tenant).order_by("rank"))
    forms = threshold_forms(tiers, request.POST if request.method == "POST" else None)
    result = None
    status = 200
    if request.method == "POST":
        if all(f.is_valid() for f in forms):
            proposed = [Thresholds.of(f.tier, **f.cleaned_data) for f in forms]
            if request.POST.get("action") == "save":
                try:
                    changed = tier_thresholds_save(tenant=request.tenant, tiers=tiers, proposed=proposed,
                                                   actor=request.user, request=request)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                    status = 400
                else:
                    messages.success(request, _("Tier requirements saved (%(n)d tier(s) changed). They apply from "
                                                "the next nightly evaluation.") % {"n": changed})
                    return redirect("analytics:whatif")
            result = simulate(request.tenant, tiers=tiers, proposed=proposed)
        else:
            status = 400
    else:
        result = simulate(request.tenant, tiers=tiers, proposed=[Thresholds.of(t) for t in tiers])
    context = {"forms": forms, "result": result, "tiers": tiers, "currency": request.tenant.base_currency}
    template = "analytics/whatif.html#whatif-result" if request.htmx else "analytics/whatif.html"
    return render(request, template, context, status=status)
