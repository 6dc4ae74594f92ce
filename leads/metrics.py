"""Lead metrics for tier requirements and incentive rules (partners.metrics registry): each
provider answers for many partners with one aggregate query, fn(tenant, partner_ids, as_of)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from leads.models import Lead, LeadAssignment

# Share (percent, 0-100, one decimal) of the lead offers decided in the 90 days to `as_of` that the
# partner accepted within the accept window: "accept 90 % of leads within the window".
LEAD_ACCEPT_RATE_90D = "lead_accept_rate_90d"
# Leads the partner converted to a deal that was won, in the 12 months to `as_of`.
LEADS_WON_12M = "leads_won_12m"


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def accept_rate(tenant, partner_ids: list, as_of: date) -> dict:
    """{partner_id: Decimal percent}; partners without a decided offer in the period are absent."""
    end = _end_of(as_of)
    rows = (LeadAssignment.objects.filter(
        tenant=tenant, partner_id__in=list(partner_ids), outcome__in=("accepted", "declined", "expired"),
        decided_at__gte=end - timedelta(days=90), decided_at__lt=end,
    ).values("partner_id").annotate(
        decided=Count("pk"), in_window=Count("pk", filter=Q(outcome="accepted", decided_at__lte=F("accept_by"))),
    ).values_list("partner_id", "decided", "in_window"))
    return {pid: (Decimal(100 * in_window) / decided).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            for pid, decided, in_window in rows if decided}


def leads_won(tenant, partner_ids: list, as_of: date) -> dict:
    """{partner_id: int} (partners without a won lead: 0)."""
    end = _end_of(as_of)
    won = dict(Lead.objects.filter(
        tenant=tenant, partner_id__in=list(partner_ids), deal_outcome=Lead.DealOutcome.WON,
        won_at__gte=end - timedelta(days=365), won_at__lt=end,
    ).values("partner_id").annotate(n=Count("pk")).values_list("partner_id", "n"))
    return {pid: won.get(pid, 0) for pid in partner_ids}
