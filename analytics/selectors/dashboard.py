"""The executive dashboard: a fixed number of queries whatever the tenant's size.

Every partner figure (status, activity, scores, pipeline and won revenue by tier and type,
activation, decisions against the SLA, revenue by attribution role, engagement, MDF utilisation,
trends) comes from the per-segment summary rows a finished run writes: a few hundred rows per
date, summed here for the chosen period and filters. The onboarding funnel, the at-risk list and
the MDF ROI (incentives app) and the leads section (analytics.selectors.leads) are single queries
of their own.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from analytics.models import ROLES, HealthRun, PartnerHealthSnapshot, SnapshotSummary
from analytics.selectors.filters import DashboardFilters
from deals.models import DealSettings
from partners.models import Partner

ZERO = Decimal("0")
TREND_WEEKS = 12
ACTIVATION_DAYS = 90
APPROVED_ONCE = ("approved", "won", "lost", "expired")


def _pct(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Segment:
    label: str
    partners: int = 0
    pipeline: Decimal = ZERO
    won: Decimal = ZERO


@dataclass
class Dashboard:
    filters: DashboardFilters
    run: HealthRun | None = None
    day: date | None = None
    partners: int = 0
    status_counts: list = field(default_factory=list)
    active_30: int = 0
    active_pct: float | None = None
    avg_score: float | None = None
    at_risk_count: int = 0
    onboarding_pct: float | None = None
    by_tier: list = field(default_factory=list)
    by_type: list = field(default_factory=list)
    pipeline: Decimal = ZERO
    won: Decimal = ZERO
    content_per_partner: float | None = None
    courses_per_partner: float | None = None
    certifications_per_partner: float | None = None
    mdf_allocated: Decimal = ZERO
    mdf_used: Decimal = ZERO
    mdf_utilisation: float | None = None
    trends: list = field(default_factory=list)
    activation: dict = field(default_factory=dict)
    approvals: dict = field(default_factory=dict)
    attribution: list = field(default_factory=list)
    funnel: list = field(default_factory=list)
    roi: dict = field(default_factory=dict)
    at_risk: list = field(default_factory=list)
    at_risk_threshold: float = 0.6
    leads: dict = field(default_factory=dict)


# How long a rendered dashboard is shared (views.dashboard). The partner figures change only when
# a run finishes, which changes the key; the funnel, MDF ROI and at-risk list may lag this long.
CACHE_SECONDS = 300


@dataclass(frozen=True)
class DashboardState:
    """What the figures are computed from: the latest finished run and the analytics settings."""

    run: HealthRun | None
    settings: object

    @classmethod
    def load(cls, tenant) -> DashboardState:
        from analytics.services.settings import analytics_settings

        return cls(latest_run(tenant), analytics_settings(tenant))


def dashboard_cache_key(tenant, f: DashboardFilters, language: str, state: DashboardState) -> str:
    """Names everything the page body depends on: the latest finished run, the settings and
    tenant fields it shows, the filters and the language."""
    import hashlib

    run, settings = state.run, state.settings
    parts = [tenant.pk, tenant.base_currency, DealSettings.for_tenant(tenant).deal_approval_sla_days, run and run.pk,
             run and run.finished_at and run.finished_at.isoformat(), settings.at_risk_threshold,
             settings.updated_at.isoformat(), f.querystring(), language]
    return "analytics:dashboard:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def latest_run(tenant) -> HealthRun | None:
    return HealthRun.objects.filter(tenant=tenant, status=HealthRun.Status.DONE).order_by("-date", "-finished_at").first()


def _summary_rows(tenant, f: DashboardFilters, dates):
    qs = SnapshotSummary.objects.filter(tenant=tenant, date__in=list(dates), region=f.region or "")
    if f.tier is not None:
        qs = qs.filter(tier=f.tier)
    if f.partner_type is not None:
        qs = qs.filter(partner_type=f.partner_type)
    return qs


def _partners(tenant, f: DashboardFilters):
    """The filtered partners, as a queryset other queries can use as a subquery."""
    qs = Partner.objects.filter(tenant=tenant)
    if f.tier is not None:
        qs = qs.filter(tier=f.tier)
    if f.partner_type is not None:
        qs = qs.filter(partner_type=f.partner_type)
    if f.region:
        qs = _regions(qs, f.region)
    return qs


def _regions(qs, region: str):
    from django.db import connection

    if connection.vendor == "postgresql":
        return qs.filter(regions__contains=[region])
    return qs.filter(regions__icontains=f'"{region}"')


def _from_summary(d: Dashboard, tenant, f: DashboardFilters, tiers: dict, types: dict) -> None:
    statuses = OrderedDict((value, [label, 0]) for value, label in Partner.Status.choices)
    by_tier: dict = {}
    by_type: dict = {}
    score_sum = onboarding_sum = onboarding_count = content = courses = certifications = 0
    p = f.period
    cohort = activated = decided = within = 0
    hours = 0.0
    credits = {role: [0, ZERO] for role in ROLES}
    for row in _summary_rows(tenant, f, [d.day]):
        cohort += getattr(row, f"cohort_{p}")
        activated += getattr(row, f"activated_{p}")
        decided += getattr(row, f"decided_{p}")
        within += getattr(row, f"decided_in_sla_{p}")
        hours += getattr(row, f"decision_hours_{p}")
        for role in ROLES:
            credits[role][0] += getattr(row, f"{role}_deals_{p}")
            credits[role][1] += getattr(row, f"{role}_won_{p}")
        statuses.setdefault(row.status, [row.status, 0])[1] += row.partners
        d.partners += row.partners
        d.active_30 += row.active_30
        d.at_risk_count += row.at_risk
        score_sum += row.score_sum
        onboarding_sum += row.onboarding_sum
        onboarding_count += row.onboarding_count
        content += row.content_30
        courses += row.courses_90
        certifications += row.certifications
        d.mdf_allocated += row.mdf_allocated
        d.mdf_used += row.mdf_used
        won = getattr(row, f.won_field)
        for key, bucket, names in ((row.tier_id, by_tier, tiers), (row.partner_type_id, by_type, types)):
            seg = bucket.setdefault(key, Segment(names.get(key, "—")))
            seg.partners += row.partners
            seg.pipeline += row.open_pipeline
            seg.won += won
        d.pipeline += row.open_pipeline
        d.won += won
    d.status_counts = [(value, label, n) for value, (label, n) in statuses.items()]
    d.activation = {"cohort": cohort, "activated": activated, "rate": _pct(activated, cohort), "days": ACTIVATION_DAYS}
    d.approvals = {"decided": decided, "within": within, "pct": _pct(within, decided),
                   "avg_hours": round(hours / decided, 1) if decided else None,
                   "sla_days": DealSettings.for_tenant(tenant).deal_approval_sla_days}
    labels = dict(_role_labels())
    d.attribution = [{"role": role, "label": labels[role], "deals": credits[role][0], "revenue": credits[role][1]}
                     for role in ROLES]
    d.active_pct = _pct(d.active_30, d.partners)
    d.avg_score = round(score_sum / d.partners, 1) if d.partners else None
    d.onboarding_pct = round(100 * onboarding_sum / onboarding_count, 1) if onboarding_count else None
    d.content_per_partner = round(content / d.partners, 1) if d.partners else None
    d.courses_per_partner = round(courses / d.partners, 2) if d.partners else None
    d.certifications_per_partner = round(certifications / d.partners, 2) if d.partners else None
    d.mdf_utilisation = _pct(d.mdf_used, d.mdf_allocated)
    order = {pk: i for i, pk in enumerate(tiers)}
    d.by_tier = [by_tier[k] for k in sorted(by_tier, key=lambda k: order.get(k, -1))]
    d.by_type = sorted(by_type.values(), key=lambda s: s.label)


def _trends(d: Dashboard, tenant, f: DashboardFilters) -> None:
    dates = [d.day - timedelta(weeks=w) for w in range(TREND_WEEKS - 1, -1, -1)]
    rows = {r["date"]: r for r in _summary_rows(tenant, f, dates).values("date").annotate(
        partners=Sum("partners"), score=Sum("score_sum"), active=Sum("active_30"), risk=Sum("at_risk"),
        won=Sum("won_revenue_30")).order_by()}
    for day in dates:
        r = rows.get(day)
        d.trends.append({
            "date": day, "partners": r["partners"] if r else None,  # None: no run that week
            "avg_score": round(r["score"] / r["partners"], 1) if r and r["partners"] else None,
            "active_pct": _pct(r["active"], r["partners"]) if r else None,
            "at_risk": r["risk"] if r else None,
            "won_30": r["won"] if r else None,
        })


def _role_labels():
    from deals.models import DealPartner

    return DealPartner.Role.choices


def funnel(tenant, f: DashboardFilters) -> list[dict]:
    """Per onboarding path: partners started, finished, and how many completed each step (3 queries)."""
    from partners.models import OnboardingStep, PartnerOnboarding, StepCompletion

    partners = _partners(tenant, f).values("pk")
    runs = {r["path_id"]: r for r in PartnerOnboarding.objects.filter(tenant=tenant, partner__in=partners)
            .values("path_id", path_name=F("path__name")).annotate(
                started=Count("id"), finished=Count("id", filter=Q(completed_at__isnull=False))).order_by()}
    done = dict(StepCompletion.objects.filter(tenant=tenant, onboarding__partner__in=partners)
                .values_list("step_id").annotate(n=Count("id")).order_by())
    result = []
    steps: dict = {}
    for step in OnboardingStep.objects.filter(tenant=tenant, path_id__in=list(runs)).order_by("path_id", "order"):
        steps.setdefault(step.path_id, []).append(step)
    for path_id, run in sorted(runs.items(), key=lambda kv: kv[1]["path_name"]):
        started = run["started"]
        result.append({
            "path": run["path_name"], "started": started, "finished": run["finished"],
            "finished_pct": _pct(run["finished"], started),
            "steps": [{"title": s.title, "order": s.order, "completed": done.get(s.pk, 0),
                       "pct": _pct(done.get(s.pk, 0), started)} for s in steps.get(path_id, [])],
        })
    return result


def roi(tenant, f: DashboardFilters, today: date) -> dict:
    """MDF spend and the won revenue of the deals attributed to the activities (incentives app)."""
    from incentives.selectors.roi import roi_summary

    summary = roi_summary(tenant, start=today - timedelta(days=f.period), end=today)
    return {"mdf": summary["mdf"], "funds": summary["funds"], "currency": summary["currency"]}


def at_risk(tenant, f: DashboardFilters, day: date, threshold: float, limit: int = 10):
    qs = PartnerHealthSnapshot.objects.filter(
        tenant=tenant, date=day, status__in=("active", "onboarding"), churn_risk__gte=threshold,
        partner__in=_partners(tenant, f).values("pk"),
    ).select_related("partner", "partner__owner", "tier").order_by("-churn_risk", "partner__name")
    return qs[:limit] if limit else qs


def dashboard(tenant, f: DashboardFilters, state: DashboardState | None = None) -> Dashboard:
    state = state or DashboardState.load(tenant)
    d = Dashboard(filters=f)
    today = timezone.localdate()
    d.run = state.run
    d.at_risk_threshold = state.settings.at_risk_threshold
    tiers = {t.pk: t.name for t in f.tiers}
    types = {t.pk: t.name for t in f.types}
    if d.run is not None:
        d.day = d.run.date
        _from_summary(d, tenant, f, tiers, types)
        _trends(d, tenant, f)
        d.at_risk = list(at_risk(tenant, f, d.day, d.at_risk_threshold))
    if d.run is None:
        d.activation, d.approvals = {"days": ACTIVATION_DAYS}, {"sla_days": DealSettings.for_tenant(tenant).deal_approval_sla_days}
    d.funnel = funnel(tenant, f)
    d.roi = roi(tenant, f, today)
    d.leads = leads(tenant, f)
    return d


def leads(tenant, f: DashboardFilters) -> dict:
    """Lead offers, acceptance, conversion and vendor-sourced won revenue (analytics.selectors.leads; one query)."""
    from analytics.selectors.leads import dashboard_leads

    return dashboard_leads(tenant, f, _partners(tenant, f).values("pk") if f.is_segmented else None)
