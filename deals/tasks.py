"""Periodic deal jobs. Thin wrappers: a fan-out per active tenant, the work in services."""

from __future__ import annotations

from celery import shared_task

from deals import services
from prm.tenancy.tasks import TenantTask, for_each_active_tenant


@shared_task(base=TenantTask, bind=True, name="deals.tasks.protection_nightly_tenant")
def protection_nightly_tenant(self, *, tenant) -> dict:
    return services.protection_nightly(tenant=tenant)


@shared_task(base=TenantTask, bind=True, name="deals.tasks.sla_sweep_tenant")
def sla_sweep_tenant(self, *, tenant) -> dict:
    return services.sla_sweep(tenant=tenant)


@shared_task(name="deals.tasks.protection_nightly")
def protection_nightly() -> int:
    """Nightly: expire ended protections and warn partners 14 days ahead, tenant by tenant."""
    return for_each_active_tenant(protection_nightly_tenant)


@shared_task(name="deals.tasks.sla_sweep")
def sla_sweep() -> int:
    """Every few minutes: escalate registrations past the review deadline (and auto-approve where enabled)."""
    return for_each_active_tenant(sla_sweep_tenant)
