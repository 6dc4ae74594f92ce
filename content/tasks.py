"""Celery tasks of the content app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from prm.tenancy.models import Tenant
from prm.tenancy.tasks import TenantTask


@shared_task(name="content.tasks.certifications_daily")
def certifications_daily() -> int:
    """Beat entry point: one job per active tenant, so tenants are processed independently."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        certifications_process.delay(tenant_id=tenant_id)
    return len(tenant_ids)


@shared_task(base=TenantTask, bind=True, name="content.tasks.certifications_process")
def certifications_process(self, *, tenant) -> dict:
    from content.services import certifications_expire_and_remind

    return certifications_expire_and_remind(tenant=tenant)
