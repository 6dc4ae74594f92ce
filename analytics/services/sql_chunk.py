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

The Python path stays the reference (and runs on SQLite): every expression below mirrors a
Python function named in its comment, and analytics/tests/test_sql_chunk.py checks, column by
column, that both paths store the same rows for a varied program.

How the statement is built: small named SQL pieces (`Sql`: text with `{name}` slots and bound
parameters). The feature aggregates are the very ORM querysets of analytics.services.features
(compiled, with their parameters), so both paths read exactly the same rows. Every value (dates,
settings, model coefficients, tier thresholds, course list, translated note) is a bound parameter;
only identifiers from the models' _meta, and the keys and codes of the JSON columns (written as
text, see `lit`), are written into the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from analytics.models import COMPONENT_KEYS
from analytics.models import PartnerHealthSnapshot as Snapshot
from analytics.services import actions as actions_mod
from analytics.services import churn, compute, features

# --- SQL pieces ------------------------------------------------------------------------------

# How a CTE runs (see chunk_statement).
INLINE, MATERIALIZED, FENCED = "inline", "materialized", "fenced"


@dataclass
class Sql:
    """SQL text whose `%s` placeholders take `params`, in order."""

    text: str
    params: list

    @classmethod
    def of(cls, queryset) -> Sql:
        text, params = queryset.query.sql_with_params()
        return cls(text, list(params))


def param(value, cast: str) -> Sql:
    """One bound parameter with an explicit type (no guessing by the server, and arrays that may be empty)."""
    return Sql(f"%s::{cast}", [value])


def compose(template: str, **pieces: Sql | str) -> Sql:
    """Fill the `{name}` slots of `template` with pieces, collecting their parameters in text order.
    Plain strings are SQL written here (never data). The template itself holds no placeholders."""
    assert "%s" not in template
    params: list = []

    def fill(match: re.Match) -> str:
        piece = pieces[match.group(1)]
        if isinstance(piece, Sql):
            params.extend(piece.params)
            return piece.text
        return piece

    text = re.sub(r"\{(\w+)\}", fill, template)
    return Sql(text, params)


def join(pieces: list[Sql], sep: str = ",\n") -> Sql:
    return Sql(sep.join(p.text for p in pieces), [v for p in pieces for v in p.params])


# Expressions that reproduce Python's arithmetic on one value (text in, text out; no data).

def cap(x: str) -> str:
    """scoring._cap: clamp to [0, 1]."""
    return f"greatest(0::float8, least(1::float8, {x}))"


def round_float(x: str, digits: int) -> str:
    """Python's round(float, n): PostgreSQL's round(float8) rounds half to even like Python does."""
    scale = 10 ** digits
    return f"(round(({x}) * {scale}) / {scale})"


def cents(x: str) -> str:
    """features._quantize: Decimal.quantize(0.01) rounds half to even; numeric round() would round
    half away from zero (MDF amounts converted at 8-decimal rates can end in exactly ½ cent)."""
    return (f"(CASE WHEN mod(({x}) * 100, 1) IN (0.5, -0.5) THEN 2 * round(({x}) * 50) "
            f"ELSE round(({x}) * 100) END / 100)::numeric(16, 2)")


# JSON written as text and parsed once per column (`::jsonb`). jsonb_build_object and its kin cost
# about 2 µs per object (each value turned into a JSON number through its text form, each nested
# object decoded again by its parent): they were half of a chunk's time. Text costs about a third
# of that, and jsonb orders keys and drops whitespace itself, so the stored values are the same.
# Literal pieces hold only JSON punctuation and this module's own keys and codes; values are
# numbers, booleans, or strings escaped by to_json.

def lit(text: str) -> str:
    """A SQL string literal of JSON punctuation, keys and codes written here (never data)."""
    assert "%" not in text and not re.search(r"\{\w+\}", text)
    return "'" + text.replace("'", "''") + "'"


def key(name: str, first: bool = False) -> str:
    """The text before a member's value: `{"name": ` or `, "name": `."""
    return lit(("{" if first else ", ") + json.dumps(name) + ": ")


def jnum(x: str) -> str:
    """A number (integer, numeric or float8) or null: PostgreSQL's text form of a number is JSON."""
    return f"coalesce(({x})::text, 'null')"


