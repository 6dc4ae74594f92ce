"""The health score: eight components between 0 and 1, weighted by the tenant's settings.

Pure functions over one partner's features (already aggregated set-based), so the exact numbers
are easy to check by hand. A component that does not apply to a partner (no closed deals yet, no
MDF allocation, no onboarding path) is left out and the remaining weights are re-normalised. A
snapshot stores each component's value (NULL: does not apply) and the weights in force; its
breakdown (points per component) follows from those (`breakdown`).

Components (defaults in analytics.models.COMPONENTS):
- activity: engagement events in the last 30 days / the tenant's activity target (capped at 1);
- recency: 1 when someone signed in within `recency_full_days`, falling linearly to 0 at
  `recency_zero_days`; 0 when nobody ever signed in;
- trend: 0.5 + (last 30 days − previous 30) / (2 × the larger of the two); 0 with no activity at all;
- deals: registrations in the last 90 days / the deal target (capped at 1);
- wins: win rate over 12 months (won / (won + lost)); not applicable without closed deals;
- onboarding: share of onboarding steps completed; not applicable without an onboarding path;
- certifications: active certifications / the certification target (capped at 1);
- mdf: MDF utilisation (reserved and spent / allocated, capped at 1); not applicable without an allocation.

Then a deduction: a partner that lets offered leads expire loses up to LEAD_EXPIRY_POINTS points in
proportion to the share of its answered lead offers (accepted, declined, expired) of the last 90
days that it let expire (`lead_penalty`); the score never drops below 0. The snapshot keeps the
counts (in `activity`, the lead event kinds), so the deduction is shown with the breakdown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analytics.models import COMPONENT_KEYS


@dataclass(frozen=True)
class ScoringParams:
    weights: Mapping[str, int]
    activity_target: int = 20
    deals_target: int = 3
    certifications_target: int = 2
    recency_full_days: int = 7
    recency_zero_days: int = 60

    @classmethod
    def from_settings(cls, s) -> ScoringParams:
        return cls(weights=s.weights, activity_target=s.activity_target, deals_target=s.deals_target,
                   certifications_target=s.certifications_target, recency_full_days=s.recency_full_days,
                   recency_zero_days=s.recency_zero_days)


# Points taken off a partner that let every lead offered to it expire (half of them: half of this).
LEAD_EXPIRY_POINTS = 15


def _cap(x: float) -> float:
    return max(0.0, min(1.0, x))


def recency_value(days: int | None, params: ScoringParams) -> float:
    if days is None:
        return 0.0
    if days <= params.recency_full_days:
        return 1.0
    if days >= params.recency_zero_days:
        return 0.0
    return (params.recency_zero_days - days) / (params.recency_zero_days - params.recency_full_days)


def trend_value(last: int, previous: int) -> float:
    if last == 0 and previous == 0:
        return 0.0
    return _cap(0.5 + (last - previous) / (2 * max(last, previous)))


def component_values(f: Mapping, params: ScoringParams) -> dict[str, float | None]:
    """{component: value in [0, 1], or None when it does not apply to this partner}."""
    closed = f["deals_won_12m"] + f["deals_lost_12m"]
    return {
        "activity": _cap(f["events_30"] / params.activity_target),
        "recency": recency_value(f["days_since_sign_in"], params),
        "trend": trend_value(f["events_30"], f["events_prev_30"]),
        "deals": _cap(f["deals_registered_90"] / params.deals_target),
        "wins": (f["deals_won_12m"] / closed) if closed else None,
        "onboarding": f["onboarding_completion"],
        "certifications": _cap(f["active_certifications"] / params.certifications_target),
        "mdf": _cap(f["mdf_utilisation"]) if f["mdf_utilisation"] is not None else None,
    }


def points(values: Mapping[str, float | None], weights: Mapping[str, int]) -> dict[str, float]:
    """{component: points}: weight × value / (sum of the applicable weights) × 100, so the points add
    up to the score before rounding; 0 for a component that does not apply."""
    applicable = sum(weights.get(k, 0) for k in COMPONENT_KEYS if values.get(k) is not None)
    return {k: (100 * weights.get(k, 0) * values[k] / applicable) if (values.get(k) is not None and applicable)
            else 0.0 for k in COMPONENT_KEYS}


def lead_penalty(expired: int, decisions: int) -> float:
    """Points off for letting lead offers expire: LEAD_EXPIRY_POINTS × expired / answered offers
    (90 days); 0 without answered offers. (15 × 2) / 4 = 7.5 points for 2 of 4 expired."""
    if not decisions:
        return 0.0
    return LEAD_EXPIRY_POINTS * expired / decisions


def lead_penalty_of(activity: Mapping | None) -> dict | None:
    """The deduction a snapshot's score includes, from the counts it keeps ({kind: [30 days, 90 days]}):
    {expired, decisions, points}, or None when no lead offer was answered in the 90 days."""
    activity = activity or {}
    counts = {kind: (activity.get(kind) or [0, 0])[1] for kind in ("lead_accepted", "lead_declined", "lead_expired")}
    decisions = sum(counts.values())
    if not decisions:
        return None
    expired = counts["lead_expired"]
    return {"expired": expired, "decisions": decisions, "points": round(lead_penalty(expired, decisions), 2)}


def health_score(f: Mapping, params: ScoringParams) -> tuple[int, dict[str, float | None]]:
    """(score 0–100, the component values it was computed from)."""
    values = component_values(f, params)
    total = sum(points(values, params.weights).values())  # in COMPONENT_KEYS order, as SQL adds them
    total = max(0.0, total - lead_penalty(f.get("leads_expired_90", 0), f.get("lead_decisions_90", 0)))
    return int(round(total)), values


def breakdown(values: Mapping[str, float | None], weights: Mapping[str, int]) -> dict[str, dict]:
    """{component: {value, weight, points, max_points, applies}} from what a snapshot stores (its
    component values and the weights of its run), rounded for display: values to 4 places, points to 2.
    `max_points` is the weight rescaled over the components that apply (they share the 100 points),
    so a component weighted 10 may be worth 11.8 points when others do not apply."""
    earned = points(values, weights)
    applicable = sum(weights.get(k, 0) for k in COMPONENT_KEYS if values.get(k) is not None)
    return {k: {"value": None if values.get(k) is None else round(values[k], 4), "weight": weights.get(k, 0),
                "points": round(earned[k], 2), "applies": values.get(k) is not None,
                "max_points": round(100 * weights.get(k, 0) / applicable, 1)
                if applicable and values.get(k) is not None else 0.0}
            for k in COMPONENT_KEYS}
