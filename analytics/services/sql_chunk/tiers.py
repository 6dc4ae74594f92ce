"""Tier evaluation (tier_eval.evaluate) in SQL, and the evaluated row it ends in."""

from __future__ import annotations

import json

from analytics.services.sql_chunk.pieces import Sql, compose, jarray, jdigits, jnum, jobject, join, lit, param
from analytics.services.sql_chunk.risk import churn_columns

# --- Tier evaluation: tier_eval.evaluate --------------------------------------------------------


def ladder_cte(tiers: list) -> Sql:
    """`ladder`: the tenant's tiers by rank with the thresholds partners.services.tiers.tier_requirements
    sets (NULL: no such requirement), one array parameter per column (empty when there are no tiers)."""
    from partners import metrics
    from partners.services.tiers import tier_requirements

    columns: dict[str, list] = {"ord": [], "tier_id": [], "rank": [], "name": [], "min_revenue": [],
                                "min_certs": [], "min_health": []}
    by_metric = {metrics.WON_REVENUE_12M: "min_revenue", metrics.ACTIVE_CERTIFICATIONS: "min_certs",
                 metrics.HEALTH_SCORE: "min_health"}
    for i, tier in enumerate(tiers):
        required = {by_metric[metric]: value for metric, _label, value in tier_requirements(tier)}
        for key, value in (("ord", i), ("tier_id", tier.pk), ("rank", tier.rank), ("name", tier.name),
                           ("min_revenue", required.get("min_revenue")), ("min_certs", required.get("min_certs")),
                           ("min_health", required.get("min_health"))):
            columns[key].append(value)
    types = {"ord": "int[]", "tier_id": "uuid[]", "rank": "int[]", "name": "text[]", "min_revenue": "numeric[]",
             "min_certs": "int[]", "min_health": "int[]"}
    arrays = join([param(columns[key], types[key]) for key in columns], ", ")
    return compose("SELECT ord, tier_id, rank, name, min_revenue::numeric(14, 2) AS min_revenue, min_certs, "
                   f"min_health FROM unnest({{arrays}}) AS t({', '.join(columns)})", arrays=arrays)


def meets(tier: str) -> str:
    """A requirement is met when the value reaches the threshold (tier_eval.evaluate)."""
    return (f"(({tier}.min_revenue IS NULL OR s.won_revenue_12m >= {tier}.min_revenue) "
            f"AND ({tier}.min_certs IS NULL OR s.active_certifications >= {tier}.min_certs) "
            f"AND ({tier}.min_health IS NULL OR s.score >= {tier}.min_health))")


def requirement_terms(tier: str) -> list[tuple[str, str, str, str, str]]:
    """tier_eval.evaluate's requirements of one ladder row, in order: (unmet condition, metric,
    required and actual as JSON text, the gap as a number's text). Money as a string with two
    decimals (tier_eval._plain), counts and scores as numbers."""
    from partners import metrics

    return [
        (f"{tier}.min_revenue IS NOT NULL AND s.won_revenue_12m < {tier}.min_revenue", metrics.WON_REVENUE_12M,
         jdigits(f"{tier}.min_revenue"), jdigits("s.won_revenue_12m"), f"{tier}.min_revenue - s.won_revenue_12m"),
        (f"{tier}.min_certs IS NOT NULL AND s.active_certifications < {tier}.min_certs", metrics.ACTIVE_CERTIFICATIONS,
         jnum(f"{tier}.min_certs"), jnum("s.active_certifications"), f"{tier}.min_certs - s.active_certifications"),
        (f"{tier}.min_health IS NOT NULL AND s.score < {tier}.min_health", metrics.HEALTH_SCORE,
         jnum(f"{tier}.min_health"), jnum("s.score"), f"{tier}.min_health - s.score"),
    ]


def missing_json(tier: str) -> str:
    """tier_eval._missing: the unmet requirements of one tier, in requirement order (JSON text)."""
    return jarray([f"CASE WHEN {unmet} THEN "
                   + jobject([("metric", lit(json.dumps(metric))), ("required", required), ("actual", actual),
                              ("met", "'false'")]) + " END"
                   for unmet, metric, required, actual, _gap in requirement_terms(tier)])


def gaps_json(tier: str) -> str:
    """actions.next_actions "reach_tier" missing: each unmet requirement of the tier with how much is
    missing, as a string (Decimal's text in Python: money with two decimals, counts as integers)."""
    return jarray([f"CASE WHEN {unmet} THEN "
                   + jobject([("metric", lit(json.dumps(metric))), ("gap", jdigits(gap))]) + " END"
                   for unmet, metric, _required, _actual, gap in requirement_terms(tier)])


def tier_reach_cte() -> str:
    """Per partner, from one pass over the ladder (one subplan per row: [first tier whose
    requirements are unmet, top, the current tier]): the tier reached (climbing the ladder while
    every tier's requirements are met, the entry tier at least), the ladder position of its current
    tier (NULL: none, or no tiers), and the next tier: the first above both. The ladder is in rank
    order and ranks are unique, so that is the one after the higher of the two."""
    ords = (f"(SELECT ARRAY[min(l.ord) FILTER (WHERE NOT {meets('l')}), max(l.ord), "
            "min(l.ord) FILTER (WHERE l.tier_id = s.tier_id)] FROM ladder l)")
    return f"""SELECT partner_id, reached_ord, current_ord,
        CASE WHEN greatest(current_ord, reached_ord) < top THEN greatest(current_ord, reached_ord) + 1 END AS next_ord
    FROM (SELECT partner_id, CASE WHEN a[1] IS NULL THEN a[2] ELSE greatest(a[1] - 1, 0) END AS reached_ord,
                 a[3] AS current_ord, a[2] AS top
          FROM (SELECT s.partner_id, {ords} AS a FROM scored s OFFSET 0) per_row) t"""


def evaluated_cte() -> Sql:
    """`evaluated`: a scored partner with its churn estimate and tier evaluation."""
    return compose("""
    SELECT s.*, {churn_columns},
        CASE WHEN lr.ord IS NULL THEN 'none'
             WHEN lc.ord IS NULL OR lr.rank > lc.rank THEN 'promote'
             WHEN lr.rank < lc.rank THEN 'demote'
             ELSE 'keep' END AS recommendation,
        lr.tier_id AS recommended_tier_id,
        CASE WHEN lr.rank < lc.rank THEN {current_missing}::jsonb ELSE '[]'::jsonb END AS tier_missing,
        ln.tier_id AS next_tier_id, coalesce(ln.name, '') AS next_tier_name,
        CASE WHEN ln.ord IS NOT NULL THEN {next_missing}::jsonb ELSE '[]'::jsonb END AS next_tier_missing,
        CASE WHEN ln.ord IS NOT NULL THEN {next_gaps} ELSE '[]' END AS next_tier_gaps,
        ln.min_certs IS NOT NULL AND s.active_certifications < ln.min_certs AS next_needs_certs,
        lc.rank AS tier_rank
    FROM scored s
    LEFT JOIN churn ch ON ch.partner_id = s.partner_id
    JOIN tier_reach r ON r.partner_id = s.partner_id
    LEFT JOIN ladder lr ON lr.ord = r.reached_ord
    LEFT JOIN ladder lc ON lc.ord = r.current_ord
    LEFT JOIN ladder ln ON ln.ord = r.next_ord""",
                   churn_columns=churn_columns(), current_missing=missing_json("lc"), next_missing=missing_json("ln"),
                   next_gaps=gaps_json("ln"))