def jdigits(x: str) -> str:
    """A JSON string of a value whose text needs no escaping: a number's exact digits (money, as
    Python's str(Decimal)) or a UUID; x not null."""
    return f"('\"' || ({x})::text || '\"')"


def jstr(x: str) -> str:
    """A string, escaped, or null."""
    return f"coalesce(to_json(({x})::text)::text, 'null')"


def jobject(members: list[tuple[str, str]]) -> str:
    """A JSON object's text from (key, value's JSON text) pairs."""
    pieces = [part for i, (name, value) in enumerate(members) for part in (key(name, first=i == 0), value)]
    return "(" + " || ".join(pieces) + " || '}')"


def jarray(elements: list[str], limit: int | None = None) -> str:
    """A JSON array's text of the non-null element texts, in order, at most `limit` of them (a list
    built with `if ...: append(...)` in Python)."""
    if limit is None:
        return f"('[' || concat_ws(', ', {', '.join(elements)}) || ']')"
    kept = f"(array_remove(ARRAY[{', '.join(elements)}]::text[], NULL))[1:{int(limit)}]"
    return f"('[' || array_to_string({kept}, ', ') || ']')"


# --- Settings of the chunk: one row of named, bound values -----------------------------------


def _settings(ctx, run, w: features.Window, now) -> Sql:
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


