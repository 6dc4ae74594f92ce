"""Tier requirements from other apps' metrics, manual changes with history, delayed downgrades."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from partners import metrics
from partners.models import Partner, PartnerSettings, Tier, TierChange
from partners.services.tiers import tier_apply_due, tier_change, tier_recommendation, tier_requirements_check
from prm.notifications.models import Notification
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory, set_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiers(program):
    t = program["tiers"]
    with scopes_disabled():
        Tier.objects.filter(pk=t[2].pk).update(min_won_revenue_12m=Decimal("50000"), min_active_certifications=1)
        Tier.objects.filter(pk=t[3].pk).update(min_won_revenue_12m=Decimal("250000"), min_active_certifications=2,
                                               min_health_score=60)
        for tier in t.values():
            tier.refresh_from_db()
    return t


@pytest.fixture
def provided(monkeypatch):
    """Register metric providers the way deals/content/analytics do; values set per test."""
    values = {metrics.WON_REVENUE_12M: {}, metrics.ACTIVE_CERTIFICATIONS: {}, metrics.HEALTH_SCORE: {}}
    monkeypatch.setattr(metrics, "_providers", {})
    for name in values:
        metrics.register_metric_provider(name, lambda tenant, ids, as_of, name=name: {
            pid: values[name][pid] for pid in ids if pid in values[name]})
    return values


@pytest.fixture
def gold(tenant, tiers, program):
    return PartnerFactory(tenant=tenant, tier=tiers[3], partner_type=program["types"]["reseller"])


def test_requirements_check_reads_every_provider_once_for_many_partners(tenant, tiers, program, provided):
    a = PartnerFactory(tenant=tenant, partner_type=program["types"]["reseller"])
    b = PartnerFactory(tenant=tenant, partner_type=program["types"]["reseller"])
    provided[metrics.WON_REVENUE_12M].update({a.pk: Decimal("300000"), b.pk: Decimal("60000")})
    provided[metrics.ACTIVE_CERTIFICATIONS].update({a.pk: 2, b.pk: 1})
    provided[metrics.HEALTH_SCORE].update({a.pk: 59})
    with tenant_scope(tenant):
        checks = tier_requirements_check(tenant=tenant, partner_ids=[a.pk, b.pk])
        recommended = tier_recommendation(tenant=tenant, partner_ids=[a.pk, b.pk])
    gold_a = checks[a.pk][2]
    assert gold_a.tier == tiers[3] and not gold_a.met
    assert [(r.metric, r.actual, r.met) for r in gold_a.missing] == [(metrics.HEALTH_SCORE, 59, False)]
    assert checks[b.pk][1].met and not checks[b.pk][2].met
    assert recommended == {a.pk: tiers[2], b.pk: tiers[2]}


def test_a_metric_nobody_provides_counts_as_not_met(tenant, tiers, program, monkeypatch):
    monkeypatch.setattr(metrics, "_providers", {})
    partner = PartnerFactory(tenant=tenant, partner_type=program["types"]["reseller"])
    with tenant_scope(tenant):
        checks = tier_requirements_check(tenant=tenant, partner_ids=[partner.pk])[partner.pk]
    assert checks[0].met  # the entry tier asks for nothing
    assert not checks[1].met and all(r.actual is None for r in checks[1].results)


def test_upgrade_takes_effect_at_once_with_history(tenant, tiers, gold, members, client_for):
    manager = members["channel_manager"]
    response = client_for(tenant, manager).post(reverse("partners:staff_tier_change", args=[gold.pk]),
                                                {"to_tier": str(tiers[4].pk), "reason": "Strategic partner"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        gold.refresh_from_db()
        change = TierChange.objects.get(partner=gold)
    assert gold.tier == tiers[4]
    assert (change.from_tier, change.to_tier, change.reason, change.changed_by, change.status) == (
        tiers[3], tiers[4], "Strategic partner", manager, "applied")
    assert abs((change.effective_from - timezone.now()).total_seconds()) < 60


def test_a_tier_change_needs_a_reason(tenant, tiers, gold, members, client_for):
    client_for(tenant, members["channel_manager"]).post(reverse("partners:staff_tier_change", args=[gold.pk]),
                                                        {"to_tier": str(tiers[4].pk), "reason": ""})
    with tenant_scope(tenant):
        gold.refresh_from_db()
        assert gold.tier == tiers[3] and not TierChange.objects.exists()
        with pytest.raises(ValidationError):
            tier_change(tenant=tenant, partner=gold, to_tier=tiers[4], reason="  ")


def test_downgrade_waits_for_the_grace_period_and_warns_the_partner_with_what_is_missing(
    tenant, tiers, gold, provided, make_member
):
    set_settings(tenant, PartnerSettings, tier_downgrade_grace_days=60)
    admin = make_member(tenant, "partner_admin", partner=gold)
    provided[metrics.WON_REVENUE_12M][gold.pk] = Decimal("120000")
    provided[metrics.ACTIVE_CERTIFICATIONS][gold.pk] = 2
    provided[metrics.HEALTH_SCORE][gold.pk] = 80
    with tenant_scope(tenant):
        change = tier_change(tenant=tenant, partner=gold, to_tier=tiers[2], reason="Revenue dropped")
        gold.refresh_from_db()
        assert gold.tier == tiers[3]  # not yet
        assert change.status == "scheduled"
        assert (change.effective_from - timezone.now()).days in (59, 60)
        assert [m["metric"] for m in change.missing] == [metrics.WON_REVENUE_12M]
        note = Notification.objects.get(user=admin)
    assert "will change from Gold to Silver" in note.title
    assert "Won revenue, trailing 12 months: 120000.00 / 250000.00" in note.body

    with tenant_scope(tenant):
        assert tier_apply_due(tenant=tenant) == 0  # grace period not over
        assert tier_apply_due(tenant=tenant, now=timezone.now() + timedelta(days=61)) == 1
        gold.refresh_from_db()
        change.refresh_from_db()
    assert gold.tier == tiers[2] and change.status == "applied" and change.applied_at is not None


def test_partner_sees_the_pending_downgrade_and_what_is_missing(tenant, tiers, gold, provided, make_member, client_for):
    user = make_member(tenant, "partner_user", partner=gold)
    with tenant_scope(tenant):
        tier_change(tenant=tenant, partner=gold, to_tier=tiers[1], reason="No activity")
    for url in ("/", reverse("partners:tier")):
        body = client_for(tenant, user).get(url).content.decode()
        assert "Your tier will change to <strong>Registered</strong>" in body
        assert "To keep Gold, you are missing:" in body and "Active certifications" in body


def test_manager_can_withdraw_a_scheduled_downgrade(tenant, tiers, gold, members, client_for):
    with tenant_scope(tenant):
        tier_change(tenant=tenant, partner=gold, to_tier=tiers[1], reason="No activity")
    client_for(tenant, members["channel_manager"]).post(reverse("partners:staff_tier_cancel", args=[gold.pk]))
    with tenant_scope(tenant):
        change = TierChange.objects.get(partner=gold)
        assert change.status == "cancelled" and tier_apply_due(tenant=tenant, now=timezone.now() + timedelta(days=400)) == 0
        gold.refresh_from_db()
    assert gold.tier == tiers[3]


def test_a_new_decision_replaces_the_pending_one(tenant, tiers, gold):
    with tenant_scope(tenant):
        tier_change(tenant=tenant, partner=gold, to_tier=tiers[1], reason="No activity")
        tier_change(tenant=tenant, partner=gold, to_tier=tiers[2], reason="Some activity after all")
        statuses = dict(TierChange.objects.filter(partner=gold).values_list("to_tier__rank", "status"))
    assert statuses == {1: "cancelled", 2: "scheduled"}


def test_automatic_downgrade_is_cancelled_when_the_partner_meets_the_requirements_again(tenant, tiers, gold, provided):
    with tenant_scope(tenant):
        change = tier_change(tenant=tenant, partner=gold, to_tier=tiers[2], reason="Below Gold",
                             source=TierChange.Source.AUTOMATIC)
    provided[metrics.WON_REVENUE_12M][gold.pk] = Decimal("260000")
    provided[metrics.ACTIVE_CERTIFICATIONS][gold.pk] = 3
    provided[metrics.HEALTH_SCORE][gold.pk] = 90
    with tenant_scope(tenant):
        assert tier_apply_due(tenant=tenant, now=change.effective_from + timedelta(seconds=1)) == 0
        change.refresh_from_db()
        gold.refresh_from_db()
    assert change.status == "cancelled" and "meets the requirements" in change.cancel_reason
    assert gold.tier == tiers[3]


def test_periodic_sweep_applies_due_downgrades_of_every_tenant(tenant, other_tenant, tiers, gold):
    from partners.tasks import tier_downgrades_sweep

    with tenant_scope(tenant):
        change = tier_change(tenant=tenant, partner=gold, to_tier=tiers[1], reason="x")
    with scopes_disabled():
        TierChange.objects.filter(pk=change.pk).update(effective_from=timezone.now() - timedelta(minutes=1))
    assert tier_downgrades_sweep() == 1
    with tenant_scope(tenant):
        assert Partner.objects.get(pk=gold.pk).tier == tiers[1]


def test_executives_cannot_change_tiers(tenant, tiers, gold, members, client_for):
    response = client_for(tenant, members["executive"]).post(reverse("partners:staff_tier_change", args=[gold.pk]),
                                                             {"to_tier": str(tiers[4].pk), "reason": "x"})
    assert response.status_code == 403


def test_tier_of_another_tenant_is_refused(tenant, other_tenant, gold, members, client_for):
    from tests.factories import TierFactory

    foreign = TierFactory(tenant=other_tenant, rank=4)
    client_for(tenant, members["channel_manager"]).post(reverse("partners:staff_tier_change", args=[gold.pk]),
                                                        {"to_tier": str(foreign.pk), "reason": "x"})
    with tenant_scope(tenant):
        assert not TierChange.objects.exists()
        with pytest.raises(ValidationError):
            tier_change(tenant=tenant, partner=gold, to_tier=foreign, reason="x")
