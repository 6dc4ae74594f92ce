"""Celery helpers: tasks receive ids, load the tenant, and run inside its scope."""

from __future__ import annotations

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

from prm.tenancy.models import Tenant
from prm.tenancy.scoping import current_tenant, tenant_scope

logger = logging.getLogger(__name__)


class TenantTask(Task):
    """Base for tenant-scoped tasks: call with `tenant_id=` and the body runs in that scope."""

    # The caller passes tenant_id=, the body receives tenant=: skip Celery's signature check.
    typing = False

    def __call__(self, *args, tenant_id=None, **kwargs):
        if tenant_id is None:
            raise ValueError(f"{self.name} needs tenant_id=")
        # Eager tasks run inside the request that enqueued them: reuse its tenant, no query.
        active = current_tenant()
        tenant = active if active is not None and str(active.pk) == str(tenant_id) else Tenant.objects.get(pk=tenant_id)
        with tenant_scope(tenant):
            return self.run(*args, tenant=tenant, **kwargs)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send a task once the current transaction commits.

    If the broker is unreachable, the failure is logged instead of breaking the request: the
    work it stands for is also picked up by a periodic sweep (e.g. the notification outbox).
    """

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except (OperationalError, ConnectionError, OSError) as exc:  # broker down: a sweep catches up
            logger.warning("could not enqueue %s: %s", task.name, exc)

    transaction.on_commit(send)


def for_each_active_tenant(task, *args, **kwargs) -> int:
    """Fan a periodic job out: send `task` (a TenantTask) once per active tenant, with tenant_id=,
    after the current transaction commits, so each tenant is processed (and fails) on its own.
    Returns the number of tenants. A beat entry point is then one line::

        @shared_task(name="deals.tasks.sla_sweep")
        def sla_sweep() -> int:
            return for_each_active_tenant(sla_sweep_tenant)
    """
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        enqueue_on_commit(task, *args, tenant_id=tenant_id, **kwargs)
    return len(tenant_ids)
