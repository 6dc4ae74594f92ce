"""The chunk's summary (summary.chunk_summary) from the rows as written."""

from __future__ import annotations

from django.db import connection

from analytics.models import PartnerHealthSnapshot as Snapshot
from analytics.services.sql_chunk.pieces import INLINE, Sql
from analytics.services.sql_chunk.rows import MOVER, snapshot_columns

# --- The chunk's summary: summary.chunk_summary over the rows as written -----------------------


def summary_aggregates(value) -> dict[str, str]:
    """summary.figures in SQL over the written values (`value(column)`), in its order: each sum of a
    column is taken from it; its counts, whose filters are Q objects, are written out here."""
    from django.db.models import Sum

    from analytics.models import PERIODS
    from analytics.services import summary

    counts = {
        "partners": "count(*)",
        "active_30": f"count(*) FILTER (WHERE {value('events_30')} > 0)",
        "at_risk": f"count(*) FILTER (WHERE {value('churn_risk')} >= cfg.at_risk_threshold "
                   f"AND {value('status')} IN ('active', 'onboarding'))",
        "onboarding_count": f"count(*) FILTER (WHERE {value('onboarding_completion')} IS NOT NULL)",
    }
    for p in PERIODS:
        joined = f"{value('tenure_days')} < {int(p)}"
        counts[f"cohort_{p}"] = f"count(*) FILTER (WHERE {joined})"
        counts[f"activated_{p}"] = f"count(*) FILTER (WHERE {joined} AND {value('activated')})"
    aggregates = {}
    for name, aggregate in summary.figures(threshold=0).items():
        if isinstance(aggregate, Sum):
            aggregates[name] = f"sum({value(aggregate.source_expressions[0].name)})"
        else:
            aggregates[name] = counts.pop(name)
    assert not counts, f"summary.figures has no {sorted(counts)}"
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
    # the chunks fill it (the first chunks of a 100,000-partner night took 7.7-12.5 s instead of about 1 s).
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
