"""What a finished run leaves for the dashboards: per-segment sums of the date's snapshots, and a
notification to channel managers about tier changes newly proposed to them."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from analytics.models import PERIODS, ROLES, PartnerHealthSnapshot, SnapshotSummary
from partners.choices import REGIONS

SEGMENT = ("tier_id", "partner_type_id", "status")


def write_summary(tenant, day: date) -> int:
    """Replace the date's summary rows: all regions, then one set per region (five grouped queries)."""
    from analytics.services.runs import analytics_settings

    threshold = analytics_settings(tenant).at_risk_threshold
    snapshots = PartnerHealthSnapshot.objects.filter(tenant=tenant, date=day)
    aggregates = {
        "partners": Count("id"),
        "score_sum": Sum("score"),
        "active_30": Count("id", filter=Q(events_30__gt=0)),
        "at_risk": Count("id", filter=Q(churn_risk__gte=threshold, status__in=("active", "onboarding"))),
        "events_30": Sum("events_30"), "content_30": Sum("content_30"), "courses_90": Sum("courses_90"),
        "certifications": Sum("active_certifications"),
        "onboarding_sum": Sum("onboarding_completion"),
        "onboarding_count": Count("id", filter=Q(onboarding_completion__isnull=False)),
        "open_pipeline": Sum("open_pipeline"), "won_revenue_30": Sum("won_revenue_30"),
        "won_revenue_90": Sum("won_revenue_90"), "won_revenue_12m": Sum("won_revenue_12m"),
        "mdf_allocated": Sum("mdf_allocated"), "mdf_used": Sum("mdf_used"),
    }
    for p in PERIODS:
        joined = Q(tenure_days__lt=p)
        aggregates[f"cohort_{p}"] = Count("id", filter=joined)
        aggregates[f"activated_{p}"] = Count("id", filter=joined & Q(activated=True))
        for name in ("decided", "decided_in_sla", "decision_hours"):
            aggregates[f"{name}_{p}"] = Sum(f"{name}_{p}")
        for role in ROLES:
            for what in ("won", "deals"):
                aggregates[f"{role}_{what}_{p}"] = Sum(f"{role}_{what}_{p}")
    # One pass, grouped by segment and the partner's list of regions as stored: every figure is a
    # count or a sum, so the all-regions row and each region's row are sums of those groups (a
    # partner serving two regions counts in both, as a region filter would count it).
    regions = {code for code, _label in REGIONS}
    cells: dict[tuple, dict] = {}
    for row in snapshots.values(*SEGMENT, "partner__regions").annotate(**aggregates).order_by():
        served = sorted(set(row.pop("partner__regions") or []) & regions)
        for region in ["", *served]:
            cell = cells.setdefault((region, *(row[k] for k in SEGMENT)), {})
            for name in aggregates:
                cell[name] = cell.get(name, 0) + (row[name] or 0)
    rows = [SnapshotSummary(tenant=tenant, date=day, region=region, tier_id=tier_id, partner_type_id=type_id,
                            status=status, **values)
            for (region, tier_id, type_id, status), values in cells.items()]
    SnapshotSummary.objects.filter(tenant=tenant, date=day).delete()
    SnapshotSummary.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def notify_new_proposals(tenant, run) -> int:
    """Tell each partner's channel manager (or every manager when it has none) about tier changes
    proposed today that were not already proposed on the previous snapshot date."""
    from prm.notifications.services import notify
    from prm.tenancy.models import Membership
    from prm.tenancy.roles import MANAGER_ROLES

    proposed = PartnerHealthSnapshot.objects.filter(tenant=tenant, date=run.date,
                                                    tier_action=PartnerHealthSnapshot.TierAction.PROPOSED)
    previous_day = (PartnerHealthSnapshot.objects.filter(tenant=tenant, date__lt=run.date).order_by("-date")
                    .values_list("date", flat=True).first())
    if previous_day is not None:
        proposed = proposed.exclude(Exists(PartnerHealthSnapshot.objects.filter(
            tenant=tenant, date=previous_day, tier_action=PartnerHealthSnapshot.TierAction.PROPOSED,
            partner_id=OuterRef("partner_id"), recommended_tier_id=OuterRef("recommended_tier_id"))))
    # New proposals counted per owning manager in the database: a large tenant has tens of
    # thousands of proposals, and only these few counts are needed.
    per_owner = dict(proposed.values_list("partner__owner_id").annotate(n=Count("id")).order_by())
    if not per_owner:
        return 0
    managers = {m.user_id: m.user for m in Membership.objects.filter(
        tenant=tenant, role__in=list(MANAGER_ROLES), is_active=True, user__is_active=True).select_related("user")}
    per_user: dict = {}
    for owner, n in per_owner.items():
        for user_id in ([owner] if owner in managers else list(managers)):
            per_user[user_id] = per_user.get(user_id, 0) + n
    url = reverse("analytics:tier_proposals")
    for user_id, n in per_user.items():
        notify(tenant=tenant, users=[managers[user_id]], url=url, email=False,
               title=_("%(n)d tier change(s) proposed by the nightly evaluation") % {"n": n},
               body=_("Review the recommendations and apply the ones you agree with."))
    return sum(per_owner.values())
