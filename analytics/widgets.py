"""Home-page widgets: headline figures for staff, the health scorecard for partners."""

from __future__ import annotations

from django.http import HttpRequest


def staff_headline(request: HttpRequest) -> dict:
    from analytics.selectors.partners import headline

    return headline(request.tenant)


def partner_scorecard(request: HttpRequest) -> dict | None:
    from analytics.selectors.partners import latest_score_for_partner, still_open
    from analytics.texts import action_text, tier_progress

    snapshot = latest_score_for_partner(request.membership.partner)
    if snapshot is None:
        return None
    currency = request.tenant.base_currency
    actions = [a for a in (action_text(x, audience="partner", currency=currency)
                           for x in still_open(request.membership.partner, snapshot)) if a]
    return {"snapshot": snapshot, "actions": [a for a in actions if a["code"] != "reach_tier"][:2],
            "progress": tier_progress(snapshot, currency)}
