from __future__ import annotations

from celery import shared_task

from prm.notifications.models import EmailOutbox
from prm.notifications.services import outbox_deliver_row
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import scopes_disabled, tenant_scope
from prm.tenancy.tasks import TenantTask


@shared_task(base=TenantTask, bind=True, name="prm.notifications.tasks.outbox_deliver")
def outbox_deliver(self, row_id: int, *, tenant) -> bool:
    row = EmailOutbox.objects.filter(pk=row_id).first()
    return row is not None and outbox_deliver_row(row)


@shared_task(name="prm.notifications.tasks.outbox_sweep")
def outbox_sweep(limit: int = 500) -> int:
    """Deliver whatever is still pending (broker was down, SMTP failed): nothing is lost."""
    sent = 0
    with scopes_disabled():
        tenant_ids = list(
            EmailOutbox.objects.filter(status=EmailOutbox.Status.PENDING).values_list("tenant_id", flat=True).distinct()
        )
    for tenant in Tenant.objects.filter(pk__in=tenant_ids):
        with tenant_scope(tenant):
            for row in EmailOutbox.objects.filter(status=EmailOutbox.Status.PENDING).order_by("id")[:limit]:
                sent += outbox_deliver_row(row)
    return sent
