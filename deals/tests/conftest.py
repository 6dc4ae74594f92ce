"""Fixtures for the deals tests: a catalogue, a second partner, and a registration helper that
goes through the real service (validation, history, events, notifications)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory, PartnerTypeFactory, ProductFactory


@pytest.fixture
def product(tenant):
    return ProductFactory(tenant=tenant, code="cloud-platform", name="Cloud Platform")


@pytest.fixture
def rival(tenant):
    """Another reseller of the same tenant, competing for the same customers."""
    return PartnerFactory(tenant=tenant, name="Tailspin Integrators", domain="tailspin.example")


@pytest.fixture
def referral_partner(tenant):
    kind = PartnerTypeFactory(tenant=tenant, code="referral", name="Referral partner", transacts=False)
    return PartnerFactory(tenant=tenant, name="Blue Yonder Partners", domain="blueyonder.example", partner_type=kind)


def deal_data(product=None, **overrides) -> dict:
    data = {
        "customer_name": "Initech, Inc.", "website": "https://www.initech.com", "country": "US",
        "contact_name": "Peter Gibbons", "contact_email": "peter@initech.com", "contact_title": "CTO",
        "products": [product] if product is not None else [], "amount": Decimal("25000"), "currency": "USD",
        "expected_close_date": timezone.localdate() + timedelta(days=45), "stage": "qualified", "notes": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def register(tenant, product):
    """register(partner, user=None, **data) -> DealRegistration through deal_register."""
    from deals.services import deal_register

    def make(partner, user=None, *, kind="deal", now=None, nonce=None, **overrides):
        with tenant_scope(tenant):
            deal, _created = deal_register(
                tenant=tenant, partner=partner, user=user, kind=kind, nonce=nonce or uuid.uuid4(), now=now,
                data=deal_data(product, **overrides),
            )
        return deal

    return make


@pytest.fixture
def manager(members):
    return members["channel_manager"]


@pytest.fixture
def approve(tenant, manager):
    from deals.services import deal_approve

    def do(deal, **kwargs):
        with tenant_scope(tenant):
            return deal_approve(tenant=tenant, deal=deal, actor=kwargs.pop("actor", manager), **kwargs)

    return do
