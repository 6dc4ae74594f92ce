from __future__ import annotations

from django.db.models import Count

from prm.notifications.models import Notification
from prm.tenancy.models import Membership
from prm.tenancy.scoping import scopes_disabled
from prm.tenancy.viewer import Viewer


def portals_for_user(user) -> list[dict]:
    """Every portal the user belongs to, with unread notifications: two queries in all.

    Deliberately cross-tenant (the "my portals" page on the base domain), so it runs with scopes
    disabled and filters by the user itself.
    """
    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
            .select_related("tenant", "partner")
            .order_by("tenant__name")
        )
        unread = dict(
            Notification.objects.filter(user=user, read_at__isnull=True)
            .values_list("tenant_id")
            .annotate(n=Count("id"))
            .values_list("tenant_id", "n")
        )
    return [
        {"membership": m, "tenant": m.tenant, "unread": unread.get(m.tenant_id, 0)}
        for m in memberships
    ]


def tenant_members(viewer: Viewer):
    """Members the viewer may see: a partner admin their organisation's, staff everyone (staff
    confined to a book: the staff and their book's partner members)."""
    qs = viewer.scope(Membership.objects.all(), unowned=True)
    return qs.select_related("user", "partner").order_by("-is_active", "user__email")
