"""Home-page blocks of the leads app (registered in LeadsConfig.ready())."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from leads import selectors
from leads.models import Lead, LeadAssignment

AWAITING_SHOWN = 5


def partner_home(request) -> dict | None:
    """Leads awaiting the organisation's acceptance, soonest deadline first; hidden for an
    organisation that was never offered a lead."""
    viewer = getattr(request, "viewer", None)
    if viewer is None or not viewer.is_partner:
        return None
    leads = selectors.leads_visible_to(viewer)
    counts = leads.aggregate(awaiting=Count("pk", filter=Q(status=Lead.Status.ASSIGNED)),
                             open=Count("pk", filter=Q(status__in=(Lead.Status.ACCEPTED, Lead.Status.WORKING))))
    if not counts["awaiting"] and not counts["open"] and not viewer.scope(LeadAssignment.objects.all()).exists():
        return None
    awaiting = list(leads.filter(status=Lead.Status.ASSIGNED).order_by("accept_by", "pk")[:AWAITING_SHOWN])
    return {**counts, "leads": awaiting, "now": timezone.now()}


def staff_home(request) -> dict | None:
    """Unassigned, escalated and overdue leads, each a link to the filtered staff list; hidden
    while the tenant has no leads."""
    viewer = getattr(request, "viewer", None)
    if viewer is None or viewer.is_partner:
        return None
    counts = selectors.leads_visible_to(viewer).aggregate(
        total=Count("pk"),
        unassigned=Count("pk", filter=Q(status=Lead.Status.UNASSIGNED)),
        escalated=Count("pk", filter=Q(status=Lead.Status.UNASSIGNED, escalated_at__isnull=False)),
        overdue=Count("pk", filter=Q(status=Lead.Status.ASSIGNED, accept_by__lt=timezone.now())),
        awaiting=Count("pk", filter=Q(status=Lead.Status.ASSIGNED)),
    )
    if not counts["total"] and not Lead.objects.filter(tenant=viewer.tenant).exists():
        return None  # a manager confined to a book still sees the block (zeros) when the tenant has leads
    return {**counts, "can_manage": viewer.can_manage}
