"""Reads for the channel manager pages (my partners, partner 360), the partner scorecard and the
home widgets. Each is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from analytics.models import HealthRun, PartnerHealthSnapshot, SnapshotSummary
from analytics.selectors.dashboard import latest_run
from prm.tenancy.roles import Role
from prm.tenancy.viewer import Viewer

TIMELINE_EVENTS = 40
HISTORY_DAYS = 90


def _newest_first(partner) -> QuerySet[PartnerHealthSnapshot]:
    return PartnerHealthSnapshot.objects.filter(tenant_id=partner.tenant_id, partner=partner).order_by("-date")


def latest_snapshot_for_partner(partner) -> PartnerHealthSnapshot | None:
    return _newest_first(partner).select_related("tier", "recommended_tier", "next_tier").first()


def latest_score_for_partner(partner) -> PartnerHealthSnapshot | None:
    """The latest snapshot with only what the home widget shows (score, tier progress, actions):
    a snapshot has some eighty columns, JSON among them."""
    return (_newest_first(partner).select_related("next_tier")
            .only("date", "score", "next_actions", "next_tier_missing", "next_tier__name").first())


def headline(tenant) -> dict:
    """Staff home: partners, active in 30 days, average score, at risk, won revenue (90 days)."""
    run = latest_run(tenant)
    if run is None:
        return {"run": None}
    row = SnapshotSummary.objects.filter(tenant=tenant, date=run.date, region="").aggregate(
        partners=Sum("partners"), active=Sum("active_30"), score=Sum("score_sum"), at_risk=Sum("at_risk"),
        won=Sum("won_revenue_90"), pipeline=Sum("open_pipeline"))
    partners = row["partners"] or 0
    return {
        "run": run, "partners": partners, "at_risk": row["at_risk"] or 0, "won": row["won"] or 0,
        "pipeline": row["pipeline"] or 0, "currency": tenant.base_currency,
        "active_pct": round(100 * (row["active"] or 0) / partners) if partners else None,
        "avg_score": round((row["score"] or 0) / partners) if partners else None,
    }


@dataclass
class MyPartnersFilters:
    scope: str = "mine"   # mine | all
    q: str = ""
    risk: str = ""        # "" | at_risk
    status: str = ""


def my_partners(viewer: Viewer, f: MyPartnersFilters) -> tuple[HealthRun | None, QuerySet]:
    """The latest snapshot of each visible partner, riskiest first (one query per page)."""
    from partners.selectors import partners_visible_to

    run = latest_run(viewer.tenant)
    qs = PartnerHealthSnapshot.objects.none()
    if run is None:
        return run, qs
    partners = partners_visible_to(viewer)
    if f.scope == "mine":
        partners = partners.filter(owner=viewer.user)
    if f.q:
        partners = partners.filter(name__icontains=f.q)
    qs = PartnerHealthSnapshot.objects.filter(tenant=viewer.tenant, date=run.date, partner__in=partners.values("pk"))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.risk == "at_risk":
        from analytics.services.settings import analytics_settings

        qs = qs.filter(churn_risk__gte=analytics_settings(viewer.tenant).at_risk_threshold,
                       status__in=("active", "onboarding"))
    qs = qs.select_related("partner", "partner__owner", "tier", "recommended_tier").order_by(
        "-churn_risk", "score", "partner__name")
    return run, qs


def default_scope(viewer: Viewer) -> str:
    """Channel managers start with the partners they own; everybody else with all partners."""
    if viewer.role != Role.CHANNEL_MANAGER:
        return "all"
    from partners.models import Partner

    return "mine" if Partner.objects.filter(tenant=viewer.tenant, owner=viewer.user).exists() else "all"


def partner_360(viewer: Viewer, partner) -> dict:
    """Everything a channel manager wants on one page about one partner (about a dozen queries)."""
    from content.models import Certification
    from deals.models import DealRegistration
    from incentives.models import MdfRequest, SpifAccrual
    from partners.services.onboarding import onboarding_checklist
    from prm.events.models import EngagementEvent

    tenant = viewer.tenant
    today = timezone.localdate()
    history = list(PartnerHealthSnapshot.objects.filter(tenant=tenant, partner=partner,
                                                        date__gt=today - timedelta(days=HISTORY_DAYS))
                   .order_by("date").values("date", "score", "churn_risk"))
    latest = latest_snapshot_for_partner(partner)
    deals = DealRegistration.objects.filter(tenant=tenant, partner=partner)
    deal_counts = deals.aggregate(
        total=Count("id"), open=Count("id", filter=Q(status__in=("submitted", "info_requested", "approved"))),
        won=Count("id", filter=Q(status="won")), lost=Count("id", filter=Q(status="lost")),
        won_revenue=Sum("won_base_amount", filter=Q(status="won")),
        pipeline=Sum("base_amount", filter=Q(status__in=("submitted", "info_requested", "approved"))))
    return {
        "partner": partner,
        "latest": latest,
        "history": history,
        "timeline": list(EngagementEvent.objects.filter(tenant=tenant, partner=partner).select_related("user")
                         .order_by("-occurred_at")[:TIMELINE_EVENTS]),
        "deals": list(deals.order_by("-submitted_at")[:10]),
        "deal_counts": deal_counts,
        "mdf_requests": list(MdfRequest.objects.filter(tenant=tenant, partner=partner).select_related("fund")
                             .order_by("-submitted_at")[:10]),
        "spif": SpifAccrual.objects.filter(tenant=tenant, partner=partner).aggregate(
            n=Count("id"), total=Sum("amount")),
        "certifications": list(Certification.objects.filter(tenant=tenant, partner=partner)
                               .valid_on(timezone.now()).select_related("course", "user").order_by("expires_at")),
        "onboarding": onboarding_checklist(partner),
    }


def scorecard(partner) -> dict:
    """The partner's own view: latest snapshot and 12 weekly scores."""
    latest = latest_snapshot_for_partner(partner)
    weeks = []
    if latest is not None:
        dates = [latest.date - timedelta(weeks=w) for w in range(11, -1, -1)]
        scores = dict(PartnerHealthSnapshot.objects.filter(tenant_id=partner.tenant_id, partner=partner,
                                                           date__in=dates).values_list("date", "score"))
        weeks = [(d, scores.get(d)) for d in dates]
    return {"latest": latest, "weeks": weeks}


def still_open(partner, snapshot) -> list[dict]:
    """The snapshot's next best actions minus those the partner has done since the night it was
    computed (a course passed this morning must not still be suggested): two queries at most."""
    from content.models import Certification
    from deals.models import DealRegistration

    actions = list(snapshot.next_actions or [])
    courses = [a["course_id"] for a in actions if a.get("code") == "take_course" and a.get("course_id")]
    certified = set()
    if courses:
        certified = {str(pk) for pk in Certification.objects.filter(partner=partner, course_id__in=courses)
                     .valid_on(timezone.now()).values_list("course_id", flat=True)}
    registered = any(a.get("code") == "no_recent_deal" for a in actions) and DealRegistration.objects.filter(
        partner=partner, submitted_at__date__gt=snapshot.date).exists()
    return [a for a in actions
            if not (a.get("code") == "take_course" and a.get("course_id") in certified)
            and not (a.get("code") == "no_recent_deal" and registered)]
