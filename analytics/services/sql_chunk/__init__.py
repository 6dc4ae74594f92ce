"""PostgreSQL: one chunk of a health run as ONE set-based statement.

The Python path (compute.compute_rows + compute.upsert) reads a chunk's features, then scores,
estimates churn, evaluates tiers and suggests next actions partner by partner, and writes the rows
back. For 5,000 partners that is ~1.5 s of Python and data shipping per chunk. Here the database
does all of it in

    WITH <settings> , <feature aggregates> , <features> , <score> , <churn, tiers>
    INSERT INTO analytics_partnerhealthsnapshot (...) SELECT ... ON CONFLICT (tenant, partner, date) DO UPDATE

and sends back one row: how many partners it wrote, how many should change tier, and the chunk's
summary for closing the run (summary.chunk_summary: per-segment sums and new proposals per owner,
summed up from the rows as they are written rather than read back). A tenant
that reviews tier changes gets them marked proposed in the insert itself; under automatic tier
evaluation the statement also returns those partners (promote/demote), whose changes are then made
by compute.apply_tier_changes as on the Python path and recorded with one UPDATE of their tier_action.

The Python path stays the reference (and runs on SQLite): every expression in this package
mirrors a Python function named in its comment, and analytics/tests/test_sql_chunk.py checks, column by
column, that both paths store the same rows for a varied program.

How the statement is built: small named SQL pieces (`Sql`: text with `{name}` slots and bound
parameters). The feature aggregates are the very ORM querysets of analytics.services.features
(compiled, with their parameters), so both paths read exactly the same rows. Every value (dates,
settings, model coefficients, tier thresholds, course list, translated note) is a bound parameter;
only identifiers from the models' _meta, and the keys and codes of the JSON columns (written as
text, see `lit`), are written into the text.

One module per step: `pieces` (Sql and the JSON-as-text helpers), `inputs` (the settings row and
the feature aggregates), `score`, `risk` (churn), `tiers` (the ladder, the tier reached, the evaluated
row), `actions` (course options, next actions), `rows` (every column's value and the upsert) and
`summary` (the chunk's summary groups and new proposals). This module puts them together
(chunk_statement) and runs the statement (write_chunk).
"""

from __future__ import annotations

import json

from django.db import connection
from django.utils import timezone

from analytics.models import PartnerHealthSnapshot as Snapshot
from analytics.services import churn, compute, features
from analytics.services.sql_chunk.actions import course_ctes
from analytics.services.sql_chunk.inputs import feature_cte, settings_cte, source_ctes
from analytics.services.sql_chunk.pieces import FENCED, INLINE, MATERIALIZED, Sql, join
from analytics.services.sql_chunk.risk import model_churn_ctes, model_cte, rule_churn_ctes
from analytics.services.sql_chunk.rows import MOVER, insert_cte
from analytics.services.sql_chunk.score import scored_cte
from analytics.services.sql_chunk.summary import summary_ctes
from analytics.services.sql_chunk.tiers import evaluated_cte, ladder_cte, tier_reach_cte

# --- Putting it together ----------------------------------------------------------------------


def _cte(name: str, query: Sql, mode: str) -> Sql:
    if mode == FENCED:
        return Sql(f"{name} AS (\n{query.text}\nOFFSET 0\n)", query.params)
    return Sql(f"{name} AS {'MATERIALIZED ' if mode == MATERIALIZED else ''}(\n{query.text}\n)", query.params)


