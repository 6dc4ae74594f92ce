"""Exact features, scores, components, churn estimates, tier evaluation and next actions on the
hand-built program of conftest.py (worked out by hand in the comments)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analytics.models import HealthRun, PartnerHealthSnapshot
from analytics.services.runs import health_compute
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def _run(tenant, day):
    with tenant_scope(tenant):
        result = health_compute(tenant=tenant, day=day)
        assert result.run.status == HealthRun.Status.DONE, result.run.error
        return {s.partner.name: s for s in PartnerHealthSnapshot.objects.filter(date=day).select_related("partner")}


def test_features_come_out_of_the_set_based_queries_exactly(tenant, program, day):
    n = _run(tenant, day)["Northwind"]
    assert (n.events_30, n.events_prev_30, n.events_90) == (10, 5, 15)
    assert (n.sign_ins_30, n.content_30) == (4, 6)
    assert n.activity == {"sign_in": [4, 4], "content_viewed": [6, 11]}
    assert n.days_since_sign_in == 3
    assert n.deals_registered_90 == 2          # 10 and 50 days ago; the one 100 days ago is older
    assert (n.deals_won_12m, n.deals_lost_12m, n.win_rate) == (1, 1, 0.5)
    assert n.won_revenue_30 == Decimal("30000.00") and n.won_revenue_12m == Decimal("30000.00")
    assert n.open_pipeline == Decimal("22000.00")  # approved 12,000 + submitted 10,000
    assert n.days_since_deal == 10
    assert n.onboarding_completion == 0.75
    assert n.active_certifications == 1
    assert (n.mdf_allocated, n.mdf_used, n.mdf_utilisation) == (Decimal("10000.00"), Decimal("2500.00"), 0.25)
    assert n.tenure_days == 200


def test_northwind_scores_64_with_every_component_applying(tenant, program, day):
    n = _run(tenant, day)["Northwind"]
    # activity 10/20 = 0.5 → 12.5; recency 3 days ≤ 7 → 1 → 15; trend 0.5 + (10−5)/20 = 0.75 → 7.5;
    # deals 2/3 → 10; wins 1/2 → 5; onboarding 0.75 → 7.5; certifications 1/2 → 5; MDF 0.25 → 1.25
    expected = {"activity": (0.5, 12.5), "recency": (1.0, 15.0), "trend": (0.75, 7.5), "deals": (0.6667, 10.0),
                "wins": (0.5, 5.0), "onboarding": (0.75, 7.5), "certifications": (0.5, 5.0), "mdf": (0.25, 1.25)}
    assert {k: (v["value"], v["points"]) for k, v in n.components.items()} == expected
    assert all(v["applies"] for v in n.components.values())
    assert n.score == 64  # 63.75 rounded


def test_contoso_scores_6_with_inapplicable_components_left_out(tenant, program, day):
    c = _run(tenant, day)["Contoso"]
    # Applicable weights: activity 25 + recency 15 + trend 10 + deals 15 + certifications 10 = 75.
    # Recency (60 − 45) / (60 − 7) = 0.28302 → 100 × 15 × 0.28302 / 75 = 5.66; everything else 0.
    assert c.components["recency"] == {"value": 0.283, "weight": 15, "points": 5.66, "applies": True,
                                       "max_points": 20.0}  # 15 of the 75 applicable: a fifth of 100
    assert c.components["trend"]["value"] == 0.0  # 0 now against 4 before
    for key in ("wins", "onboarding", "mdf"):
        assert c.components[key] == {"value": None, "weight": c.components[key]["weight"], "points": 0.0,
                                     "applies": False, "max_points": 0.0}
    assert c.score == 6


def test_without_history_churn_risk_is_the_transparent_rule_estimate_and_says_so(tenant, program, day):
    snapshots = _run(tenant, day)
    c, n = snapshots["Contoso"], snapshots["Northwind"]
    # 0.05 + no sign-in for 30+ days 0.30 + no activity 0.25 + no deal in 90 days 0.15 + health < 40 0.15
    assert c.churn_risk == 0.9
    assert [r["rule"] for r in c.churn_reasons] == ["no_sign_in_30", "no_activity_30", "no_deal_90"]
    assert c.churn_method == "rules" and "not enough history" in c.churn_note
    # The three heaviest rules with the values that fired them (low health, 0.15 like no deal, comes later).
    assert c.churn_reasons == [{"rule": "no_sign_in_30", "contribution": 0.3, "value": 45},
                               {"rule": "no_activity_30", "contribution": 0.25, "value": 0},
                               {"rule": "no_deal_90", "contribution": 0.15, "value": None}]
    # 0.05 + onboarding still incomplete after 60 days 0.10
    assert n.churn_risk == 0.15 and n.churn_reasons == [{"rule": "onboarding_stalled", "contribution": 0.1,
                                                          "value": 0.75}]


def test_tier_evaluation_uses_the_partners_requirement_check(tenant, program, day):
    snapshots = _run(tenant, day)
    n, c = snapshots["Northwind"], snapshots["Contoso"]
    assert (n.recommendation, n.recommended_tier_id) == ("keep", program["registered"].pk)
    assert n.next_tier_id == program["silver"].pk
    assert n.next_tier_missing == [{"metric": "won_revenue_12m", "required": "50000.00", "actual": "30000.00",
                                    "met": False}]
    # Contoso holds Silver with no revenue and no certification: demote, proposed to a manager (tenant default).
    assert (c.recommendation, c.recommended_tier_id, c.tier_action) == ("demote", program["registered"].pk, "proposed")
    assert {m["metric"] for m in c.tier_missing} == {"won_revenue_12m", "active_certifications"}


def test_next_best_actions_follow_the_rules(tenant, program, day):
    snapshots = _run(tenant, day)
    n, c = snapshots["Northwind"], snapshots["Contoso"]
    assert [a["code"] for a in n.next_actions] == ["finish_onboarding", "reach_tier", "take_course"]
    assert n.next_actions[1]["missing"] == [{"metric": "won_revenue_12m", "gap": "20000.00"}]
    assert n.next_actions[2]["title"] == "Security specialist"  # the course it is not certified in yet
    assert [a["code"] for a in c.next_actions] == ["take_course", "no_recent_deal", "reengage"]
    assert c.next_actions[-1]["days"] == 45
    # Exactly as stored (codes and parameters; sentences are made when shown).
    assert n.next_actions[0] == {"code": "finish_onboarding", "percent": 75}
    assert n.next_actions[1] == {"code": "reach_tier", "tier": "Silver",
                                 "missing": [{"metric": "won_revenue_12m", "gap": "20000.00"}]}
    assert set(n.next_actions[2]) == {"code", "course_id", "title"}
    assert c.next_actions[1:] == [{"code": "no_recent_deal", "days": None}, {"code": "reengage", "days": 45}]


def test_tier_progress_reads_as_a_sentence(tenant, program, day):
    from analytics.texts import tier_progress

    n = _run(tenant, day)["Northwind"]
    with tenant_scope(tenant):
        n = PartnerHealthSnapshot.objects.select_related("next_tier").get(pk=n.pk)
        assert tier_progress(n, "USD") == "USD 20,000 more won revenue to reach Silver"


def test_changed_weights_change_the_score(tenant, program, day):
    from analytics.services.program import analytics_settings_update

    with tenant_scope(tenant):
        analytics_settings_update(tenant=tenant, actor=None, data={
            "weight_activity": 100, "weight_recency": 0, "weight_trend": 0, "weight_deals": 0, "weight_wins": 0,
            "weight_onboarding": 0, "weight_certifications": 0, "weight_mdf": 0})
    assert _run(tenant, day)["Northwind"].score == 50  # activity alone: 10 / 20


def test_a_snapshot_keeps_its_component_values_and_the_weights_it_was_scored_with(tenant, program, day):
    """The breakdown is derived from what the row stores, so a later change of weights does not
    rewrite the points of earlier snapshots."""
    from analytics.services.program import analytics_settings_update

    n = _run(tenant, day)["Northwind"]
    assert n.component_values == {"activity": 0.5, "recency": 1.0, "trend": 0.75, "deals": 2 / 3, "wins": 0.5,
                                  "onboarding": 0.75, "certifications": 0.5, "mdf": 0.25}
    assert n.component_weights == {"activity": 25, "recency": 15, "trend": 10, "deals": 15, "wins": 10,
                                   "onboarding": 10, "certifications": 10, "mdf": 5}
    with tenant_scope(tenant):
        analytics_settings_update(tenant=tenant, actor=None, data={"weight_activity": 100})
        stored = PartnerHealthSnapshot.objects.get(pk=n.pk)
    assert stored.components["activity"] == {"value": 0.5, "weight": 25, "points": 12.5, "applies": True,
                                             "max_points": 25.0}
    assert round(sum(c["points"] for c in stored.components.values())) == stored.score == 64


def test_tier_evaluation_agrees_with_the_partners_requirement_check(tenant, program, day):
    """The nightly evaluation applies partners.services.tiers' rules in bulk; partner by partner,
    `tier_requirements_check` must reach the same tier and name the same missing requirements."""
    from partners.services.tiers import tier_recommendation, tier_requirements_check

    snapshots = _run(tenant, day)
    with tenant_scope(tenant):
        ids = [p.pk for p in (program["northwind"], program["contoso"])]
        reached = tier_recommendation(tenant=tenant, partner_ids=ids, as_of=day)
        checks = tier_requirements_check(tenant=tenant, partner_ids=ids, as_of=day)
    for partner in (program["northwind"], program["contoso"]):
        snapshot = snapshots[partner.name]
        assert snapshot.recommended_tier_id == reached[partner.pk].pk
        by_tier = {c.tier.pk: c for c in checks[partner.pk]}
        if snapshot.recommendation == "demote":
            expected = [r.as_dict() for r in by_tier[partner.tier_id].missing]
            assert snapshot.tier_missing == [{k: v for k, v in m.items() if k != "label"} for m in expected]
        if snapshot.next_tier_id:
            expected = [r.as_dict() for r in by_tier[snapshot.next_tier_id].missing]
            assert snapshot.next_tier_missing == [{k: v for k, v in m.items() if k != "label"} for m in expected]
