"""Fixtures of the partners app's tests."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tests.factories import PartnerTypeFactory, TierFactory


@pytest.fixture
def program(tenant):
    """Partner types and four tiers for `tenant`."""
    with scopes_disabled():
        types = {code: PartnerTypeFactory(tenant=tenant, code=code, name=name) for code, name in
                 [("reseller", "Reseller"), ("msp", "Managed service provider"), ("referral", "Referral partner")]}
        tiers = {rank: TierFactory(tenant=tenant, rank=rank) for rank in (1, 2, 3, 4)}
    return {"types": types, "tiers": tiers}


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (event handlers, outbox delivery) as they would in production."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
