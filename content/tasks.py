"""Celery tasks of the content app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from prm.tenancy.tasks import TenantTask, for_each_active_tenant


@shared_task(name="content.tasks.certifications_daily")
def certifications_daily() -> int:
    """Beat entry point: one job per active tenant, so tenants are processed independently."""
    return for_each_active_tenant(certifications_process)


@shared_task(base=TenantTask, bind=True, name="content.tasks.certifications_process")
def certifications_process(self, *, tenant) -> dict:
    from content.services import certifications_expire_and_remind

    return certifications_expire_and_remind(tenant=tenant)
