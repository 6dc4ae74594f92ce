"""The chunk's settings row and its feature aggregates (features.chunk_features) as CTEs."""

from __future__ import annotations

import json

from analytics.models import COMPONENT_KEYS
from analytics.models import PartnerHealthSnapshot as Snapshot
from analytics.services import actions as actions_mod
from analytics.services import compute, features
from analytics.services.sql_chunk.pieces import Sql, cents, compose, in_list, join, lit, param, round_float

# --- Settings of the chunk: one row of named, bound values -----------------------------------


def settings_cte(ctx, run, w: features.Window, now) -> Sql:
    """`cfg`: everything the statement needs from Python, as one row of typed parameters."""
    p = ctx.params
    mover_action = compute.uniform_tier_action(ctx)
    values = [
        ("tenant_id", ctx.tenant.pk, "bigint"), ("day", ctx.day, "date"), ("day_end", w.end, "timestamptz"),
        ("run_id", run.pk, "uuid"), ("computed_at", now, "timestamptz"),
        # scoring.ScoringParams
        ("activity_target", p.activity_target, "int"), ("deals_target", p.deals_target, "int"),
        ("certifications_target", p.certifications_target, "int"),
        ("recency_full_days", p.recency_full_days, "int"), ("recency_zero_days", p.recency_zero_days, "int"),
        *[(f"w_{key}", p.weights[key], "int") for key in COMPONENT_KEYS],
        ("component_weights", json.dumps(dict(p.weights)), "jsonb"),
        # actions.next_actions
        ("actions_certifications_target", ctx.certifications_target, "int"),
        ("no_deal_days", actions_mod.NO_DEAL_DAYS, "int"), ("reengage_days", actions_mod.REENGAGE_DAYS, "int"),
        ("mdf_unused_below", actions_mod.MDF_UNUSED_BELOW, "float8"),
        ("tier_action", Snapshot.TierAction.NONE.value, "text"),
        # compute.uniform_tier_action: what every mover's row says (NULL: decided after the insert)
        ("mover_action", None if mover_action is None else str(mover_action), "text"),
        # summary.chunk_summary
        ("at_risk_threshold", ctx.at_risk_threshold, "float8"), ("previous_day", ctx.previous_day, "date"),
        ("proposed", Snapshot.TierAction.PROPOSED.value, "text"),
    ]
    columns = [compose("{v} AS " + name, v=param(value, cast)) for name, value, cast in values]
    return compose("SELECT {columns}", columns=join(columns, ", "))


# --- Features: the ORM aggregates of analytics.services.features, as CTEs ---------------------


def source_ctes(ctx, w: features.Window, first_id, last_id) -> list[tuple[str, Sql]]:
    """(CTE name, query) for each feature aggregate: the same querysets chunk_features runs."""
    tenant = ctx.tenant
    rates = features.currency_rates(tenant, ctx.day)
    certs = Sql.of(features.certification_query(tenant, w, first_id, last_id))
    return [
        ("partner", Sql.of(features.partner_query(tenant, w, first_id, last_id))),
        ("ev_kind", Sql.of(features.event_query(tenant, w, first_id, last_id))),
        ("ev", event_columns()),
        # features.sign_in_query, probed only for the partners without a sign-in in the 90 days
        # the events were read for (`ev` has the day of theirs): on the benchmark that is 1 % of
        # the partners, and the probes were 4 % of a chunk. A correlated subquery in the select
        # list runs only for the rows its scan keeps: NOT IN is a hashed filter of the scan (NOT
        # EXISTS would become an anti-join above it, after the probes).
        ("si", compose("SELECT q.partner_id, q.last_sign_in FROM ({q}) q WHERE q.partner_id NOT IN "
                       "(SELECT ev.partner_id FROM ev WHERE ev.last_sign_in IS NOT NULL)",
                       q=Sql.of(features.sign_in_query(tenant, w, first_id, last_id)))),
        ("dl", Sql.of(features.deal_query(tenant, w, first_id, last_id))),
        ("credit", Sql.of(features.attribution_query(tenant, w, first_id, last_id))),
        # features._certifications: how many in force, and which courses they are for (take_course)
        ("cert", compose("SELECT partner_id, count(*) AS n, array_agg(course_id) AS held FROM ({q}) c "
                         "GROUP BY partner_id", q=certs)),
        ("steps", Sql.of(features.onboarding_steps_query(tenant))),
        ("ob", Sql.of(features.onboarding_query(tenant, w, first_id, last_id))),
        ("mdf_alloc", Sql.of(features.mdf_allocated_query(tenant, w, first_id, last_id, rates))),
        ("mdf_used", Sql.of(features.mdf_used_query(tenant, w, first_id, last_id, rates))),
    ]


