"""Customer locks shared by approvals and reverted wins (a leaf: imports only models).

Every customer key a decision touches is row-locked, always in key order, so two concurrent
approvals for the same customer serialise instead of deadlocking."""

from __future__ import annotations

from deals.conflicts import Match
from deals.models import CustomerLock, DealRegistration


def customer_lock_keys(deal: DealRegistration, matches: list[Match]) -> list[str]:
    """The deal's own customer key plus those of the registrations it may collide with, sorted."""
    keys = {deal.customer_key}
    for m in matches:
        if m.source == "deal":
            keys.add(m.customer_key)
    return sorted(keys)


def lock_customers(tenant, keys: list[str]) -> None:
    """Row locks on every customer key involved, always in key order (no deadlocks)."""
    CustomerLock.objects.bulk_create([CustomerLock(tenant=tenant, key=k) for k in keys], ignore_conflicts=True)
    list(CustomerLock.objects.select_for_update().filter(tenant=tenant, key__in=keys).order_by("key").values_list("pk"))
