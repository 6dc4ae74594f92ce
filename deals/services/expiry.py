"""Expiring approved registrations set-based (a leaf: used by the nightly sweep in lifecycle and by
approvals in review, which sweep a stale protection of the same customer first)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from deals import history
from deals.models import DealRegistration


def expire_deals(tenant, queryset: QuerySet, *, now: datetime | None = None) -> list[DealRegistration]:
    """Expire the given approved deals set-based: one locking read, one bulk insert of history
    entries, one update per batch (the chain needs each deal's head, so entries are built here)."""
    now = now or timezone.now()
    with transaction.atomic():
        deals = list(queryset.filter(status=DealRegistration.Status.APPROVED).select_for_update()
                     .order_by("pk").only("pk", "tenant_id", "partner_id", "submitted_by_id", "customer_name",
                                          "protected_until", "history_head", "history_count", "status"))
        if not deals:
            return []
        entries = [history.build_entry(d, action="expired", from_status="approved", to_status="expired", at=now,
                                       changes={"protected_until": d.protected_until.isoformat()}) for d in deals]
        type(entries[0]).objects.bulk_create(entries)
        for d in deals:
            d.status = DealRegistration.Status.EXPIRED
        DealRegistration.objects.bulk_update(deals, ["status", "history_head", "history_count"], batch_size=500)
    return deals