def event_columns() -> Sql:
    """features._event_features per partner from `ev_kind`: the totals, the counts the features
    use, and "activity" ({kind: [30 days, 90 days]} for the known kinds seen in 90 days) as the
    JSON members' text, aggregated straight from the per-kind rows (no column per kind)."""
    return compose("""SELECT partner_id,
        -- the engagement totals leave out features.NOT_ENGAGEMENT (0 rather than NULL when only those)
        coalesce(sum(n30) FILTER (WHERE kind NOT IN {not_engagement}), 0)::bigint AS e30,
        coalesce(sum(n90) FILTER (WHERE kind NOT IN {not_engagement}), 0)::bigint AS e90,
        coalesce(sum(nprev) FILTER (WHERE kind NOT IN {not_engagement}), 0)::bigint AS eprev,
        coalesce(sum(n90) FILTER (WHERE kind IN {lead_decisions}), 0)::bigint AS lead_decisions_90,
        coalesce(sum(n90) FILTER (WHERE kind = {lead_expired}), 0)::bigint AS leads_expired_90,
        coalesce(sum(n30) FILTER (WHERE kind = {sign_in}), 0)::bigint AS sign_ins_30,
        coalesce(sum(n30) FILTER (WHERE kind IN ({viewed}, {downloaded})), 0)::bigint AS content_30,
        coalesce(sum(n90) FILTER (WHERE kind = {course}), 0)::bigint AS courses_90,
        max(last_sign_in) AS last_sign_in,
        -- the kinds kept are known identifiers: quoting them is enough
        string_agg('"' || kind || '": [' || n30 || ', ' || n90 || ']', ', ') FILTER (WHERE kind IN {kinds}) AS activity
    FROM ev_kind GROUP BY partner_id""",
                   sign_in=param("sign_in", "text"), viewed=param("content_viewed", "text"),
                   downloaded=param("content_downloaded", "text"), course=param("course_completed", "text"),
                   kinds=in_list(features.ACTIVITY_KINDS), not_engagement=in_list(features.NOT_ENGAGEMENT),
                   lead_decisions=in_list(features.LEAD_DECISION_KINDS), lead_expired=param("lead_expired", "text"))


