"""Lead analytics: the staff page (/analytics/leads/) and the executive dashboard's leads section.

The page reads the leads app's own figures (leads.selectors.lead_stats per partner and rule,
share_report for the fairness floor): the same numbers the leads pages show, a fixed number of
queries however many leads and partners. The dashboard's tiles are one aggregate of their own
over the offers, because they follow the dashboard's filters (tier, type, region) and add the won
revenue of the deals the leads became.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django import forms
from django.db.models import Count, DecimalField, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.selectors.filters import DEFAULT_PERIOD, PERIODS, DashboardFilters
from leads.models import Lead, LeadAssignment, LeadSettings
from leads.selectors import ShareRow, lead_stats, share_report
from prm.tenancy.viewer import Viewer

# The page lists this many partners (most offers first; the fairness table: below the floor first,
# then the largest due share); the charts of partners show fewer, so that each bar stays readable.
TABLE_ROWS = 50
CHART_PARTNERS = 15


class LeadsPeriodForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Period"), choices=PERIODS, coerce=int, required=False,
                                    initial=DEFAULT_PERIOD)

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["period"].widget.attrs["id"] = "filter-period"

    @property
    def chosen_period(self) -> int:
        """The valid period (an invalid value falls back to the default)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("period") or DEFAULT_PERIOD
        return DEFAULT_PERIOD


RATES = ("acceptance_rate", "in_window_rate", "conversion_rate", "win_rate")


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _with_percentages(row: dict) -> dict:
    """A lead_stats row with its rates also as percentages (`acceptance_pct`, …) for the tables."""
    return {**row, **{rate.replace("_rate", "_pct"): _pct(row[rate]) for rate in RATES}}


def _share(row: ShareRow) -> dict:
    return {"row": row, "received_pct": _pct(row.received_share), "due_pct": _pct(row.due_share),
            "floor_pct": _pct(row.floor_share), "below_floor": not row.meets_floor}


def _share_order(row: ShareRow) -> tuple:
    return (row.meets_floor, -row.due_share, row.partner_name)


@dataclass
class LeadsPage:
    period: int
    since: datetime | None = None
    until: datetime | None = None
    has_leads: bool = False
    totals: dict = field(default_factory=dict)
    partners: list = field(default_factory=list)   # lead_stats rows, most offers first, TABLE_ROWS at most
    partner_count: int = 0
    rules: list = field(default_factory=list)
    shares: list[dict] = field(default_factory=list)  # {row: ShareRow, *_pct}: below the floor first, TABLE_ROWS at most
    share_count: int = 0
    below_floor: int = 0
    window_days: int = 0
    floor: float = 0.0


def leads_page(viewer: Viewer, *, period: int, now: datetime | None = None) -> LeadsPage:
    """Everything /analytics/leads/ shows for the last `period` days: one query when the tenant has
    no lead yet, six otherwise (lead_stats three, share_report one, the settings row one)."""
    page = LeadsPage(period=period)
    page.has_leads = Lead.objects.filter(tenant=viewer.tenant).exists()
    if not page.has_leads:
        return page
    now = now or timezone.now()
    stats = lead_stats(viewer, since=now - timedelta(days=period), until=now)
    page.since, page.until = stats["since"], stats["until"]
    page.totals = _with_percentages(stats["totals"])
    page.rules = [_with_percentages(r) for r in stats["rules"]]
    partners = sorted((_with_percentages(r) for r in stats["partners"]), key=lambda r: (-r["offered"], r["partner__name"]))
    page.partner_count, page.partners = len(partners), partners[:TABLE_ROWS]
    settings = LeadSettings.for_tenant(viewer.tenant)
    page.window_days, page.floor = settings.lead_window_days, float(settings.lead_fairness_floor)
    shares = sorted(share_report(viewer.tenant, window_days=page.window_days, as_of=now), key=_share_order)
    page.share_count, page.shares = len(shares), [_share(r) for r in shares[:TABLE_ROWS]]
    page.below_floor = sum(1 for r in shares if not r.meets_floor)
    return page


# --- The executive dashboard's leads section ----------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def dashboard_leads(tenant, f: DashboardFilters, partners=None, *, now: datetime | None = None) -> dict:
    """The leads section of the executive dashboard (one query): offers made to partners in the
    period, the share answered by acceptance within the accept window (of those answered:
    accepted, declined or expired), the share of accepted leads converted to a deal and won, and
    the won revenue (base currency) of the deals those vendor-sourced leads became. `partners`: a
    queryset of the filtered partners' ids (the dashboard's tier, type and region filters)."""
    now = now or timezone.now()
    offers = LeadAssignment.objects.filter(tenant=tenant, partner__isnull=False,
                                           created_at__gte=now - timedelta(days=f.period), created_at__lt=now)
    if partners is not None:
        offers = offers.filter(partner__in=partners)
    accepted = Q(outcome=LeadAssignment.Outcome.ACCEPTED)
    won = accepted & Q(lead__deal_outcome=Lead.DealOutcome.WON)
    row = offers.aggregate(
        offered=Count("pk"),
        decided=Count("pk", filter=Q(outcome__in=("accepted", "declined", "expired"))),
        accepted=Count("pk", filter=accepted),
        in_window=Count("pk", filter=accepted & Q(decided_at__lte=F("accept_by"))),
        converted=Count("pk", filter=accepted & Q(lead__status=Lead.Status.CONVERTED)),
        won=Count("pk", filter=won),
        won_revenue=Sum("lead__deal__won_base_amount", filter=won,
                        output_field=DecimalField(max_digits=20, decimal_places=2)),
    )
    return {
        **row, "period": f.period, "won_revenue": row["won_revenue"] or Decimal("0"),
        "in_window_pct": _rate(row["in_window"], row["decided"]),
        "conversion_pct": _rate(row["converted"], row["accepted"]),
        "win_pct": _rate(row["won"], row["accepted"]),
    }
