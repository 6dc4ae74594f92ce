"""The demo tenants get rules of every strategy and leads in every state, with explanations."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from leads.models import Lead, LeadAssignment, LeadRule
from prm.tenancy.demo import DEMO_TENANTS, seed_tenant
from prm.tenancy.scoping import tenant_scope
from tests.security.world import rolled_back


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        # Not across the yield: a scope entered in a fixture and left at its teardown would restore the
        # state of the fixture hook's own scopes_disabled(), leaving scopes off for the tests after it.
        with scopes_disabled():
            contexts = [seed_tenant(spec, log=lambda *_: None) for spec in DEMO_TENANTS]
        yield contexts


@pytest.mark.django_db
def test_both_demo_tenants_have_leads_in_every_state_with_explanations(demo):
    for ctx in demo:
        with tenant_scope(ctx.tenant):
            statuses = set(Lead.objects.values_list("status", flat=True))
            outcomes = set(LeadAssignment.objects.values_list("outcome", flat=True))
            reasons = set(LeadAssignment.objects.values_list("reason", flat=True))
            strategies = set(LeadRule.objects.values_list("strategy", flat=True))
            won = Lead.objects.filter(deal_outcome="won", deal__status="won").count()
            converted = Lead.objects.filter(status="converted", deal__status__in=["approved", "won"]).count()
            explained = all(a.why for a in LeadAssignment.objects.all())
            mine = set(Lead.objects.filter(partner__name="Northwind Solutions").values_list("status", flat=True))
        assert statuses == set(Lead.Status.values), ctx.tenant.slug
        assert outcomes == set(LeadAssignment.Outcome.values), (ctx.tenant.slug, outcomes)
        assert {"named_partner", "round_robin", "performance", "manual", "customer_conflict", "unassigned"} <= reasons
        assert strategies == set(LeadRule.Strategy.values)
        assert won == 1 and converted == 2 and explained
        assert {"assigned", "accepted", "working", "converted", "lost"} <= mine


@pytest.mark.django_db
def test_seeding_the_demo_again_changes_nothing(demo):
    ctx = demo[0]
    with tenant_scope(ctx.tenant):
        before = (Lead.objects.count(), LeadAssignment.objects.count(), LeadRule.objects.count())
    with scopes_disabled():
        seed_tenant(DEMO_TENANTS[0], log=lambda *_: None)
    with tenant_scope(ctx.tenant):
        assert (Lead.objects.count(), LeadAssignment.objects.count(), LeadRule.objects.count()) == before
