"""Fixtures for the content app: a three-tier program with a Silver and a Gold partner."""

import pytest

from tests.factories import PartnerFactory, PartnerTypeFactory, TierFactory


@pytest.fixture
def tiers(tenant):
    return {rank: TierFactory(tenant=tenant, rank=rank) for rank in (1, 2, 3)}


@pytest.fixture
def reseller(tenant):
    return PartnerTypeFactory(tenant=tenant, code="reseller", name="Reseller")


@pytest.fixture
def silver_partner(tenant, tiers, reseller):
    return PartnerFactory(tenant=tenant, name="Silverline Systems", tier=tiers[2], partner_type=reseller)


@pytest.fixture
def gold_partner(tenant, tiers, reseller):
    return PartnerFactory(tenant=tenant, name="Goldcrest Partners", tier=tiers[3], partner_type=reseller)


@pytest.fixture
def silver_user(tenant, silver_partner, make_member):
    return make_member(tenant, "partner_user", partner=silver_partner, email="sam@silverline.test")


@pytest.fixture
def gold_user(tenant, gold_partner, make_member):
    return make_member(tenant, "partner_user", partner=gold_partner, email="gil@goldcrest.test")


@pytest.fixture
def manager(tenant, make_member):
    return make_member(tenant, "channel_manager", email="max@acme.test")