def feature_cte() -> Sql:
    """features.chunk_features: one row per partner, columns named like the snapshot's."""
    periods = []
    for p in features.PERIODS:
        periods += [f"coalesce(dl.decided_{p}, 0) AS decided_{p}",
                    f"coalesce(dl.decided_in_sla_{p}, 0) AS decided_in_sla_{p}",
                    # total_seconds() / 3600, rounded to 4 places; 0.0 without decisions
                    f"coalesce({round_float(f'extract(epoch FROM dl.decision_time_{p})::float8 / 3600', 4)}, 0) "
                    f"AS decision_hours_{p}"]
        for role in features.CREDIT_ROLES:
            periods += [f"coalesce(credit.{role}_won_{p}, 0)::numeric(16, 2) AS {role}_won_{p}",
                        f"coalesce(credit.{role}_deals_{p}, 0) AS {role}_deals_{p}"]
    return compose(f"""
    SELECT p.id AS partner_id, p.status, p.tier_id, p.partner_type_id, p.partner_type__transacts AS transacts,
        p.owner_id, p.regions,
        coalesce(ev.e30, 0) AS events_30, coalesce(ev.e90, 0) AS events_90, coalesce(ev.eprev, 0) AS events_prev_30,
        coalesce(ev.sign_ins_30, 0) AS sign_ins_30, coalesce(ev.content_30, 0) AS content_30,
        coalesce(ev.courses_90, 0) AS courses_90,
        ({lit('{')} || coalesce(ev.activity, '') || '}}')::jsonb AS activity,
        cfg.day - coalesce(ev.last_sign_in, si.last_sign_in) AS days_since_sign_in,
        coalesce(ev.lead_decisions_90, 0) AS lead_decisions_90, coalesce(ev.leads_expired_90, 0) AS leads_expired_90,
        coalesce(dl.registered_90, 0) AS deals_registered_90,
        coalesce(dl.won_12m, 0) AS deals_won_12m, coalesce(dl.lost_12m, 0) AS deals_lost_12m,
        CASE WHEN dl.won_12m + dl.lost_12m > 0
             THEN {round_float('dl.won_12m::float8 / (dl.won_12m + dl.lost_12m)', 4)} END AS win_rate,
        -- deal amounts have two decimals, so their sums need no rounding (features._quantize is exact)
        coalesce(dl.pipeline, 0)::numeric(16, 2) AS open_pipeline,
        coalesce(dl.won_30, 0)::numeric(16, 2) AS won_revenue_30,
        coalesce(dl.won_90, 0)::numeric(16, 2) AS won_revenue_90,
        coalesce(dl.won_365, 0)::numeric(16, 2) AS won_revenue_12m,
        cfg.day - dl.last_deal AS days_since_deal,
        -- features._onboarding: complete by the day, else steps done / steps (no steps: complete)
        CASE WHEN ob.partner_id IS NULL THEN NULL
             WHEN ob.completed_at < cfg.day_end THEN 1::float8
             WHEN coalesce(steps.n, 0) = 0 THEN 1::float8
             ELSE least(1::float8, ob.done::float8 / steps.n) END AS onboarding_completion,
        coalesce(cert.n, 0) AS active_certifications,
        coalesce(cert.held, ARRAY[]::uuid[]) AS courses_held,
        -- features._mdf: requests count only against a current allocation; utilisation from the
        -- unrounded base-currency sums (amounts times 8-decimal rates: these do need rounding)
        {cents('coalesce(mdf_alloc.total, 0)')} AS mdf_allocated,
        {cents('CASE WHEN mdf_alloc.partner_id IS NULL THEN 0 ELSE coalesce(mdf_used.total, 0) END')} AS mdf_used,
        CASE WHEN coalesce(mdf_alloc.total, 0) <> 0
             THEN {round_float('(coalesce(mdf_used.total, 0) / mdf_alloc.total)::float8', 4)} END AS mdf_utilisation,
        greatest(0, cfg.day - p.joined) AS tenure_days,
        coalesce(dl.first_approval <= p.joined + 90, false) AS activated,
        coalesce(dl.won_count_30, 0) AS sourced_deals_30, coalesce(dl.won_count_90, 0) AS sourced_deals_90,
        {', '.join(periods)}
    FROM partner p CROSS JOIN cfg
    LEFT JOIN ev ON ev.partner_id = p.id
    LEFT JOIN si ON si.partner_id = p.id
    LEFT JOIN dl ON dl.partner_id = p.id
    LEFT JOIN credit ON credit.credited_partner_id = p.id
    LEFT JOIN cert ON cert.partner_id = p.id
    LEFT JOIN ob ON ob.partner_id = p.id
    LEFT JOIN steps ON steps.path_id = ob.path_id
    LEFT JOIN mdf_alloc ON mdf_alloc.partner_id = p.id
    LEFT JOIN mdf_used ON mdf_used.partner_id = p.id""")
