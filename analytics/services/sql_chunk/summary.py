"""The chunk's summary (summary.chunk_summary) from the rows as written."""

from __future__ import annotations

from django.db import connection

from analytics.models import PartnerHealthSnapshot as Snapshot
from analytics.services.sql_chunk.pieces import INLINE, Sql
from analytics.services.sql_chunk.rows import MOVER, snapshot_columns

# --- The chunk's summary: summary.chunk_summary over the rows as written -----------------------


def summary_aggregates(value) -> dict[str, str]:
    """summary._aggregates in SQL: counts and sums of the written values (`value(column)`)."""
    from analytics.models import PERIODS, ROLES

    aggregates = {
        "partners": "count(*)", "score_sum": f"sum({value('score')})",
        "active_30": f"count(*) FILTER (WHERE {value('events_30')} > 0)",
        "at_risk": f"count(*) FILTER (WHERE {value('churn_risk')} >= cfg.at_risk_threshold "
                   f"AND {value('status')} IN ('active', 'onboarding'))",
        **{name: f"sum({value(name)})" for name in ("events_30", "content_30", "courses_90")},
        "certifications": f"sum({value('active_certifications')})",
        "onboarding_sum": f"sum({value('onboarding_completion')})",
        "onboarding_count": f"count(*) FILTER (WHERE {value('onboarding_completion')} IS NOT NULL)",
        **{name: f"sum({value(name)})" for name in ("open_pipeline", "won_revenue_30", "won_revenue_90",
                                                   "won_revenue_12m", "mdf_allocated", "mdf_used")},
    }
    for p in PERIODS:
        joined = f"{value('tenure_days')} < {int(p)}"
        aggregates[f"cohort_{p}"] = f"count(*) FILTER (WHERE {joined})"
        aggregates[f"activated_{p}"] = f"count(*) FILTER (WHERE {joined} AND {value('activated')})"
        for name in ("decided", "decided_in_sla", "decision_hours"):
            aggregates[f"{name}_{p}"] = f"sum({value(f'{name}_{p}')})"
        for role in ROLES:
            for what in ("won", "deals"):
                aggregates[f"{role}_{what}_{p}"] = f"sum({value(f'{role}_{what}_{p}')})"
    return aggregates


def summary_ctes(previous_day: bool) -> list[tuple[str, Sql, str]]:
    """`summary_groups` (summary.summary_groups of the chunk) and `new_proposals`
    (summary.new_proposal_counts), from the `evaluated` rows with the values the insert writes
    (snapshot_columns), so closing the chunk reads none of its rows back. Money sums are JSON strings with
    their exact cents, as summary._plain stores them; UUIDs are JSON strings too. `previous_day`:
    whether the tenant has an earlier snapshot date to compare the proposals with."""
    from analytics.models import SnapshotSummary

    columns = snapshot_columns()
    money = {f.name for f in SnapshotSummary._meta.fields if f.get_internal_type() == "DecimalField"}
    figures = ", ".join(f"({expr}){'::text' if name in money else ''} AS {name}"
                        for name, expr in summary_aggregates(columns.__getitem__).items())
    segment = ", ".join(f"{columns[name]} AS {name}" for name in ("tier_id", "partner_type_id", "status"))
    groups = Sql(f"""SELECT {segment}, e.regions, {figures}
        FROM evaluated e CROSS JOIN cfg GROUP BY 1, 2, 3, 4""", [])
    table = connection.ops.quote_name(Snapshot._meta.db_table)
    # A scalar subquery, not NOT EXISTS: the planner would make that an anti join that reads every
    # stored snapshot; this looks each proposal's partner up in the unique index. Without an earlier
    # date every proposal is new, and there is nothing to look up: a tenant's first night may find
    # the table freshly vacuumed and empty, and the planner then scans it once per proposal while
    # the chunks fill it (the first chunks of a 100,000-partner night took 8-12 s instead of 1 s).
    not_proposed_before = f"""AND e.recommended_tier_id IS DISTINCT FROM (
              SELECT prev.recommended_tier_id FROM {table} prev
              WHERE prev.tenant_id = cfg.tenant_id AND prev.partner_id = e.partner_id
                AND prev.date = cfg.previous_day AND prev.tier_action = cfg.proposed)""" if previous_day else ""
    proposals = Sql(f"""SELECT e.owner_id, count(*) AS n
        FROM evaluated e CROSS JOIN cfg
        WHERE cfg.mover_action = cfg.proposed AND {MOVER}
          {not_proposed_before}
        GROUP BY e.owner_id""", [])
    return [("summary_groups", groups, INLINE), ("new_proposals", proposals, INLINE)]
