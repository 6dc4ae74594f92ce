"""The demo seeds partners at every stage in both tenants, idempotently."""

import pytest
from django_scopes import scopes_disabled

from partners.models import (
    Agreement,
    AgreementAcceptance,
    IdealPartnerProfile,
    OnboardingPath,
    OnboardingStep,
    Partner,
    PartnerApplication,
    PartnerImport,
    PartnerImportError,
    PartnerOnboarding,
    TierChange,
)
from partners.selectors import can_register_deals, stuck_onboardings
from prm.tenancy.demo import DEMO_TENANTS, seed_tenant
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db

MODELS = [Agreement, AgreementAcceptance, IdealPartnerProfile, OnboardingPath, OnboardingStep, Partner,
          PartnerApplication, PartnerImport, PartnerImportError, PartnerOnboarding, TierChange]


def counts(tenant):
    with tenant_scope(tenant):
        return {m.__name__: m.objects.count() for m in MODELS}


def test_demo_has_every_stage_in_both_tenants_and_a_second_run_changes_nothing():
    for spec in DEMO_TENANTS:
        seed_tenant(spec, log=lambda *a: None)
    with scopes_disabled():
        tenants = list(Tenant.objects.filter(slug__in=[s["slug"] for s in DEMO_TENANTS]))
    first = {t.slug: counts(t) for t in tenants}
    for tenant in tenants:
        assert all(first[tenant.slug].values()), first[tenant.slug]
        with tenant_scope(tenant):
            statuses = set(Partner.objects.values_list("status", flat=True))
            assert statuses == {"prospect", "onboarding", "active", "suspended", "churned"}
            assert set(PartnerApplication.objects.values_list("status", flat=True)) == {
                "new", "info_requested", "approved", "declined"}
            assert TierChange.objects.filter(status="scheduled").count() == 1
            assert [o.partner.name for o in stuck_onboardings(tenant)] == ["Proseware Group"]
            northwind = Partner.objects.get(name="Northwind Solutions")
            assert can_register_deals(northwind) == (True, "")
            assert PartnerImport.objects.get().status == "done"
    for spec in DEMO_TENANTS:
        seed_tenant(spec, log=lambda *a: None)
    assert {t.slug: counts(t) for t in tenants} == first
