"""Periodic incentive jobs: thin fan-outs per active tenant, the work in services."""

from __future__ import annotations

from celery import shared_task

from incentives import services
from prm.tenancy.tasks import TenantTask, for_each_active_tenant


@shared_task(base=TenantTask, bind=True, name="incentives.tasks.spif_reevaluate_tenant")
def spif_reevaluate_tenant(self, *, tenant) -> dict:
    return services.spif_reevaluate(tenant=tenant)


@shared_task(base=TenantTask, bind=True, name="incentives.tasks.mdf_deadlines_tenant")
def mdf_deadlines_tenant(self, *, tenant) -> dict:
    return services.mdf_deadlines(tenant=tenant)


@shared_task(name="incentives.tasks.spif_reevaluate")
def spif_reevaluate() -> int:
    """Nightly: accrue for won deals that have no accrual yet (missed events, late exchange rates,
    agreements accepted since) and reverse accruals of deals that are no longer won. A re-run is a no-op."""
    return for_each_active_tenant(spif_reevaluate_tenant)


@shared_task(name="incentives.tasks.mdf_deadlines")
def mdf_deadlines() -> int:
    """Daily: remind partners of MDF claims due within a week; expire missed deadlines (releasing the reserve)."""
    return for_each_active_tenant(mdf_deadlines_tenant)
