"""Celery tasks of the partners app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from partners.models import TierChange
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import scopes_disabled
from prm.tenancy.tasks import TenantTask


@shared_task(base=TenantTask, bind=True, name="partners.tasks.partner_import_task")
def partner_import_task(self, import_id: str, *, tenant) -> str:
    from partners.services.imports import partner_import_run

    result = partner_import_run(tenant=tenant, import_id=import_id)
    return result.status if result else "missing"


@shared_task(base=TenantTask, bind=True, name="partners.tasks.tier_apply_due_task")
def tier_apply_due_task(self, *, tenant) -> int:
    from partners.services.tiers import tier_apply_due

    return tier_apply_due(tenant=tenant)


@shared_task(name="partners.tasks.tier_downgrades_sweep")
def tier_downgrades_sweep() -> int:
    """Periodic: apply the downgrades whose grace period ended, one task per tenant that has some."""
    from django.utils import timezone

    with scopes_disabled():
        tenant_ids = set(
            TierChange.objects.filter(status=TierChange.Status.SCHEDULED, effective_from__lte=timezone.now())
            .values_list("tenant_id", flat=True)
        )
    for tenant_id in Tenant.objects.filter(pk__in=tenant_ids, is_active=True).values_list("pk", flat=True):
        tier_apply_due_task.delay(tenant_id=tenant_id)
    return len(tenant_ids)
