"""Fixtures for the incentive tests: an MDF-eligible partner with one user per role, a fund with an
allocation, and helpers that win deals through the real deals services (so events fire)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from prm.tenancy.scoping import tenant_scope
from tests.factories import MdfAllocationFactory, MdfFundFactory, ProductFactory, mdf_partner


@pytest.fixture
def partner(tenant):
    """Overrides the root fixture: Northwind is Gold (MDF eligible), so `members` belong to it."""
    return mdf_partner(tenant, name="Northwind Solutions", domain="northwind.example")


@pytest.fixture
def manager(members):
    return members["channel_manager"]


@pytest.fixture
def partner_admin(members):
    return members["partner_admin"]


@pytest.fixture
def product(tenant):
    return ProductFactory(tenant=tenant, code="cloud-platform", name="Cloud Platform")


@pytest.fixture
def fund(tenant):
    return MdfFundFactory(tenant=tenant, name="FY MDF", budget=Decimal("50000.00"))


@pytest.fixture
def allocation(tenant, fund, partner):
    return MdfAllocationFactory(tenant=tenant, fund=fund, partner=partner, amount=Decimal("10000.00"))


@pytest.fixture
def win(tenant, product, manager, django_capture_on_commit_callbacks):
    """win(partner, amount="25000", currency="USD", products=None) -> a deal registered, approved and
    won through the deals services; the deal_won handlers run as after a real commit."""
    from deals.services import deal_approve, deal_mark_won, deal_register

    def make(partner, amount="25000.00", currency="USD", products=None, closed_on=None, notes=""):
        key = uuid.uuid4().hex[:10]
        with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
            deal, _created = deal_register(
                tenant=tenant, partner=partner, user=None, kind="deal", nonce=uuid.uuid4(), enforce_gate=False,
                data={"customer_name": f"Customer {key} Inc", "website": f"https://www.customer{key}.com",
                      "contact_name": "Jordan Buyer", "contact_email": f"jordan@customer{key}.com",
                      "contact_title": "CTO", "country": "US", "amount": Decimal(amount), "currency": currency,
                      "products": products if products is not None else [product],
                      "expected_close_date": timezone.localdate() + timedelta(days=30), "stage": "qualified",
                      "notes": notes})
            deal = deal_approve(tenant=tenant, deal=deal, actor=manager)
            deal = deal_mark_won(tenant=tenant, deal=deal, user=manager, amount=Decimal(amount),
                                 closed_on=closed_on or timezone.localdate(), staff=True)
        return deal

    return make
