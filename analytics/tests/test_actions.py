"""Next best actions that the hand-built program does not trigger: unused MDF, a partner with no
deal at all, and who sees which suggestion."""

from __future__ import annotations

from decimal import Decimal

from analytics.services.actions import next_actions
from analytics.texts import action_text


def _features(**overrides):
    base = {"status": "active", "onboarding_completion": None, "active_certifications": 2, "partner_type_id": 1,
            "courses_held": set(), "days_since_deal": 5, "mdf_allocated": Decimal("0"), "mdf_used": Decimal("0"),
            "mdf_utilisation": None, "days_since_sign_in": 2}
    return {**base, **overrides}


def _codes(f):
    return [a["code"] for a in next_actions(f, tier_rank=1, courses=[], certifications_target=2, next_tier_name="",
                                            next_missing=[])]


def test_an_mdf_allocation_used_below_a_quarter_is_suggested_with_what_is_left():
    f = _features(mdf_allocated=Decimal("8000.00"), mdf_used=Decimal("1000.00"), mdf_utilisation=0.125)
    (action,) = next_actions(f, tier_rank=1, courses=[], certifications_target=2, next_tier_name="", next_missing=[])
    assert action == {"code": "mdf_unused", "available": "7000.00"}
    text = action_text(action, audience="partner", currency="EUR")
    assert text["text"] == "MDF allocation unused: EUR 7,000 still available." and text["url"]
    assert _codes(_features(mdf_allocated=Decimal("8000"), mdf_used=Decimal("2000"), mdf_utilisation=0.25)) == []


def test_no_deal_in_60_days_and_never_any_deal():
    assert _codes(_features(days_since_deal=60)) == []
    assert _codes(_features(days_since_deal=61)) == ["no_recent_deal"]
    (action,) = next_actions(_features(days_since_deal=None), tier_rank=1, courses=[], certifications_target=2,
                             next_tier_name="", next_missing=[])
    assert action_text(action, audience="manager", currency="EUR")["text"] == "Register a deal: none registered yet."


def test_suspended_and_churned_partners_get_no_suggestions():
    quiet = {"days_since_deal": None, "days_since_sign_in": None, "onboarding_completion": 0.1}
    assert _codes(_features(**quiet)) == ["finish_onboarding", "no_recent_deal", "reengage"]
    assert _codes(_features(status="suspended", **quiet)) == []
    assert _codes(_features(status="churned", **quiet)) == []


def test_re_engagement_is_for_managers_only():
    (action,) = next_actions(_features(days_since_sign_in=31), tier_rank=1, courses=[], certifications_target=2,
                             next_tier_name="", next_missing=[])
    assert action["code"] == "reengage"
    assert action_text(action, audience="manager", currency="EUR")["text"] == \
        "Re-engage: nobody has signed in for 31 days."
    assert action_text(action, audience="partner", currency="EUR") is None


def test_tier_progress_names_every_gap_in_one_sentence():
    from analytics.texts import gap_text

    revenue = {"metric": "won_revenue_12m", "gap": "12400.00"}
    assert gap_text([revenue, {"metric": "active_certifications", "gap": "1"}], "Gold", "EUR") == \
        "EUR 12,400 more won revenue and 1 certification to reach Gold"
    assert gap_text([revenue, {"metric": "active_certifications", "gap": "2"},
                     {"metric": "health_score", "gap": "5"}], "Platinum", "EUR") == \
        "EUR 12,400 more won revenue, 2 certifications and 5 more health score points to reach Platinum"
    assert gap_text([], "Gold", "EUR") == ""
