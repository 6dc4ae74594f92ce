"""The demo seeds incentives in every state in both demo tenants, and seeding twice changes nothing."""

import pytest
from django.apps import apps
from django_scopes import scopes_disabled

from incentives.models import MdfClaim, MdfRequest, PayoutBatch, SpifAccrual
from incentives.services import ledger
from prm.tenancy.demo import DEMO_TENANTS, seed_tenant

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    with scopes_disabled():
        return {m._meta.label: m._default_manager.count() for m in apps.get_app_config("incentives").get_models()}


def test_demo_has_every_state_in_both_tenants_and_is_idempotent():
    with scopes_disabled():
        contexts = [seed_tenant(spec, log=lambda *_: None) for spec in DEMO_TENANTS]
    first = snapshot()
    with scopes_disabled():
        for ctx in contexts:
            t = ctx.tenant
            assert set(SpifAccrual.objects.filter(tenant=t).values_list("status", flat=True)) == set(
                SpifAccrual.Status.values)
            assert set(MdfRequest.objects.filter(tenant=t).values_list("status", flat=True)) == set(
                MdfRequest.Status.values)
            assert set(MdfClaim.objects.filter(tenant=t).values_list("status", flat=True)) == set(MdfClaim.Status.values)
            assert set(PayoutBatch.objects.filter(tenant=t).values_list("status", flat=True)) == set(
                PayoutBatch.Status.values)
            assert ledger.unbalanced_entries(t) == []
            for model in apps.get_app_config("incentives").get_models():
                if model._meta.label in {"incentives.JournalLine", "incentives.JournalEntry"}:
                    continue
                assert model._default_manager.filter(tenant=t).exists(), f"{t.slug}: no {model._meta.label}"
        for spec in DEMO_TENANTS:
            seed_tenant(spec, log=lambda *_: None)
    assert snapshot() == first