def _sources(ctx, w: features.Window, first_id, last_id) -> list[tuple[str, Sql]]:
    """(CTE name, query) for each feature aggregate: the same querysets chunk_features runs."""
    tenant = ctx.tenant
    rates = features.currency_rates(tenant, ctx.day)
    certs = Sql.of(features.certification_query(tenant, w, first_id, last_id))
    return [
        ("partner", Sql.of(features.partner_query(tenant, w, first_id, last_id))),
        ("ev_kind", Sql.of(features.event_query(tenant, w, first_id, last_id))),
        ("ev", _event_columns()),
        ("si", Sql.of(features.sign_in_query(tenant, w, first_id, last_id))),
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


def _event_columns() -> Sql:
    """features._event_features per partner from `ev_kind`: the totals, the counts the features
    use, and "activity" ({kind: [30 days, 90 days]} for the known kinds seen in 90 days) as the
    JSON members' text, aggregated straight from the per-kind rows (no column per kind)."""
    return compose("""SELECT partner_id,
        sum(n30)::bigint AS e30, sum(n90)::bigint AS e90, sum(nprev)::bigint AS eprev,
        coalesce(sum(n30) FILTER (WHERE kind = {sign_in}), 0)::bigint AS sign_ins_30,
        coalesce(sum(n30) FILTER (WHERE kind IN ({viewed}, {downloaded})), 0)::bigint AS content_30,
        coalesce(sum(n90) FILTER (WHERE kind = {course}), 0)::bigint AS courses_90,
        -- the kinds kept are known identifiers: quoting them is enough
        string_agg('"' || kind || '": [' || n30 || ', ' || n90 || ']', ', ') FILTER (WHERE kind IN {kinds}) AS activity
    FROM ev_kind GROUP BY partner_id""",
                   sign_in=param("sign_in", "text"), viewed=param("content_viewed", "text"),
                   downloaded=param("content_downloaded", "text"), course=param("course_completed", "text"),
                   kinds=_in(features.ACTIVITY_KINDS))


def _feature() -> Sql:
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
        cfg.day - si.last_sign_in AS days_since_sign_in,
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


def _score() -> Sql:
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
    return Sql(f"""
    SELECT f.*, round({total})::int AS score, {values_kept}
    FROM feature f CROSS JOIN cfg
    CROSS JOIN LATERAL (SELECT {values} OFFSET 0) v
    CROSS JOIN LATERAL (SELECT {applicable} AS applicable OFFSET 0) a
    CROSS JOIN LATERAL (SELECT {points} OFFSET 0) p""", [])


# --- Churn risk: compute._churn with churn.model_scores or churn.rule_score --------------------


def _in(values) -> Sql:
    """`(%s, %s, …)` for a fixed list of values."""
    return Sql("(" + ", ".join(["%s"] * len(values)) + ")", list(values))


def _model(model: dict) -> Sql:
    """`model`: the run's trained logistic regression (run.churn_model) as one row of parameters."""
    return compose("SELECT {mean} AS mean, {scale} AS scale, {coef} AS coef, {intercept} AS intercept",
                   mean=param([float(v) for v in model["mean"]], "float8[]"),
                   scale=param([float(v) for v in model["scale"]], "float8[]"),
                   coef=param([float(v) for v in model["coef"]], "float8[]"),
                   intercept=param(float(model["intercept"]), "float8"))


def _model_inputs() -> list[str]:
    """churn.feature_matrix, per feature: missing sign-in = a year (capped there), missing
    onboarding = complete, anything else missing = 0; counts and money log-transformed."""
    inputs = []
    for name in churn.FEATURES:
        if name == "days_since_sign_in":
            x = f"least(coalesce(s.{name}, {int(churn.SIGN_IN_CAP)}), {int(churn.SIGN_IN_CAP)})::float8"
        elif name == "onboarding_completion":
            x = f"coalesce(s.{name}, 1)::float8"
        else:
            x = f"coalesce(s.{name}, 0)::float8"
        if name in churn.LOGGED:
            x = f"ln(1 + greatest({x}, 0))"
        inputs.append(x)
    return inputs


def _model_churn() -> list[tuple[str, Sql, str]]:
    """churn.model_scores for the scored statuses: contribution_j = (x_j − mean_j) / scale_j × coef_j,
    risk = sigmoid(Σ contributions + intercept), reasons = the three largest contributions above
    0.05 with the feature's stored value (ranked for all partners at once: one sort, no per-row one)."""
    contributions = ", ".join(f"({x} - m.mean[{j + 1}]) / m.scale[{j + 1}] * m.coef[{j + 1}] AS c{j}"
                              for j, x in enumerate(_model_inputs()))
    logit = " + ".join(f"c{j}" for j in range(len(churn.FEATURES))) + " + m.intercept"
    # The JSON object of a kept reason: feature, its stored value, the contribution rounded.
    reason = ("CASE v.j " + " ".join(
        f"WHEN {j} THEN {key('feature', first=True)} || {lit(json.dumps(name))} || {key('value')} || {jnum(f's.{name}')}"
        for j, name in enumerate(churn.FEATURES)) + f" END || {key('contribution')} || "
        f"{jnum(round_float('v.contribution', 3))} || '}}'")
    candidates = ", ".join(f"({j}, cc.c{j})" for j in range(len(churn.FEATURES)))
    return [
        ("churn_contribution", compose(f"SELECT s.partner_id, {contributions} FROM scored s CROSS JOIN model m "
                                       "WHERE s.status IN {scored}", scored=_in(churn.SCORED_STATUSES)), MATERIALIZED),
        # Contributions above 0.05 only are ranked (the others can never be reasons), and only the
        # three kept are turned into JSON with their partner's value.
        ("churn_reason", Sql(f"""
    SELECT v.partner_id, ('[' || string_agg({reason}, ', ' ORDER BY v.position) || ']')::jsonb AS reasons
    FROM (SELECT cc.partner_id, c.j, c.contribution,
                 row_number() OVER (PARTITION BY cc.partner_id ORDER BY c.contribution DESC, c.j) AS position
          FROM churn_contribution cc CROSS JOIN LATERAL (VALUES {candidates}) c(j, contribution)
          WHERE c.contribution > 0.05) v
    JOIN scored s ON s.partner_id = v.partner_id
    WHERE v.position <= 3
    GROUP BY v.partner_id""", []), INLINE),
        ("churn", compose(f"""
    SELECT cc.partner_id,
        {round_float(f'1 / (1 + exp(-greatest(-60, least(60, {logit}))))', 4)} AS risk,
        coalesce(r.reasons, '[]'::jsonb) AS reasons, {{method}} AS method, '' AS note
    FROM churn_contribution cc CROSS JOIN model m LEFT JOIN churn_reason r ON r.partner_id = cc.partner_id""",
                          method=param(Snapshot.ChurnMethod.MODEL.value, "text")), INLINE),
    ]


def _rule_churn(note: str) -> list[tuple[str, Sql, str]]:
    """churn.rule_score for the scored statuses: each rule that fires adds its weight (base 0.05,
    capped at 0.95); the reasons are the three heaviest, with the value that fired them."""
    weights = dict(churn.RULES)
    days = "s.days_since_sign_in"
    fires = {
        "no_sign_in_30": f"{days} IS NULL OR {days} >= 30",
        "no_sign_in_14": f"{days} >= 14 AND {days} < 30",
        "no_activity_30": "s.events_30 = 0",
        "activity_halved": "s.events_30 <> 0 AND s.events_prev_30 <> 0 AND s.events_30 * 2 <= s.events_prev_30",
        "no_deal_90": "s.status = 'active' AND s.deals_registered_90 = 0",
        "onboarding_stalled": "s.onboarding_completion < 1 AND s.tenure_days > 60",
        "low_health": "s.score < 40",
    }
    value = {  # as JSON text
        "no_sign_in_30": jnum(days), "no_sign_in_14": jnum(days), "no_activity_30": "'0'",
        "activity_halved": "'[' || s.events_30 || ', ' || s.events_prev_30 || ']'",
        "no_deal_90": jnum("s.days_since_deal"), "onboarding_stalled": jnum("s.onboarding_completion"),
        "low_health": jnum("s.score"),
    }
    assert set(fires) == set(weights) == set(value)
    # Python adds the fired weights in rule order, and its stable sort by weight keeps rule order
    # among equal weights: the reasons array is built in that sorted order and cut at three.
    total = join([compose(f"CASE WHEN {fires[rule]} THEN {{w}} ELSE 0::float8 END", w=param(w, "float8"))
                  for rule, w in churn.RULES], " + ")
    # The rule and its weight are constants of churn.RULES (json.dumps of a float is its shortest
    # exact form, as PostgreSQL writes a float8).
    reasons = [f"CASE WHEN {fires[rule]} THEN "
               f"{key('rule', first=True)} || {lit(json.dumps(rule))} || {key('contribution')} || {lit(json.dumps(w))} "
               f"|| {key('value')} || {value[rule]} || '}}' END"
               for rule, w in sorted(churn.RULES, key=lambda rw: -rw[1])]
    return [("churn", compose(f"""
    SELECT s.partner_id,
        {round_float('least({cap}, {base} + ({total}))', 4)} AS risk,
        {jarray(reasons, limit=3)}::jsonb AS reasons,
        {{method}} AS method, {{note}} AS note
    FROM scored s WHERE s.status IN {{scored}}""",
                              cap=param(churn.RULE_CAP, "float8"), base=param(churn.RULE_BASE, "float8"), total=total,
                              method=param(Snapshot.ChurnMethod.RULES.value, "text"),
                              note=param(note[:300], "text"), scored=_in(churn.SCORED_STATUSES)), INLINE)]


def _churn_columns() -> Sql:
    """compute._churn: active and onboarding partners get the estimate (`ch`, the `churn` CTE);
    churned ones are certain; suspended ones and prospects are not scored."""
    return compose("""
        CASE WHEN ch.partner_id IS NOT NULL THEN ch.risk WHEN s.status = 'churned' THEN 1::float8 ELSE 0::float8 END
            AS churn_risk,
        coalesce(ch.method, {rules}) AS churn_method,
        CASE WHEN ch.partner_id IS NOT NULL THEN ch.reasons
             WHEN s.status = 'churned' THEN {churned}::jsonb
             ELSE '[]'::jsonb END AS churn_reasons,
        coalesce(ch.note, '') AS churn_note""", rules=param(Snapshot.ChurnMethod.RULES.value, "text"),
                   churned=lit(json.dumps([{"rule": "status_churned"}])))


# --- Tier evaluation: tier_eval.evaluate --------------------------------------------------------


def _ladder(tiers: list) -> Sql:
    """`ladder`: the tenant's tiers by rank with the thresholds partners.services.tiers._requirements
    sets (NULL: no such requirement), one array parameter per column (empty when there are no tiers)."""
    from partners import metrics
    from partners.services.tiers import _requirements

    columns: dict[str, list] = {"ord": [], "tier_id": [], "rank": [], "name": [], "min_revenue": [],
                                "min_certs": [], "min_health": []}
    by_metric = {metrics.WON_REVENUE_12M: "min_revenue", metrics.ACTIVE_CERTIFICATIONS: "min_certs",
                 metrics.HEALTH_SCORE: "min_health"}
    for i, tier in enumerate(tiers):
        required = {by_metric[metric]: value for metric, _label, value in _requirements(tier)}
        for key, value in (("ord", i), ("tier_id", tier.pk), ("rank", tier.rank), ("name", tier.name),
                           ("min_revenue", required.get("min_revenue")), ("min_certs", required.get("min_certs")),
                           ("min_health", required.get("min_health"))):
            columns[key].append(value)
    types = {"ord": "int[]", "tier_id": "uuid[]", "rank": "int[]", "name": "text[]", "min_revenue": "numeric[]",
             "min_certs": "int[]", "min_health": "int[]"}
    arrays = join([param(columns[key], types[key]) for key in columns], ", ")
    return compose("SELECT ord, tier_id, rank, name, min_revenue::numeric(14, 2) AS min_revenue, min_certs, "
                   f"min_health FROM unnest({{arrays}}) AS t({', '.join(columns)})", arrays=arrays)


def _meets(tier: str) -> str:
    """A requirement is met when the value reaches the threshold (tier_eval.evaluate)."""
    return (f"(({tier}.min_revenue IS NULL OR s.won_revenue_12m >= {tier}.min_revenue) "
            f"AND ({tier}.min_certs IS NULL OR s.active_certifications >= {tier}.min_certs) "
            f"AND ({tier}.min_health IS NULL OR s.score >= {tier}.min_health))")


def _requirements(tier: str) -> list[tuple[str, str, str, str, str]]:
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


def _missing(tier: str) -> str:
    """tier_eval._missing: the unmet requirements of one tier, in requirement order (JSON text)."""
    return jarray([f"CASE WHEN {unmet} THEN "
                   + jobject([("metric", lit(json.dumps(metric))), ("required", required), ("actual", actual),
                              ("met", "'false'")]) + " END"
                   for unmet, metric, required, actual, _gap in _requirements(tier)])


def _gaps(tier: str) -> str:
    """actions.next_actions "reach_tier" missing: each unmet requirement of the tier with how much is
    missing, as a string (Decimal's text in Python: money with two decimals, counts as integers)."""
    return jarray([f"CASE WHEN {unmet} THEN "
                   + jobject([("metric", lit(json.dumps(metric))), ("gap", jdigits(gap))]) + " END"
                   for unmet, metric, _required, _actual, gap in _requirements(tier)])


def _tier_reach() -> str:
    """Per partner, from one pass over the ladder (one subplan per row: [first tier whose
    requirements are unmet, top, the current tier]): the tier reached (climbing the ladder while
    every tier's requirements are met, the entry tier at least), the ladder position of its current
    tier (NULL: none, or no tiers), and the next tier: the first above both. The ladder is in rank
    order and ranks are unique, so that is the one after the higher of the two."""
    ords = (f"(SELECT ARRAY[min(l.ord) FILTER (WHERE NOT {_meets('l')}), max(l.ord), "
            "min(l.ord) FILTER (WHERE l.tier_id = s.tier_id)] FROM ladder l)")
    return f"""SELECT partner_id, reached_ord, current_ord,
        CASE WHEN greatest(current_ord, reached_ord) < top THEN greatest(current_ord, reached_ord) + 1 END AS next_ord
    FROM (SELECT partner_id, CASE WHEN a[1] IS NULL THEN a[2] ELSE greatest(a[1] - 1, 0) END AS reached_ord,
                 a[3] AS current_ord, a[2] AS top
          FROM (SELECT s.partner_id, {ords} AS a FROM scored s OFFSET 0) per_row) t"""


# --- The chunk's summary: summary.chunk_summary over the rows as written -----------------------


def _summary_aggregates(value) -> dict[str, str]:
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


def _summary() -> list[tuple[str, Sql, str]]:
    """`summary_groups` (summary.summary_groups of the chunk) and `new_proposals`
    (summary.new_proposal_counts), from the `evaluated` rows with the values the insert writes
    (_columns), so closing the chunk reads none of its rows back. Money sums are JSON strings with
    their exact cents, as summary._plain stores them; UUIDs are JSON strings too."""
    from analytics.models import SnapshotSummary

    columns = _columns()
    money = {f.name for f in SnapshotSummary._meta.fields if f.get_internal_type() == "DecimalField"}
    figures = ", ".join(f"({expr}){'::text' if name in money else ''} AS {name}"
                        for name, expr in _summary_aggregates(columns.__getitem__).items())
    segment = ", ".join(f"{columns[name]} AS {name}" for name in ("tier_id", "partner_type_id", "status"))
    groups = Sql(f"""SELECT {segment}, e.regions, {figures}
        FROM evaluated e CROSS JOIN cfg GROUP BY 1, 2, 3, 4""", [])
    table = connection.ops.quote_name(Snapshot._meta.db_table)
    proposals = Sql(f"""SELECT e.owner_id, count(*) AS n
        FROM evaluated e CROSS JOIN cfg
        WHERE cfg.mover_action = cfg.proposed AND {MOVER}
          -- a scalar subquery, not NOT EXISTS: the planner would make that an anti join that reads
          -- every stored snapshot; this looks each proposal's partner up in the unique index
          AND e.recommended_tier_id IS DISTINCT FROM (
              SELECT prev.recommended_tier_id FROM {table} prev
              WHERE prev.tenant_id = cfg.tenant_id AND prev.partner_id = e.partner_id
                AND prev.date = cfg.previous_day AND prev.tier_action = cfg.proposed)
        GROUP BY e.owner_id""", [])
    return [("summary_groups", groups, INLINE), ("new_proposals", proposals, INLINE)]


# --- Putting it together ----------------------------------------------------------------------


def _courses(courses: list) -> tuple[Sql, Sql]:
    """`course` (actions.course_options, in its order) and `course_type` (its partner-type limits)."""
    course = compose("SELECT * FROM unnest({ord}, {id}, {title}, {min_rank}) AS c(ord, id, title, min_rank)",
                     ord=param(list(range(len(courses))), "int[]"), id=param([c.id for c in courses], "uuid[]"),
                     title=param([c.title for c in courses], "text[]"),
                     min_rank=param([c.min_rank for c in courses], "int[]"))
    pairs = [(c.id, t) for c in courses for t in sorted(c.partner_type_ids, key=str)]
    course_type = compose("SELECT * FROM unnest({course}, {type}) AS ct(course_id, type_id)",
                          course=param([c for c, _t in pairs], "uuid[]"), type=param([t for _c, t in pairs], "uuid[]"))
    return course, course_type


def _evaluated() -> Sql:
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
                   churn_columns=_churn_columns(), current_missing=_missing("lc"), next_missing=_missing("ln"),
                   next_gaps=_gaps("ln"))


