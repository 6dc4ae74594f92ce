"""Periodic lead jobs. Thin wrappers: a fan-out per active tenant, the work in services."""

from __future__ import annotations

from celery import shared_task

from leads import services
from leads.models import Lead
from prm.tenancy.tasks import TenantTask, for_each_active_tenant


@shared_task(base=TenantTask, bind=True, name="leads.tasks.sweep_tenant")
def sweep_tenant(self, *, tenant) -> dict:
    return services.lead_sweep(tenant=tenant)


@shared_task(name="leads.tasks.sweep")
def sweep() -> int:
    """Every few minutes: reminders before accept deadlines, expiry and reassignment after them."""
    return for_each_active_tenant(sweep_tenant)


@shared_task(base=TenantTask, bind=True, name="leads.tasks.route_tenant")
def route_tenant(self, lead_ids: list[str], *, tenant) -> dict:
    """Route leads created in bulk (an import) in the background, set-based."""
    leads = list(Lead.objects.filter(tenant=tenant, pk__in=lead_ids).only("pk"))
    result = services.leads_route(tenant=tenant, leads=leads, keep_decisions=False)
    return {"assigned": result.assigned, "unassigned": result.unassigned}


@shared_task(base=TenantTask, bind=True, name="leads.tasks.lead_import_task")
def lead_import_task(self, import_id: str, *, tenant) -> str:
    """Run a queued CSV import of leads (all or nothing, in batches, routed per batch)."""
    from leads.imports import lead_import_run

    result = lead_import_run(tenant=tenant, import_id=import_id)
    return result.status if result else "missing"
