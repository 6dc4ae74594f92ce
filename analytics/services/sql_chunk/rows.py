"""The snapshot row as written: every column's value, and the upsert."""

from __future__ import annotations

from django.db import connection

from analytics.models import COMPONENT_KEYS
from analytics.models import PartnerHealthSnapshot as Snapshot
from analytics.services.sql_chunk.actions import next_actions_json
from analytics.services.sql_chunk.pieces import Sql, compose, day_uuid

# compute.apply_tier_changes: the partners whose tier should change.
MOVER = "e.recommendation IN ('promote', 'demote') AND e.recommended_tier_id IS NOT NULL"


def snapshot_columns() -> dict[str, str]:
    """{snapshot column attname: its value in the final SELECT over `evaluated e`}: every concrete field."""
    from analytics.services.compute import SNAPSHOT_FIELDS

    values = {
        "id": day_uuid("cfg.day"), "tenant_id": "cfg.tenant_id", "partner_id": "e.partner_id", "date": "cfg.day",
        "run_id": "cfg.run_id", "status": "e.status", "tier_id": "e.tier_id", "partner_type_id": "e.partner_type_id",
        **{name: f"e.{name}" for name in SNAPSHOT_FIELDS},
        "sourced_won_30": "e.won_revenue_30", "sourced_won_90": "e.won_revenue_90",
        "sourced_won_365": "e.won_revenue_12m", "sourced_deals_365": "e.deals_won_12m",
        **{f"component_{key}": f"e.component_{key}" for key in COMPONENT_KEYS},
        "component_weights": "cfg.component_weights",
        **{name: f"e.{name}" for name in ("score", "churn_risk", "churn_method", "churn_reasons",
                                          "churn_note", "recommendation", "recommended_tier_id", "next_tier_id",
                                          "tier_missing", "next_tier_missing")},
        "tier_action": f"CASE WHEN {MOVER} THEN coalesce(cfg.mover_action, cfg.tier_action) ELSE cfg.tier_action END",
        "next_actions": "{next_actions}", "computed_at": "cfg.computed_at",
    }
    fields = [f.attname for f in Snapshot._meta.concrete_fields]
    missing = set(fields) - set(values)
    assert not missing, f"the SQL path does not compute {sorted(missing)}"
    return {name: values[name] for name in fields}


def insert_cte() -> Sql:
    """INSERT … SELECT … ON CONFLICT: one row per (tenant, partner, date); a re-run replaces every
    computed column (compute.UPDATE_FIELDS), as compute.upsert does. RETURNING what the tier
    changes need."""
    from analytics.services.compute import UPDATE_FIELDS

    meta = Snapshot._meta
    columns = snapshot_columns()
    quote = connection.ops.quote_name
    quoted = {f.attname: quote(f.column) for f in meta.concrete_fields}
    update = ", ".join(f"{quote(meta.get_field(name).column)} = EXCLUDED.{quote(meta.get_field(name).column)}"
                       for name in UPDATE_FIELDS)
    return compose(f"""INSERT INTO {quote(meta.db_table)} ({', '.join(quoted[name] for name in columns)})
    SELECT {', '.join(columns.values())}
    FROM evaluated e CROSS JOIN cfg
    ON CONFLICT ("tenant_id", "partner_id", "date") DO UPDATE SET {update}
    RETURNING partner_id, recommendation, recommended_tier_id, score""", next_actions=next_actions_json())
