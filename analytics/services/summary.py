"""What a finished run leaves for the dashboards: per-segment sums of the date's snapshots, and a
notification to channel managers about tier changes newly proposed to them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from analytics.models import PERIODS, ROLES, PartnerHealthSnapshot, SnapshotSummary
from partners.choices import REGIONS

SEGMENT = ("tier_id", "partner_type_id", "status")


def figures(threshold: float) -> dict:
    """The summary's figures, each a count or a sum over a segment's snapshots (`threshold`: the
    tenant's at-risk churn risk). On PostgreSQL a chunk's statement computes the same figures
    (sql_chunk.summary: the sums from these, the counts written out)."""
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
    return aggregates


def summary_groups(tenant, day, partner_range: tuple | None = None) -> list[dict]:
    """The snapshots of `day` (a date, or an expression giving one), of the partner ids in
    `partner_range` = (first, last) only when given, grouped by segment and the partner's list of
    regions as stored: one GROUP BY. A run's chunks each keep the groups of their own partners, so
    closing the run only adds them up."""
    snapshots = PartnerHealthSnapshot.objects.filter(tenant=tenant, date=day)
    if partner_range is not None:
        snapshots = snapshots.filter(partner_id__gte=partner_range[0], partner_id__lte=partner_range[1])
    from analytics.services.settings import analytics_settings

    aggregates = figures(analytics_settings(tenant).at_risk_threshold)
    groups = []
    for row in snapshots.values(*SEGMENT, "partner__regions").annotate(**aggregates).order_by():
        row["regions"] = row.pop("partner__regions") or []
        groups.append({key: _plain(value) for key, value in row.items()})
    return groups


def _plain(value):
    """A JSON-storable value: ids and money as strings (money keeps its exact cents)."""
    return str(value) if isinstance(value, UUID | Decimal) else value


def write_summary(tenant, day: date, groups: list[dict] | None = None) -> int:
    """Replace the date's summary rows: all regions, then one set per region. From `groups`
    (summary_groups of every chunk of the run) when given, else from one query over the date."""
    if groups is None:
        groups = summary_groups(tenant, day)
    decimal_fields = {f.name for f in SnapshotSummary._meta.fields if isinstance(f, models.DecimalField)}
    # Every figure is a count or a sum, so the all-regions row and each region's row are sums of the
    # groups (a partner serving two regions counts in both, as a region filter would count it).
    regions = {code for code, _label in REGIONS}
    cells: dict[tuple, dict] = {}
    for row in groups:
        served = sorted(set(row["regions"]) & regions)
        for region in ["", *served]:
            cell = cells.setdefault((region, *(row[k] for k in SEGMENT)), {})
            for name, value in row.items():
                if name in SEGMENT or name == "regions":
                    continue
                value = value or 0
                if name in decimal_fields:
                    value = Decimal(value)
                cell[name] = cell.get(name, 0) + value
    rows = [SnapshotSummary(tenant=tenant, date=day, region=region, tier_id=tier_id, partner_type_id=type_id,
                            status=status, **values)
            for (region, tier_id, type_id, status), values in cells.items()]
    SnapshotSummary.objects.filter(tenant=tenant, date=day).delete()
    SnapshotSummary.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def chunk_summary(tenant, run, first_id, last_id, *, proposed: bool) -> dict:
    """What one chunk leaves for closing the run, computed in the chunk's own transaction right
    after its rows are written: its summary groups and, when it proposed tier changes, its new
    proposals per owner. Closing the run then adds these up instead of reading the whole date again
    (1.1 s and 0.5 s of a 100,000-partner night, in series, after the last chunk). On PostgreSQL
    the chunk's statement sums up the same from the rows it writes (sql_chunk.summary; its tests
    compare the two), so this reads the rows back on the Python path only."""
    from analytics.models import HealthRun

    partner_range = (first_id, last_id)
    # The date as a subquery, not a constant: until the run's end re-samples the statistics, the
    # planner believes a new date has no rows and reads it through the (tenant, date, risk) index:
    # the whole date written so far, for every chunk (0.1 s for the first chunk, 0.9 s for the
    # tenth). Not knowing the value, it takes the chunk's partner range on the unique index.
    day = Subquery(HealthRun.objects.filter(pk=run.pk).values("date"))
    proposals = new_proposal_counts(tenant, day, partner_range) if proposed else {}
    return {"groups": summary_groups(tenant, day, partner_range),
            "proposals": [[owner, n] for owner, n in proposals.items()]}


def combine_chunk_summaries(partials: list[dict | None]) -> tuple[list[dict] | None, dict | None]:
    """(summary groups, new proposals per owner) of a whole run from its chunks' chunk_summary, or
    (None, None) when a chunk has none (done by a version that did not keep them): then closing
    the run queries the date as a whole."""
    if any(partial is None for partial in partials):
        return None, None
    per_owner: dict = {}
    for partial in partials:
        for owner, n in partial["proposals"]:
            per_owner[owner] = per_owner.get(owner, 0) + n
    return [group for partial in partials for group in partial["groups"]], per_owner


def previous_snapshot_date(tenant, day):
    """The tenant's latest snapshot date before `day` (a date, or an expression giving one); None
    when there is none. New tier proposals are those not already proposed then."""
    return (PartnerHealthSnapshot.objects.filter(tenant=tenant, date__lt=day).order_by("-date")
            .values_list("date", flat=True).first())


def new_proposal_counts(tenant, day, partner_range: tuple | None = None) -> dict:
    """{owning manager's user id (None: no owner): tier changes proposed on `day` that were not
    already proposed on the previous snapshot date}, for the partner ids in `partner_range` when given.
    Counted in the database: a large tenant has tens of thousands of proposals, and only these few
    counts are needed."""
    proposed = PartnerHealthSnapshot.objects.filter(tenant=tenant, date=day,
                                                    tier_action=PartnerHealthSnapshot.TierAction.PROPOSED)
    if partner_range is not None:
        proposed = proposed.filter(partner_id__gte=partner_range[0], partner_id__lte=partner_range[1])
    previous_day = previous_snapshot_date(tenant, day)
    if previous_day is not None:
        proposed = proposed.exclude(Exists(PartnerHealthSnapshot.objects.filter(
            tenant=tenant, date=previous_day, tier_action=PartnerHealthSnapshot.TierAction.PROPOSED,
            partner_id=OuterRef("partner_id"), recommended_tier_id=OuterRef("recommended_tier_id"))))
    return dict(proposed.values_list("partner__owner_id").annotate(n=Count("id")).order_by())


def notify_new_proposals(tenant, run, per_owner: dict | None = None) -> int:
    """Tell each partner's channel manager (or every manager when it has none) about the tier
    changes newly proposed by the run (`per_owner`: new_proposal_counts, added up over its chunks)."""
    from prm.notifications.services import notify
    from prm.tenancy.models import Membership
    from prm.tenancy.roles import MANAGER_ROLES

    if per_owner is None:
        per_owner = new_proposal_counts(tenant, run.date)
    per_owner = {owner: n for owner, n in per_owner.items() if n}
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
