"""Content and training analytics for staff: aggregate queries, a fixed number per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from content.models import Asset, Certification, Course
from partners.models import Partner
from prm.events.models import EngagementEvent

CONTENT_KINDS = ("content_viewed", "content_downloaded")
ASSET_LABEL = "content.asset"
UNOPENED_DAYS = 90


@dataclass
class AssetStats:
    asset: Asset
    views: int = 0
    downloads: int = 0
    partners: int = 0


@dataclass
class GroupStats:
    label: str
    views: int = 0
    downloads: int = 0
    partners: int = 0
    active_partners: int = 0

    @property
    def per_partner(self) -> float:
        return round((self.views + self.downloads) / self.active_partners, 1) if self.active_partners else 0.0


@dataclass
class ContentAnalytics:
    since: datetime
    assets: list[AssetStats] = field(default_factory=list)
    by_tier: list[GroupStats] = field(default_factory=list)
    by_type: list[GroupStats] = field(default_factory=list)
    views: int = 0
    downloads: int = 0
    unique_partners: int = 0
    active_partners: int = 0
    engaged_active_partners: int = 0
    average_per_active_partner: float = 0.0
    unopened: list[Asset] = field(default_factory=list)
    courses: list = field(default_factory=list)


def content_events(since: datetime):
    return EngagementEvent.objects.filter(kind__in=CONTENT_KINDS, object_type=ASSET_LABEL, occurred_at__gte=since)


def _group(rows, key: str, label_of) -> dict[object, GroupStats]:
    groups: dict[object, GroupStats] = {}
    for row in rows:
        stats = groups.setdefault(row[key], GroupStats(label=label_of(row)))
        if row["kind"] == "content_viewed":
            stats.views += row["n"]
        else:
            stats.downloads += row["n"]
    return groups


def content_analytics(*, days: int = 90, now: datetime | None = None) -> ContentAnalytics:
    now = now or timezone.now()
    since = now - timedelta(days=days)
    events = content_events(since)
    result = ContentAnalytics(since=since)

    # Per asset: views, downloads and unique partners (two grouped queries + the asset list).
    per_kind = events.values("object_id", "kind").annotate(n=Count("id")).order_by()
    per_partner = events.values("object_id").annotate(p=Count("partner", distinct=True)).order_by()
    stats = {str(a.pk): AssetStats(asset=a) for a in Asset.objects.select_related("category", "min_tier", "current_version")}
    for row in per_kind:
        s = stats.get(row["object_id"])
        if s is None:
            continue  # the asset was deleted since
        if row["kind"] == "content_viewed":
            s.views += row["n"]
        else:
            s.downloads += row["n"]
    for row in per_partner:
        if row["object_id"] in stats:
            stats[row["object_id"]].partners = row["p"]
    result.assets = sorted(stats.values(), key=lambda s: (-(s.downloads + s.views), s.asset.title.lower()))

    # By tier and by partner type, with the number of active partners in each group.
    active = Partner.objects.filter(status=Partner.Status.ACTIVE)
    tier_rows = events.values("partner__tier_id", "partner__tier__name", "partner__tier__rank", "kind").annotate(
        n=Count("id")).order_by()
    tiers = _group(tier_rows, "partner__tier_id", lambda r: r["partner__tier__name"] or "—")
    tier_partners = events.values("partner__tier_id").annotate(p=Count("partner", distinct=True)).order_by()
    tier_active = active.values("tier_id", "tier__name", "tier__rank").annotate(n=Count("id")).order_by()
    ranks = {r["partner__tier_id"]: r["partner__tier__rank"] or 0 for r in tier_rows}
    for row in tier_active:
        group = tiers.setdefault(row["tier_id"], GroupStats(label=row["tier__name"] or "—"))
        group.active_partners = row["n"]
        ranks[row["tier_id"]] = row["tier__rank"] or 0
    for row in tier_partners:
        if row["partner__tier_id"] in tiers:
            tiers[row["partner__tier_id"]].partners = row["p"]
    result.by_tier = [tiers[k] for k in sorted(tiers, key=lambda k: ranks.get(k, 0))]

    type_rows = events.values("partner__partner_type_id", "partner__partner_type__name", "kind").annotate(
        n=Count("id")).order_by()
    types = _group(type_rows, "partner__partner_type_id", lambda r: r["partner__partner_type__name"] or "—")
    type_partners = events.values("partner__partner_type_id").annotate(p=Count("partner", distinct=True)).order_by()
    for row in active.values("partner_type_id", "partner_type__name").annotate(n=Count("id")).order_by():
        types.setdefault(row["partner_type_id"], GroupStats(label=row["partner_type__name"])).active_partners = row["n"]
    for row in type_partners:
        if row["partner__partner_type_id"] in types:
            types[row["partner__partner_type_id"]].partners = row["p"]
    result.by_type = sorted(types.values(), key=lambda g: g.label.lower())

    totals = events.aggregate(
        views=Count("id", filter=Q(kind="content_viewed")), downloads=Count("id", filter=Q(kind="content_downloaded")),
        partners=Count("partner", distinct=True),
        active_events=Count("id", filter=Q(partner__status=Partner.Status.ACTIVE)),
        active_partners=Count("partner", distinct=True, filter=Q(partner__status=Partner.Status.ACTIVE)),
    )
    result.views, result.downloads, result.unique_partners = totals["views"], totals["downloads"], totals["partners"]
    result.active_partners = sum(g.active_partners for g in result.by_tier)
    result.engaged_active_partners = totals["active_partners"]
    result.average_per_active_partner = (
        round(totals["active_events"] / result.active_partners, 1) if result.active_partners else 0.0
    )

    # Published assets nobody opened (viewed or downloaded) in the last 90 days, whatever the period shown.
    opened = set(content_events(now - timedelta(days=UNOPENED_DAYS)).values_list("object_id", flat=True).distinct())
    result.unopened = [
        s.asset for s in sorted(stats.values(), key=lambda s: s.asset.title.lower())
        if s.asset.publication_state == "published" and str(s.asset.pk) not in opened
    ]
    result.courses = list(training_stats(since=since, now=now))
    return result


def training_stats(*, since: datetime, now: datetime):
    """Per course: certifications in force, issued in the period, quiz attempts and passes in the period."""
    valid = Q(certifications__issued_at__lte=now) & ~Q(certifications__status=Certification.Status.REVOKED) & (
        Q(certifications__expires_at__isnull=True) | Q(certifications__expires_at__gt=now)
    )
    return Course.objects.annotate(
        active_certifications=Count("certifications", filter=valid, distinct=True),
        issued=Count("certifications", filter=Q(certifications__issued_at__gte=since), distinct=True),
        attempts_count=Count("attempts", filter=Q(attempts__created_at__gte=since), distinct=True),
        passes=Count("attempts", filter=Q(attempts__created_at__gte=since, attempts__passed=True), distinct=True),
    ).order_by("title")


def engagement_summary(*, days: int = 30, now: datetime | None = None) -> dict:
    """The staff home widget: a few totals and the most used assets of the last `days` days."""
    now = now or timezone.now()
    events = content_events(now - timedelta(days=days))
    totals = events.aggregate(
        views=Count("id", filter=Q(kind="content_viewed")), downloads=Count("id", filter=Q(kind="content_downloaded")),
        partners=Count("partner", distinct=True),
    )
    top_ids = [r["object_id"] for r in events.values("object_id").annotate(n=Count("id")).order_by("-n", "object_id")[:3]]
    top = {str(a.pk): a for a in Asset.objects.filter(pk__in=top_ids)}
    return {
        "days": days, **totals,
        "top": [top[i] for i in top_ids if i in top],
        "certifications": Certification.objects.valid_on(now).count(),
    }