def _next_actions() -> Sql:
    """actions.next_actions over an `evaluated` row `e`: codes with parameters, in rule order, at most
    MAX_ACTIONS + 1; none for prospects, suspended and churned partners."""
    def action(code: str, *members: tuple[str, str]) -> str:
        return jobject([("code", lit(json.dumps(code))), *members])

    first_course = f"""(SELECT {action("take_course", ("course_id", jdigits("c.id")), ("title", jstr("c.title")))}
         FROM course c
         WHERE NOT c.id = ANY(e.courses_held)
           AND (c.min_rank IS NULL OR coalesce(e.tier_rank, 0) >= c.min_rank)
           AND (NOT EXISTS (SELECT 1 FROM course_type ct WHERE ct.course_id = c.id)
                OR EXISTS (SELECT 1 FROM course_type ct WHERE ct.course_id = c.id AND ct.type_id = e.partner_type_id))
         ORDER BY c.ord LIMIT 1)"""
    elements = [
        "CASE WHEN e.onboarding_completion < 1 THEN "
        f"{action('finish_onboarding', ('percent', jnum('round(e.onboarding_completion * 100)::int')))} END",
        "CASE WHEN e.next_tier_missing <> '[]'::jsonb AND e.next_tier_name <> '' THEN "
        f"{action('reach_tier', ('tier', jstr('e.next_tier_name')), ('missing', 'e.next_tier_gaps'))} END",
        "CASE WHEN e.active_certifications < cfg.actions_certifications_target OR e.next_needs_certs "
        f"THEN {first_course} END",
        "CASE WHEN e.transacts AND e.status = 'active' AND (e.days_since_deal IS NULL OR e.days_since_deal > "
        f"cfg.no_deal_days) THEN {action('no_recent_deal', ('days', jnum('e.days_since_deal')))} END",
        "CASE WHEN e.mdf_allocated > 0 AND coalesce(e.mdf_utilisation, 0) < cfg.mdf_unused_below THEN "
        f"{action('mdf_unused', ('available', jdigits('e.mdf_allocated - e.mdf_used')))} END",
        "CASE WHEN e.days_since_sign_in IS NULL OR e.days_since_sign_in >= cfg.reengage_days THEN "
        f"{action('reengage', ('days', jnum('e.days_since_sign_in')))} END",
    ]
    return Sql(f"CASE WHEN e.status IN ('active', 'onboarding') "
               f"THEN {jarray(elements, limit=actions_mod.MAX_ACTIONS + 1)}::jsonb ELSE '[]'::jsonb END", [])


