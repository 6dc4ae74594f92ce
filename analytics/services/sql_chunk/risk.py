"""Churn risk (compute._churn with churn.model_scores or churn.rule_score) in SQL."""

from __future__ import annotations

import json

from analytics.models import PartnerHealthSnapshot as Snapshot
from analytics.services import churn
from analytics.services.sql_chunk.pieces import (
    INLINE,
    MATERIALIZED,
    Sql,
    compose,
    in_list,
    jarray,
    jnum,
    join,
    key,
    lit,
    param,
    round_float,
)

# --- Churn risk: compute._churn with churn.model_scores or churn.rule_score --------------------


def model_cte(model: dict) -> Sql:
    """`model`: the run's trained logistic regression (run.churn_model) as one row of parameters."""
    return compose("SELECT {mean} AS mean, {scale} AS scale, {coef} AS coef, {intercept} AS intercept",
                   mean=param([float(v) for v in model["mean"]], "float8[]"),
                   scale=param([float(v) for v in model["scale"]], "float8[]"),
                   coef=param([float(v) for v in model["coef"]], "float8[]"),
                   intercept=param(float(model["intercept"]), "float8"))


def model_inputs() -> list[str]:
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


def model_churn_ctes() -> list[tuple[str, Sql, str]]:
    """churn.model_scores for the scored statuses: contribution_j = (x_j − mean_j) / scale_j × coef_j,
    risk = sigmoid(Σ contributions + intercept), reasons = the three largest contributions above
    0.05 with the feature's stored value (ranked for all partners at once: one sort, no per-row one)."""
    contributions = ", ".join(f"({x} - m.mean[{j + 1}]) / m.scale[{j + 1}] * m.coef[{j + 1}] AS c{j}"
                              for j, x in enumerate(model_inputs()))
    logit = " + ".join(f"c{j}" for j in range(len(churn.FEATURES))) + " + m.intercept"
    # The JSON object of a kept reason: feature, its stored value, the contribution rounded.
    reason = ("CASE v.j " + " ".join(
        f"WHEN {j} THEN {key('feature', first=True)} || {lit(json.dumps(name))} || {key('value')} || {jnum(f's.{name}')}"
        for j, name in enumerate(churn.FEATURES)) + f" END || {key('contribution')} || "
        f"{jnum(round_float('v.contribution', 3))} || '}}'")
    candidates = ", ".join(f"({j}, cc.c{j})" for j in range(len(churn.FEATURES)))
    return [
        ("churn_contribution", compose(f"SELECT s.partner_id, {contributions} FROM scored s CROSS JOIN model m "
                                       "WHERE s.status IN {scored}", scored=in_list(churn.SCORED_STATUSES)), MATERIALIZED),
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


def rule_churn_ctes(note: str) -> list[tuple[str, Sql, str]]:
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
        "leads_expired": (f"s.lead_decisions_90 >= {int(churn.LEADS_EXPIRED_MIN_OFFERS)} "
                          "AND s.leads_expired_90 * 2 >= s.lead_decisions_90"),
    }
    value = {  # as JSON text
        "no_sign_in_30": jnum(days), "no_sign_in_14": jnum(days), "no_activity_30": "'0'",
        "activity_halved": "'[' || s.events_30 || ', ' || s.events_prev_30 || ']'",
        "no_deal_90": jnum("s.days_since_deal"), "onboarding_stalled": jnum("s.onboarding_completion"),
        "low_health": jnum("s.score"),
        "leads_expired": "'[' || s.leads_expired_90 || ', ' || s.lead_decisions_90 || ']'",
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
                              note=param(note[:300], "text"), scored=in_list(churn.SCORED_STATUSES)), INLINE)]


def churn_columns() -> Sql:
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
