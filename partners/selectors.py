"""Reads about partners: the deal gate other apps rely on, staff lists, onboarding funnel."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import (
    OnboardingPath,
    OnboardingStep,
    Partner,
    PartnerApplication,
    PartnerOnboarding,
    PartnerSettings,
    PartnerUserObjectPermission,
    StepCompletion,
)
from prm.tenancy.roles import MANAGER_ROLES, Role
from prm.tenancy.viewer import Viewer

# Statuses in which an organisation may register deals (onboarding partners may: "register a first
# deal" is an onboarding step), provided its agreement acceptance is in order.
DEAL_STATUSES = (Partner.Status.ONBOARDING, Partner.Status.ACTIVE)


def can_register_deals(partner: Partner, role: str | None = None) -> tuple[bool, str]:
    """Whether the organisation may register deals and claim incentives now, and why not.

    Gate used by deals and incentives: the partner must be onboarding or active, and a partner
    admin must have accepted the current program agreement (or still be within the grace period
    after a new version was published). Two queries.
    """
    from partners.services.agreements import agreement_status

    if partner.status not in DEAL_STATUSES:
        return False, _("Your organisation is not active in the program.")
    status = agreement_status(partner, role=role)
    if status.blocks:
        return False, status.message
    return True, ""


def managers_confined_to_book(tenant) -> bool:
    """Whether the tenant confines its channel managers to their book of partners (the one reader
    of the setting; one query per request at most, PartnerSettings.for_tenant memoises the row)."""
    return PartnerSettings.for_tenant(tenant).restrict_managers_to_book


def book_of(viewer: Viewer) -> QuerySet | None:
    """The book rule (registered with the core's Viewer): a channel manager of a tenant that
    confines managers sees the partners they own plus those shared with them through guardian's
    direct object-permission table; everybody else on the staff sees every partner (None)."""
    if viewer.role != Role.CHANNEL_MANAGER or not managers_confined_to_book(viewer.tenant):
        return None
    shared = PartnerUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=viewer.user, permission__codename="view_partner",
    )
    return Partner.objects.filter(tenant=viewer.tenant).filter(Q(owner=viewer.user) | Exists(shared)).values("pk")


def managers_for(tenant, partner=None) -> list:
    """Who on the staff hears about a partner's business: its own channel manager when it has one,
    else every manager who may see it (tenant admins; channel managers too, unless the tenant
    confines them to their book, then only those the partner is shared with)."""
    from prm.tenancy.models import Membership

    members = list(Membership.objects.filter(tenant=tenant, role__in=list(MANAGER_ROLES), is_active=True,
                                             user__is_active=True).select_related("user"))
    if partner is not None and partner.owner_id:
        owner = [m.user for m in members if m.user_id == partner.owner_id]
        if owner:
            return owner
    if not managers_confined_to_book(tenant):
        return [m.user for m in members]
    shared = set()
    if partner is not None:
        shared = set(PartnerUserObjectPermission.objects.filter(
            content_object=partner, permission__codename="view_partner").values_list("user_id", flat=True))
    return [m.user for m in members if m.role == Role.TENANT_ADMIN or m.user_id in shared]


def partners_visible_to(viewer: Viewer) -> QuerySet[Partner]:
    """Partners the viewer may see: their own organisation, the book, or all of the tenant's."""
    return viewer.scope(Partner.objects.all(), field=None)


def partner_list(qs: QuerySet[Partner], *, q: str = "", status: str = "", partner_type=None, tier=None,
                 country: str = "", region: str = "", owner=None) -> QuerySet[Partner]:
    """Filters shared by the staff list and the CSV export."""
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(domain__icontains=q) | Q(contact_email__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if partner_type is not None:
        qs = qs.filter(partner_type=partner_type)
    if tier is not None:
        qs = qs.filter(tier=tier)
    if country:
        qs = qs.filter(country=country)
    if region:
        qs = qs.filter(regions__contains=region) if _json_contains_supported() else qs.filter(regions__icontains=f'"{region}"')
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.select_related("partner_type", "tier", "owner").order_by("name", "pk")


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def applications_visible_to(viewer: Viewer) -> QuerySet[PartnerApplication]:
    """Applications are the whole staff's until approved; an approved one follows its partner's book."""
    return viewer.scope(PartnerApplication.objects.all(), unowned=True)


def application_queue(viewer: Viewer, *, status: str = "open") -> QuerySet[PartnerApplication]:
    qs = applications_visible_to(viewer).select_related("partner_type", "reviewed_by")
    if status == "open":
        return qs.open().order_by("-fit_score", "created_at")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def onboarding_funnel(tenant) -> list[dict]:
    """Per path: partners started, how many completed each step, finished — 3 queries in all."""
    paths = list(OnboardingPath.objects.filter(tenant=tenant).select_related("partner_type").order_by("name"))
    steps = list(OnboardingStep.objects.filter(tenant=tenant).order_by("path_id", "order"))
    done = dict(StepCompletion.objects.filter(tenant=tenant).values_list("step_id").annotate(n=Count("id")))
    runs = {
        row["path_id"]: row
        for row in PartnerOnboarding.objects.filter(tenant=tenant).values("path_id").annotate(
            started=Count("id"), finished=Count("id", filter=Q(completed_at__isnull=False)),
        )
    }
    funnel = []
    for path in paths:
        run = runs.get(path.pk, {"started": 0, "finished": 0})
        started = run["started"]
        path_steps = [
            {"step": s, "completed": done.get(s.pk, 0),
             "percent": round(100 * done.get(s.pk, 0) / started) if started else 0}
            for s in steps if s.path_id == path.pk
        ]
        funnel.append({"path": path, "started": started, "finished": run["finished"], "steps": path_steps,
                       "finished_percent": round(100 * run["finished"] / started) if started else 0})
    return funnel


def stuck_onboardings(tenant, *, partners: QuerySet[Partner] | None = None, now=None) -> QuerySet[PartnerOnboarding]:
    """Onboardings without progress for longer than their path's `stuck_after_days` (one query)."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for path_id, days in OnboardingPath.objects.filter(tenant=tenant).values_list("pk", "stuck_after_days"):
        condition |= Q(path_id=path_id, last_progress_at__lt=now - timedelta(days=days))
    qs = PartnerOnboarding.objects.filter(tenant=tenant, completed_at__isnull=True,
                                          partner__status=Partner.Status.ONBOARDING).filter(condition)
    if partners is not None:
        qs = qs.filter(partner__in=partners)
    return qs.select_related("partner", "path", "partner__owner").order_by("last_progress_at")


def with_current_steps(onboardings: list[PartnerOnboarding]) -> list[PartnerOnboarding]:
    """Attach `current_step` (first open step) to each onboarding: 2 queries for the whole list."""
    path_ids = {o.path_id for o in onboardings}
    steps: dict = {}
    for step in OnboardingStep.objects.filter(path_id__in=path_ids).order_by("order"):
        steps.setdefault(step.path_id, []).append(step)
    done: dict = {}
    for onboarding_id, step_id in StepCompletion.objects.filter(
        onboarding_id__in=[o.pk for o in onboardings]
    ).values_list("onboarding_id", "step_id"):
        done.setdefault(onboarding_id, set()).add(step_id)
    for o in onboardings:
        path_steps = steps.get(o.path_id, [])
        finished = done.get(o.pk, set())
        o.current_step = next((s for s in path_steps if s.pk not in finished), None)
        o.steps_done = len(finished)
        o.steps_total = len(path_steps)
        o.days_without_progress = (timezone.now() - o.last_progress_at).days
    return onboardings
