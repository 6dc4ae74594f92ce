"""Staff pages: the partner list with filters and export, the partner detail and its actions,
and the onboarding funnel. Every lookup goes through `partners_visible_to` (book restriction)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partners.forms import ManagerForm, PartnerFilterForm, StatusForm, StepTickForm, TierChangeForm
from partners.models import AgreementAcceptance, OnboardingStep, Partner, PartnerUserObjectPermission, TierChange
from partners.selectors import (
    can_register_deals,
    managers_confined_to_book,
    onboarding_funnel,
    partners_visible_to,
    stuck_onboardings,
    with_current_steps,
)
from partners.selectors import partner_list as filter_partners
from partners.services.agreements import agreement_status
from partners.services.onboarding import onboarding_checklist, onboarding_step_tick
from partners.services.organisations import (
    partner_book_add,
    partner_book_remove,
    partner_set_owner,
    partner_set_status,
)
from partners.services.organisations import (
    partner_invite_contact as invite_contact_service,
)
from partners.services.tiers import tier_change, tier_change_cancel, tier_requirements_check
from prm.accounts.selectors import tenant_members
from prm.csv_safe import csv_response
from prm.tenancy.access import manager_required, staff_required, tenant_admin_required
from prm.tenancy.models import Membership
from prm.tenancy.roles import MANAGER_ROLES, Role

EXPORT_HEADER = ["name", "website", "country", "partner_type", "tier", "status", "regions", "specialties",
                 "employees", "revenue_band", "description", "contact_name", "contact_email", "owner", "joined",
                 "activated", "id"]


def _partner_for_staff(request, partner_id) -> Partner:
    """Not found and not in the manager's book are the same 404."""
    return get_object_or_404(partners_visible_to(request.viewer).select_related("partner_type", "tier", "owner"), pk=partner_id)


