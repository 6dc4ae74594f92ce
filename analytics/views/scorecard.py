"""The partner's own scorecard in the portal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import charts
from analytics.models import COMPONENT_KEYS
from analytics.selectors.partners import scorecard, still_open
from analytics.services.scoring import lead_penalty_of
from analytics.texts import (
    action_text,
    component_label,
    component_sentence,
    lead_penalty_label,
    lead_penalty_sentence,
    tier_progress,
)
from prm.tenancy.access import partner_required


@partner_required
@require_GET
def scorecard_view(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    context = {"partner": partner, **scorecard(partner)}
    latest = context["latest"]
    currency = request.tenant.base_currency
    if latest is not None:
        context["components"] = [
            {"key": k, "label": component_label(k), "sentence": component_sentence(k, latest),
             **latest.components.get(k, {})} for k in COMPONENT_KEYS]
        penalty = lead_penalty_of(latest.activity)
        context["lead_penalty"] = penalty if penalty and penalty["expired"] else None  # shown when it took points
        if context["lead_penalty"]:
            context["lead_penalty"].update(label=lead_penalty_label(),
                                           sentence=lead_penalty_sentence(context["lead_penalty"]))
        actions = [a for a in (action_text(x, audience="partner", currency=currency)
                               for x in still_open(partner, latest)) if a]
        # The tier gap has its own line above; repeat it here only when it is the one thing to do.
        context["actions"] = [a for a in actions if a["code"] != "reach_tier"] or actions
        context["progress"] = tier_progress(latest, currency)
        context["chart"] = charts.line_chart(
            [charts.day_label(d) for d, _s in context["weeks"]], [(_("Health score"), [s for _d, s in context["weeks"]])],
            title=_("Your health score, 12 weeks"), value_title=_("Score"), category_title=_("Week of"), y_max=100)
    return render(request, "analytics/scorecard.html", context)
