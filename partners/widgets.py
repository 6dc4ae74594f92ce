"""Home-page widgets contributed by the partners app (registered in PartnersConfig.ready)."""

from __future__ import annotations

from django.http import HttpRequest

from partners.models import Partner, PartnerApplication


def partner_onboarding(request: HttpRequest) -> dict | None:
    from partners.services.onboarding import onboarding_checklist

    checklist = onboarding_checklist(request.membership.partner)
    if checklist is None or checklist["onboarding"].completed_at is not None:
        return None
    return {"checklist": checklist, "is_admin": request.membership.role == "partner_admin"}


def partner_program(request: HttpRequest) -> dict | None:
    """Tier, a pending downgrade with what is missing, and the agreement status."""
    from partners.services.agreements import agreement_status
    from partners.views.partner import tier_context

    partner = request.membership.partner
    return {"partner": partner, "agreement": agreement_status(partner, role=request.membership.role), **tier_context(partner)}


def staff_applications(request: HttpRequest) -> dict | None:
    top = list(PartnerApplication.objects.open().select_related("partner_type").order_by("-fit_score", "created_at")[:5])
    return {"count": PartnerApplication.objects.open().count(), "top": top}


def staff_onboarding(request: HttpRequest) -> dict | None:
    from partners.selectors import onboarding_funnel

    funnel = [f for f in onboarding_funnel(request.tenant) if f["started"]]
    onboarding = Partner.objects.filter(status=Partner.Status.ONBOARDING).count()
    return {"funnel": funnel, "onboarding": onboarding}


def staff_stuck(request: HttpRequest) -> dict | None:
    from partners.selectors import partners_visible_to, stuck_onboardings, with_current_steps

    qs = stuck_onboardings(request.tenant, partners=partners_visible_to(request.viewer))
    return {"count": qs.count(), "top": with_current_steps(list(qs[:5]))}