def _managers(tenant, roles=MANAGER_ROLES):
    ids = Membership.objects.filter(tenant=tenant, role__in=list(roles), is_active=True).values("user_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("email")


@staff_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    form = PartnerFilterForm(request.GET or None, tenant=request.tenant)
    qs = partner_list_qs(request, form)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    counts = dict(partners_visible_to(request.viewer).order_by().values_list("status").annotate(n=Count("id")))
    context = {"form": form, "page": page, "querystring": querystring.urlencode(),
               "status_counts": [(label, counts.get(value, 0)) for value, label in Partner.Status.choices]}
    template = "partners/staff/list.html#partner-table" if request.htmx else "partners/staff/list.html"
    return render(request, template, context)


def partner_list_qs(request, form):
    return filter_partners(partners_visible_to(request.viewer), **form.filters(request.user))


@staff_required
@require_GET
def partner_export(request: HttpRequest) -> HttpResponse:
    """CSV of the filtered list (formula cells neutralised by csv_safe); same columns the import reads."""
    form = PartnerFilterForm(request.GET or None, tenant=request.tenant)
    qs = partner_list_qs(request, form).values_list(
        "name", "website", "country", "partner_type__code", "tier__name", "status", "regions", "specialties",
        "employees", "revenue_band", "description", "contact_name", "contact_email", "owner__email", "joined_at",
        "activated_at", "id",
    )

    def rows():
        for row in qs.iterator(chunk_size=2000):
            row = list(row)
            row[6] = ";".join(row[6] or [])
            row[7] = ";".join(row[7] or [])
            row[14] = row[14].date().isoformat() if row[14] else ""
            row[15] = row[15].date().isoformat() if row[15] else ""
            yield row

    stamp = timezone.localdate().isoformat()
    return csv_response(f"partners-{request.tenant.slug}-{stamp}.csv", EXPORT_HEADER, rows(), tenant=request.tenant)


@staff_required
@require_GET
def partner_detail(request: HttpRequest, partner_id) -> HttpResponse:
    partner = _partner_for_staff(request, partner_id)
    checks = tier_requirements_check(tenant=request.tenant, partner_ids=[partner.pk])[partner.pk]
    checklist = onboarding_checklist(partner)
    open_steps = None
    if checklist:
        open_steps = OnboardingStep.objects.filter(path=checklist["onboarding"].path).exclude(
            completions__onboarding=checklist["onboarding"])
    deals_open, deals_reason = can_register_deals(partner, request.membership.role)
    is_admin = request.membership.role == Role.TENANT_ADMIN
    context = {
        "partner": partner,
        "members": tenant_members(request.viewer).filter(partner=partner),
        "tier_checks": checks,
        "history": TierChange.objects.filter(partner=partner).select_related("from_tier", "to_tier", "changed_by")
        .order_by("-created_at")[:30],
        "pending": TierChange.objects.filter(partner=partner, status=TierChange.Status.SCHEDULED)
        .select_related("to_tier").first(),
        "checklist": checklist,
        "agreement": agreement_status(partner, role=request.membership.role),
        "acceptances": AgreementAcceptance.objects.filter(partner=partner).select_related("agreement", "user")[:10],
        "deals_open": deals_open, "deals_reason": deals_reason,
        "can_manage": request.membership.can_manage,
        "tier_form": TierChangeForm(tenant=request.tenant),
        "status_form": StatusForm(),
        "owner_form": ManagerForm(managers=_managers(request.tenant), required=False, label=_("Owner"),
                                  initial={"manager": partner.owner_id}),
        "tick_form": StepTickForm(steps=open_steps) if open_steps is not None else None,
        "book": (PartnerUserObjectPermission.objects.filter(content_object=partner).select_related("user")
                 if is_admin else None),
        "book_form": ManagerForm(managers=_managers(request.tenant, roles={Role.CHANNEL_MANAGER})) if is_admin else None,
        "books_confine": managers_confined_to_book(request.tenant) if is_admin else None,
        "applications": partner.applications.order_by("-created_at")[:3],
    }
    return render(request, "partners/staff/detail.html", context)


def _act(request, partner, fn, success: str):
    try:
        fn()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("partners:staff_detail", partner_id=partner.pk)


@manager_required
@require_POST
def partner_tier_change(request: HttpRequest, partner_id) -> HttpResponse:
    partner = _partner_for_staff(request, partner_id)
    form = TierChangeForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        messages.error(request, _("Choose a tier and give a reason."))
        return redirect("partners:staff_detail", partner_id=partner.pk)
    try:
        change = tier_change(tenant=request.tenant, partner=partner, to_tier=form.cleaned_data["to_tier"],
                             reason=form.cleaned_data["reason"], actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if change.status == TierChange.Status.SCHEDULED:
            messages.success(request, _("Downgrade to %(tier)s scheduled for %(date)s; the partner has been warned.") % {
                "tier": change.to_tier, "date": date_format(change.effective_from, "DATE_FORMAT")})
        else:
            messages.success(request, _("%(partner)s is now %(tier)s.") % {"partner": partner, "tier": change.to_tier})
    return redirect("partners:staff_detail", partner_id=partner.pk)


@manager_required
@require_POST
def partner_tier_cancel(request: HttpRequest, partner_id) -> HttpResponse:
    partner = _partner_for_staff(request, partner_id)
    return _act(request, partner, lambda: tier_change_cancel(
        tenant=request.tenant, partner=partner, actor=request.user, reason=request.POST.get("reason", ""),
        request=request), _("The scheduled downgrade was withdrawn."))


@manager_required
@require_POST
def partner_status(request: HttpRequest, partner_id) -> HttpResponse:
    partner = _partner_for_staff(request, partner_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status and give a reason."))
        return redirect("partners:staff_detail", partner_id=partner.pk)
    return _act(request, partner, lambda: partner_set_status(
        tenant=request.tenant, partner=partner, status=form.cleaned_data["status"],
        reason=form.cleaned_data["reason"], actor=request.user, request=request), _("Status updated."))


@manager_required
@require_POST
def partner_owner(request: HttpRequest, partner_id) -> HttpResponse:
    partner = _partner_for_staff(request, partner_id)
    form = ManagerForm(request.POST, managers=_managers(request.tenant), required=False)
    if not form.is_valid():
        messages.error(request, _("Choose a channel manager of this portal."))
        return redirect("partners:staff_detail", partner_id=partner.pk)
    return _act(request, partner, lambda: partner_set_owner(
        tenant=request.tenant, partner=partner, owner=form.cleaned_data["manager"], actor=request.user,
        request=request), _("Owner updated."))


@tenant_admin_required
@require_POST
def partner_book(request: HttpRequest, partner_id) -> HttpResponse:
    """Tenant admins share a partner with a channel manager's book, or take it out again."""
    partner = _partner_for_staff(request, partner_id)
    form = ManagerForm(request.POST, managers=_managers(request.tenant, roles={Role.CHANNEL_MANAGER}))
    if not form.is_valid():
        messages.error(request, _("Choose a channel manager of this portal."))
        return redirect("partners:staff_detail", partner_id=partner.pk)
    manager = form.cleaned_data["manager"]
    if request.POST.get("action") == "remove":
        return _act(request, partner, lambda: partner_book_remove(
            tenant=request.tenant, partner=partner, manager=manager, actor=request.user, request=request),
            _("Removed from %(user)s's book.") % {"user": manager})
    return _act(request, partner, lambda: partner_book_add(
        tenant=request.tenant, partner=partner, manager=manager, actor=request.user, request=request),
        _("Added to %(user)s's book.") % {"user": manager})


@manager_required
@require_POST
def partner_step_tick(request: HttpRequest, partner_id) -> HttpResponse:
    partner = _partner_for_staff(request, partner_id)
    checklist = onboarding_checklist(partner)
    steps = OnboardingStep.objects.filter(path=checklist["onboarding"].path) if checklist else OnboardingStep.objects.none()
    form = StepTickForm(request.POST, steps=steps)
    if not form.is_valid():
        messages.error(request, _("Choose a step of this partner's onboarding."))
        return redirect("partners:staff_detail", partner_id=partner.pk)
    return _act(request, partner, lambda: onboarding_step_tick(
        tenant=request.tenant, partner=partner, step=form.cleaned_data["step"], actor=request.user,
        request=request), _("Step marked as done."))


@manager_required
@require_POST
def partner_invite_contact(request: HttpRequest, partner_id) -> HttpResponse:
    partner = _partner_for_staff(request, partner_id)
    return _act(request, partner, lambda: invite_contact_service(
        tenant=request.tenant, partner=partner, actor=request.user, request=request),
        _("Invitation sent to %(email)s.") % {"email": partner.contact_email})


@staff_required
@require_GET
def onboarding_overview(request: HttpRequest) -> HttpResponse:
    """The onboarding funnel per path, and partners stuck on a step for longer than the path allows."""
    visible = partners_visible_to(request.viewer)
    stuck = list(stuck_onboardings(request.tenant, partners=visible)[:200])
    return render(request, "partners/staff/onboarding.html", {
        "funnel": onboarding_funnel(request.tenant),
        "stuck": with_current_steps(stuck),
        "onboarding_count": visible.filter(status=Partner.Status.ONBOARDING).count(),
    })
