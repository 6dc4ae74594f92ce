"""Fixtures for the leads tests: a partner landscape to route into, rules, and helpers that go
through the real services."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from prm.tenancy.models import Membership
from prm.tenancy.scoping import tenant_scope
from prm.tenancy.viewer import Viewer
from tests.factories import PartnerFactory, PartnerTypeFactory, ProductFactory, TierFactory
from tests.factories.leads import LeadFactory, LeadRuleFactory, PartnerLeadProfileFactory


@pytest.fixture
def product(tenant):
    return ProductFactory(tenant=tenant, code="security-suite", name="Security Suite")


@pytest.fixture
def tiers(tenant):
    return {rank: TierFactory(tenant=tenant, rank=rank) for rank in (1, 2, 3)}


@pytest.fixture
def make_partner(tenant, tiers):
    """make_partner(name, country="US", regions=("NA",), rank=1, kind="reseller", capacity=None, **fields)."""

    def make(name, country="US", regions=("NA",), rank=1, kind="reseller", capacity=None, **fields):
        partner_type = PartnerTypeFactory(tenant=tenant, code=kind)
        partner = PartnerFactory(tenant=tenant, name=name, country=country, regions=list(regions),
                                 tier=tiers[rank], partner_type=partner_type,
                                 domain=f"{name.lower().replace(' ', '-')}.example", **fields)
        if capacity is not None:
            PartnerLeadProfileFactory(tenant=tenant, partner=partner, max_open_leads=capacity)
        return partner

    return make


@pytest.fixture
def make_rule(tenant):
    def make(**fields):
        return LeadRuleFactory(tenant=tenant, **fields)

    return make


@pytest.fixture
def make_lead(tenant):
    def make(**fields):
        return LeadFactory(tenant=tenant, **fields)

    return make


@pytest.fixture
def route(tenant):
    """route(*leads, now=None) -> RoutingResult through leads_route; leads are refreshed."""
    from leads.services import leads_route

    def do(*leads, now=None, actor=None):
        with tenant_scope(tenant):
            result = leads_route(tenant=tenant, leads=list(leads), now=now, actor=actor)
            for lead in leads:
                lead.refresh_from_db()
        return result

    return do


@pytest.fixture
def member_of(tenant, make_member):
    """member_of(partner, role="partner_user") -> a user of that partner organisation."""

    def make(partner, role="partner_user"):
        return make_member(tenant, role, partner=partner)

    return make


def viewer(tenant, user) -> Viewer:
    with scopes_disabled():
        membership = Membership.objects.select_related("tenant", "partner").get(tenant=tenant, user=user)
    return Viewer.of(membership, user)
