"""Celery tasks of the analytics app: thin wrappers around analytics.services.runs.

health_nightly (beat, 01:30) → health_tenant_task per active tenant → health_chunk_task per chunk.
Run exactly one `celery beat` process (see docs/analytics.md): two beats would enqueue the fan-out
twice; the per-tenant lock makes the second start a no-op, but one beat is the contract.
"""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from prm.tenancy.tasks import TenantTask, for_each_active_tenant


@shared_task(name="analytics.tasks.health_nightly")
def health_nightly() -> int:
    """Fan out one task per active tenant for yesterday (a complete day)."""
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    return for_each_active_tenant(health_tenant_task, day, "schedule")


@shared_task(base=TenantTask, bind=True, name="analytics.tasks.health_tenant_task")
def health_tenant_task(self, day: str, trigger: str = "schedule", user_id=None, *, tenant) -> str:
    """Start (or resume) the tenant's run for the date; its chunks are enqueued after commit."""
    from django.contrib.auth import get_user_model

    from analytics.services.runs import health_run_start

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    result = health_run_start(tenant=tenant, day=date.fromisoformat(day), trigger=trigger, user=user)
    return result.status


@shared_task(base=TenantTask, bind=True, name="analytics.tasks.health_chunk_task")
def health_chunk_task(self, chunk_id: str, *, tenant) -> str:
    """One chunk. No automatic retry: a failed chunk fails its run, and the next start (nightly or
    "run now") resumes that run; a killed worker's task is redelivered (acks_late) and is idempotent."""
    from analytics.services.runs import health_chunk_run

    return health_chunk_run(tenant=tenant, chunk_id=chunk_id)