def chunk_statement(ctx, run, first_id, last_id, *, now=None) -> Sql:
    """The whole chunk as one statement. Its result is one row: rows written, movers, the partners
    whose tier should move (ids, recommendations, recommended tiers, scores: under automatic tier
    evaluation only), and the chunk's summary groups and new proposals per owner (JSON text)."""
    w = features.Window(ctx.day)
    course, course_type = course_ctes(ctx.courses)
    # How each CTE is run. INLINE: pasted into its reader. MATERIALIZED: computed once into a
    # tuplestore, for the steps that several later ones read (inlined, PostgreSQL would evaluate its
    # expressions again at every use). FENCED: for a step read exactly once: inlined as a subquery
    # that OFFSET 0 keeps whole, so each row's expressions are computed once and handed up as they
    # are, without storing and copying the wide rows.
    ctes: list[tuple[str, Sql, str]] = [
        ("cfg", settings_cte(ctx, run, w, now or timezone.now()), INLINE),
        *[(name, query, INLINE) for name, query in source_ctes(ctx, w, first_id, last_id)],
        ("feature", feature_cte(), FENCED),
        ("scored", scored_cte(), MATERIALIZED),
        ("ladder", ladder_cte(ctx.tiers), MATERIALIZED),
        ("tier_reach", Sql(tier_reach_cte(), []), MATERIALIZED),
        ("course", course, MATERIALIZED),
        ("course_type", course_type, MATERIALIZED),
    ]
    if ctx.model.get("method") == "model":
        ctes += [("model", model_cte(ctx.model), MATERIALIZED), *model_churn_ctes()]
    else:
        ctes += rule_churn_ctes(churn.rules_note(ctx.model))
    ctes += [("evaluated", evaluated_cte(), MATERIALIZED), ("written", insert_cte(), INLINE),
             *summary_ctes(previous_day=ctx.previous_day is not None)]
    with_list = join([_cte(name, query, mode) for name, query, mode in ctes])
    # Only under automatic tier evaluation are the movers needed back (their changes are made one
    # by one in Python); otherwise their rows already say what happens, and a count is enough.
    mover = MOVER.replace("e.", "")
    fields = "partner_id, recommendation, recommended_tier_id, score"
    movers = ", ".join(f"array_agg({f}) FILTER (WHERE {mover})" for f in fields.split(", ")) \
        if compute.uniform_tier_action(ctx) is None else "NULL, NULL, NULL, NULL"
    summary = ("(SELECT coalesce(json_agg(g), '[]')::text FROM summary_groups g), "
               "(SELECT coalesce(json_agg(json_build_array(p.owner_id, p.n)), '[]')::text FROM new_proposals p)")
    return Sql(f"WITH {with_list.text}\nSELECT count(*), count(*) FILTER (WHERE {mover}), {movers}, {summary} "
               f"FROM written", with_list.params)


def write_chunk(ctx, run, first_id, last_id) -> tuple[int, dict, dict]:
    """Compute and store one chunk (caller holds the transaction). Tier changes follow the tenant's
    setting as in compute.apply_tier_changes: proposed (or none) is written with the rows; automatic
    changes are made for the movers afterwards and recorded on their rows (one UPDATE).
    Returns (partners written, tier change counts, the chunk's summary as summary.chunk_summary
    gives it)."""
    statement = chunk_statement(ctx, run, first_id, last_id)
    with connection.cursor() as cursor:
        # Every join in the statement pairs per-partner row sets, which hash joins do in one pass.
        # The planner cannot know the sizes of the CTEs: on tables without fresh statistics (a new
        # tenant) it guesses one row each and nests loops, re-running whole aggregates per partner
        # (a 126-partner chunk took 29 s instead of 0.07 s). SET LOCAL ends with the transaction;
        # the previous value is restored at once for whatever the transaction does next.
        cursor.execute("SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)")
        previous = cursor.fetchone()[0]
        cursor.execute(statement.text, statement.params)
        written, moving, ids, recommendations, tiers, scores, groups, proposals = cursor.fetchone()
        summary = {"groups": json.loads(groups), "proposals": json.loads(proposals)}
        cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [previous])
        counts = {"applied": 0, "scheduled": 0, "proposed": 0}
        action = compute.uniform_tier_action(ctx)
        if action == Snapshot.TierAction.PROPOSED:
            counts["proposed"] = moving
        if action is not None or not moving:
            return written, counts, summary
        movers = [{"partner_id": pid, "recommendation": rec, "recommended_tier_id": tier, "score": score,
                   "tier_action": Snapshot.TierAction.NONE}
                  for pid, rec, tier, score in zip(ids, recommendations, tiers, scores, strict=True)]
        counts = compute.apply_tier_changes(ctx, movers)
        acted = [m for m in movers if m["tier_action"] != Snapshot.TierAction.NONE]
        if acted:
            table = connection.ops.quote_name(Snapshot._meta.db_table)
            cursor.execute(
                f"UPDATE {table} s SET tier_action = a.action "
                f"FROM unnest(%s::uuid[], %s::text[]) AS a(partner_id, action) "
                f"WHERE s.tenant_id = %s AND s.date = %s AND s.partner_id = a.partner_id",
                [[m["partner_id"] for m in acted], [str(m["tier_action"]) for m in acted], ctx.tenant.pk, ctx.day])
    return written, counts, summary


def enabled() -> bool:
    """The set-based path runs on PostgreSQL; elsewhere (SQLite) compute_rows + upsert do the work."""
    return connection.vendor == "postgresql"
