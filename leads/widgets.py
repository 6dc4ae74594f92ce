"""Home-page blocks of the leads app (registered in LeadsConfig.ready())."""

from __future__ import annotations

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
    by_status = selectors.status_counts(viewer, selectors.LeadFilters())
    counts = {"awaiting": by_status[Lead.Status.ASSIGNED],
              "open": by_status[Lead.Status.ACCEPTED] + by_status[Lead.Status.WORKING]}
    if not counts["awaiting"] and not counts["open"] and not viewer.scope(LeadAssignment.objects.all()).exists():
        return None
    awaiting = list(selectors.leads_visible_to(viewer).filter(status=Lead.Status.ASSIGNED).order_by("accept_by", "pk")[:AWAITING_SHOWN])
    return {**counts, "leads": awaiting, "now": timezone.now()}


def staff_home(request) -> dict | None:
    """Unassigned, escalated and overdue leads, each a link to the filtered staff list; hidden
    while the tenant has no leads."""
    viewer = getattr(request, "viewer", None)
    if viewer is None or viewer.is_partner:
        return None
    by_status = selectors.status_counts(viewer, selectors.LeadFilters())
    counts = {"total": by_status["all"], "unassigned": by_status[Lead.Status.UNASSIGNED],
              "escalated": by_status["escalated"], "overdue": by_status["overdue"],
              "awaiting": by_status[Lead.Status.ASSIGNED]}
    if not counts["total"] and not Lead.objects.filter(tenant=viewer.tenant).exists():
        return None  # a manager confined to a book still sees the block (zeros) when the tenant has leads
    return {**counts, "can_manage": viewer.can_manage}
