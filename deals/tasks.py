"""Periodic deal jobs. Thin wrappers: a fan-out per active tenant, the work in services."""

from __future__ import annotations

from celery import shared_task

from deals import services
from prm.tenancy.models import Tenant
from prm.tenancy.tasks import TenantTask


@shared_task(base=TenantTask, bind=True, name="deals.tasks.protection_nightly_tenant")
def protection_nightly_tenant(self, *, tenant) -> dict:
    return services.protection_nightly(tenant=tenant)


@shared_task(base=TenantTask, bind=True, name="deals.tasks.sla_sweep_tenant")
def sla_sweep_tenant(self, *, tenant) -> dict:
    return services.sla_sweep(tenant=tenant)


@shared_task(name="deals.tasks.protection_nightly")
def protection_nightly() -> int:
    """Nightly: expire ended protections and warn partners 14 days ahead, tenant by tenant."""
    ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in ids:
        protection_nightly_tenant.delay(tenant_id=tenant_id)
    return len(ids)


@shared_task(name="deals.tasks.sla_sweep")
def sla_sweep() -> int:
    """Every few minutes: escalate registrations past the review deadline (and auto-approve where enabled)."""
    ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in ids:
        sla_sweep_tenant.delay(tenant_id=tenant_id)
    return len(ids)
