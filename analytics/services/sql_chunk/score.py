"""The health score (scoring.health_score) in SQL."""

from __future__ import annotations

from analytics.models import COMPONENT_KEYS
from analytics.services.scoring import LEAD_EXPIRY_POINTS
from analytics.services.sql_chunk.pieces import Sql, cap

# --- Health score: scoring.health_score ------------------------------------------------------

# scoring.component_values: NULL where a component does not apply.
COMPONENT_VALUES = {
    "activity": cap("f.events_30::float8 / cfg.activity_target"),
    "recency": """CASE WHEN f.days_since_sign_in IS NULL THEN 0::float8
                       WHEN f.days_since_sign_in <= cfg.recency_full_days THEN 1::float8
                       WHEN f.days_since_sign_in >= cfg.recency_zero_days THEN 0::float8
                       ELSE (cfg.recency_zero_days - f.days_since_sign_in)::float8
                            / (cfg.recency_zero_days - cfg.recency_full_days) END""",
    "trend": f"""CASE WHEN f.events_30 = 0 AND f.events_prev_30 = 0 THEN 0::float8
                      ELSE {cap('0.5::float8 + (f.events_30 - f.events_prev_30)::float8 / (2 * greatest(f.events_30, f.events_prev_30))')}
                 END""",
    "deals": cap("f.deals_registered_90::float8 / cfg.deals_target"),
    "wins": """CASE WHEN f.deals_won_12m + f.deals_lost_12m > 0
                    THEN f.deals_won_12m::float8 / (f.deals_won_12m + f.deals_lost_12m) END""",
    "onboarding": "f.onboarding_completion",
    "certifications": cap("f.active_certifications::float8 / cfg.certifications_target"),
    "mdf": f"CASE WHEN f.mdf_utilisation IS NOT NULL THEN {cap('f.mdf_utilisation')} END",
}


def scored_cte() -> Sql:
    """`scored`: a feature row with its score and component values, in three steps per partner:
    component values, the applicable weights, then points (100 × weight × value / applicable
    weights). Each step is a LATERAL subquery with OFFSET 0, a fence that keeps PostgreSQL from
    pasting a step's expressions into every later use (it would evaluate each value a dozen times)."""
    assert list(COMPONENT_VALUES) == COMPONENT_KEYS
    values = ", ".join(f"{expr} AS v_{key}" for key, expr in COMPONENT_VALUES.items())
    applicable = " + ".join(f"CASE WHEN v.v_{k} IS NOT NULL THEN cfg.w_{k} ELSE 0 END" for k in COMPONENT_KEYS)
    points = ", ".join(
        f"CASE WHEN v.v_{k} IS NOT NULL AND a.applicable <> 0 "
        f"THEN (100 * cfg.w_{k})::float8 * v.v_{k} / a.applicable ELSE 0::float8 END AS p_{k}" for k in COMPONENT_KEYS)
    # Summed in COMPONENT_KEYS order like Python's loop, so the float total (and its rounding) agree.
    total = " + ".join(f"p.p_{k}" for k in COMPONENT_KEYS)
    # The snapshot keeps the values (the breakdown's points follow from them and the weights).
    values_kept = ", ".join(f"v.v_{k} AS component_{k}" for k in COMPONENT_KEYS)
    # scoring.lead_penalty: (points × expired) / answered offers, taken off the total, floored at 0.
    penalty = (f"CASE WHEN f.lead_decisions_90 > 0 THEN ({int(LEAD_EXPIRY_POINTS)} * f.leads_expired_90)::float8 "
               "/ f.lead_decisions_90 ELSE 0::float8 END")
    return Sql(f"""
    SELECT f.*, round(greatest(0::float8, ({total}) - {penalty}))::int AS score, {values_kept}
    FROM feature f CROSS JOIN cfg
    CROSS JOIN LATERAL (SELECT {values} OFFSET 0) v
    CROSS JOIN LATERAL (SELECT {applicable} AS applicable OFFSET 0) a
    CROSS JOIN LATERAL (SELECT {points} OFFSET 0) p""", [])