# compute.apply_tier_changes: the partners whose tier should change.
MOVER = "e.recommendation IN ('promote', 'demote') AND e.recommended_tier_id IS NOT NULL"


def _columns() -> dict[str, str]:
    """{snapshot column attname: its value in the final SELECT over `evaluated e`}: every concrete field."""
    from analytics.services.compute import SNAPSHOT_FIELDS

    values = {
        "id": "gen_random_uuid()", "tenant_id": "cfg.tenant_id", "partner_id": "e.partner_id", "date": "cfg.day",
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


def _insert() -> Sql:
    """INSERT … SELECT … ON CONFLICT: one row per (tenant, partner, date); a re-run replaces every
    computed column (compute.UPDATE_FIELDS), as compute.upsert does. RETURNING what the tier
    changes need."""
    from analytics.services.compute import UPDATE_FIELDS

    meta = Snapshot._meta
    columns = _columns()
    quote = connection.ops.quote_name
    quoted = {f.attname: quote(f.column) for f in meta.concrete_fields}
    update = ", ".join(f"{quote(meta.get_field(name).column)} = EXCLUDED.{quote(meta.get_field(name).column)}"
                       for name in UPDATE_FIELDS)
    return compose(f"""INSERT INTO {quote(meta.db_table)} ({', '.join(quoted[name] for name in columns)})
    SELECT {', '.join(columns.values())}
    FROM evaluated e CROSS JOIN cfg
    ON CONFLICT ("tenant_id", "partner_id", "date") DO UPDATE SET {update}
    RETURNING partner_id, recommendation, recommended_tier_id, score""", next_actions=_next_actions())


def _cte(name: str, query: Sql, mode: str) -> Sql:
    if mode == FENCED:
        return Sql(f"{name} AS (\n{query.text}\nOFFSET 0\n)", query.params)
    return Sql(f"{name} AS {'MATERIALIZED ' if mode == MATERIALIZED else ''}(\n{query.text}\n)", query.params)


def chunk_statement(ctx, run, first_id, last_id, *, now=None) -> Sql:
    """The whole chunk as one statement. Its result is one row: (rows written, and the partners
    whose tier should move: ids, recommendations, recommended tiers, scores)."""
    w = features.Window(ctx.day)
    course, course_type = _courses(ctx.courses)
    # How each CTE is run. INLINE: pasted into its reader. MATERIALIZED: computed once into a
    # tuplestore, for the steps that several later ones read (inlined, PostgreSQL would evaluate its
    # expressions again at every use). FENCED: for a step read exactly once: inlined as a subquery
    # that OFFSET 0 keeps whole, so each row's expressions are computed once and handed up as they
    # are, without storing and copying the wide rows.
    ctes: list[tuple[str, Sql, str]] = [
        ("cfg", _settings(ctx, run, w, now or timezone.now()), INLINE),
        *[(name, query, INLINE) for name, query in _sources(ctx, w, first_id, last_id)],
        ("feature", _feature(), FENCED),
        ("scored", _score(), MATERIALIZED),
        ("ladder", _ladder(ctx.tiers), MATERIALIZED),
        ("tier_reach", Sql(_tier_reach(), []), MATERIALIZED),
        ("course", course, MATERIALIZED),
        ("course_type", course_type, MATERIALIZED),
    ]
    if ctx.model.get("method") == "model":
        ctes += [("model", _model(ctx.model), MATERIALIZED), *_model_churn()]
    else:
        ctes += _rule_churn(churn.rules_note(ctx.model))
    ctes += [("evaluated", _evaluated(), MATERIALIZED), ("written", _insert(), INLINE), *_summary()]
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
