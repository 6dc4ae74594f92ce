"""Partner self-service: the organisation profile, the program agreement, tier and onboarding."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partners import metrics
from partners.forms import AgreementAcceptForm, ProfileForm
from partners.models import Partner, TierChange
from partners.selectors import can_register_deals, partners_visible_to
from partners.services.agreements import agreement_accept, agreement_status
from partners.services.onboarding import onboarding_checklist
from partners.services.organisations import partner_profile_update
from partners.services.tiers import tier_requirements_check
from partners.views import bound
from prm.forms import add_service_errors
from prm.tenancy.access import member_required, partner_required
from prm.tenancy.roles import Role
from prm.tenancy.views import render_error
from prm.uploads import sniff_image_type


def _is_partner_admin(request) -> bool:
    return request.membership.role == Role.PARTNER_ADMIN


def certifications(partner: Partner) -> dict:
    """Certifications shown read-only, without importing the content app: the active count from its
    metric provider and the list from its certification-list provider (partners.metrics)."""
    from django.utils import timezone

    values = metrics.partner_metrics(partner.tenant, [partner.pk], timezone.localdate())
    active = values.get(metrics.ACTIVE_CERTIFICATIONS)
    earned = metrics.certification_list(partner) or []
    return {"active": active.get(partner.pk, 0) if active is not None else None, "earned": earned}


@partner_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    can_edit = _is_partner_admin(request)
    form = None
    if can_edit:
        form = ProfileForm(*bound(request, files=True), initial=ProfileForm.initial_for(partner))
        if request.method == "POST" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("logo", "remove_logo")}
            try:
                partner_profile_update(tenant=request.tenant, partner=partner, data=data,
                                       logo=form.cleaned_data.get("logo"),
                                       remove_logo=form.cleaned_data.get("remove_logo", False),
                                       actor=request.user, request=request)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your organisation profile was saved."))
                return redirect("partners:profile")
    elif request.method == "POST":
        return render_error(request, 403, reason="role")
    return render(request, "partners/profile.html", {
        "partner": partner, "form": form, "can_edit": can_edit, "missing": partner.profile_missing(),
        "certifications": certifications(partner),
    }, status=400 if form is not None and form.errors else 200)


@partner_required
@require_http_methods(["GET", "POST"])
def agreement(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    status = agreement_status(partner, role=request.membership.role)
    current = status.agreement
    form = AgreementAcceptForm(*bound(request), initial={"content_hash": current.content_hash if current else ""})
    if request.method == "POST":
        if current is None:
            raise Http404
        if not _is_partner_admin(request):
            return render_error(request, 403, reason="role")
        if form.is_valid():
            try:
                agreement_accept(tenant=request.tenant, partner=partner, agreement=current, user=request.user,
                                 shown_hash=form.cleaned_data["content_hash"], request=request)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you. The agreement is accepted for %(org)s.") % {"org": partner.name})
                return redirect("partners:agreement")
    acceptances = partner.agreement_acceptances.select_related("agreement", "user").order_by("-accepted_at")[:10]
    return render(request, "partners/agreement.html", {
        "partner": partner, "status": status, "agreement": current, "form": form,
        "can_accept": _is_partner_admin(request), "acceptances": acceptances,
    }, status=400 if form.errors else 200)


def tier_context(partner: Partner) -> dict:
    """Current tier, its benefits, the next tier's requirements and any pending downgrade."""
    from partners.models import Tier

    tiers = list(Tier.objects.filter(tenant=partner.tenant).order_by("rank"))
    checks = tier_requirements_check(tenant=partner.tenant, partner_ids=[partner.pk], tiers=tiers)[partner.pk]
    current = next((t for t in tiers if t.pk == partner.tier_id), None)
    current_check = next((c for c in checks if current and c.tier.pk == current.pk), None)
    next_check = next((c for c in checks if current is None or c.tier.rank > current.rank), None)
    pending = (TierChange.objects.filter(partner=partner, status=TierChange.Status.SCHEDULED)
               .select_related("from_tier", "to_tier").first())
    return {"tier": current, "current_check": current_check, "next_check": next_check, "pending": pending,
            "tiers": tiers}


@partner_required
@require_GET
def tier(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    history = (TierChange.objects.filter(partner=partner).exclude(status=TierChange.Status.CANCELLED)
               .select_related("from_tier", "to_tier").order_by("-effective_from")[:20])
    return render(request, "partners/tier.html", {"partner": partner, "history": history, **tier_context(partner)})


@partner_required
@require_GET
def onboarding(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    allowed, reason = can_register_deals(partner, request.membership.role)
    return render(request, "partners/onboarding.html", {
        "partner": partner, "checklist": onboarding_checklist(partner), "deals_open": allowed, "deals_reason": reason,
        "is_admin": _is_partner_admin(request),
    })


@member_required
@require_GET
def logo(request: HttpRequest, partner_id) -> HttpResponse:
    """A partner's logo: for the tenant's staff and the partner's own members (404 for others)."""
    partner = get_object_or_404(partners_visible_to(request.viewer), pk=partner_id)
    if not partner.logo:
        raise Http404
    content_type = sniff_image_type(partner.logo)  # sniffed before opening: it closes the file after
    if content_type is None:
        raise Http404
    try:
        handle = partner.logo.storage.open(partner.logo.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
