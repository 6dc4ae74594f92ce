"""Partner pages: incentive statement, MDF overview, requests, claims with proof. Thin views."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incentives import selectors, services
from incentives.forms import MdfRequestForm
from incentives.views.common import htmx_redirect, request_detail
from partners.selectors import can_register_deals
from prm.forms import INVALID_FORM_STATUS, add_service_errors
from prm.tenancy.access import partner_required


@partner_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The partner's incentive statement."""
    partner = request.membership.partner
    statement = selectors.partner_statement(request.tenant, partner)
    can_claim, gate_reason = can_register_deals(partner, request.membership.role)
    return render(request, "incentives/statement.html", {
        "statement": statement, "partner": partner, "staff": False, "can_claim": can_claim, "gate_reason": gate_reason})


@partner_required
@require_GET
def mdf(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    allocations = selectors.partner_allocations(request.tenant, partner)
    can_request, gate_reason = can_register_deals(partner, request.membership.role)
    eligible = partner.tier_id is not None and partner.tier.mdf_eligible
    return render(request, "incentives/mdf.html", {
        "allocations": allocations, "requests": selectors.partner_requests(request.tenant, partner),
        "can_request": can_request and eligible and any(a.available > 0 and a.fund.is_active for a in allocations),
        "gate_reason": gate_reason, "eligible": eligible})


@partner_required
@require_http_methods(["GET", "POST"])
def mdf_request_new(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    ok, reason = can_register_deals(partner, request.membership.role)
    if not ok:
        return render(request, "incentives/request_form.html", {"closed": reason}, status=403)
    allocations = selectors.open_allocations(request.tenant, partner)
    if not allocations:
        return render(request, "incentives/request_form.html", {"no_allocation": True})
    form = MdfRequestForm(request.POST or None, initial={"nonce": uuid.uuid4(), "allocation": allocations[0]},
                          partner=partner, allocations=allocations)
    checking = request.method == "POST" and request.GET.get("check") == "1"
    if request.method == "POST" and not checking and form.is_valid():
        try:
            mdf_request, created = services.mdf_request_submit(
                tenant=request.tenant, partner=partner, user=request.user, data=form.cleaned_data,
                nonce=form.cleaned_data["nonce"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Request sent. Your channel manager will review it; you are notified of "
                                            "the decision."))
            else:
                messages.info(request, _("We had already received this request; it was not submitted twice."))
            return htmx_redirect(request, reverse("incentives:mdf_request", args=[mdf_request.pk]))
    context = {"form": form, "allocations": allocations}
    if checking:
        # Inline validation while typing: show errors only for fields already filled in.
        form.is_valid()
        for name in list(form.errors):
            if name != "__all__" and not request.POST.get(name, "").strip():
                del form.errors[name]
        form.errors.pop("__all__", None)
        return render(request, "incentives/request_form.html#request-errors", context)
    if request.htmx:
        return render(request, "incentives/request_form.html#request-form", context)
    return render(request, "incentives/request_form.html", context,
                  status=INVALID_FORM_STATUS if request.method == "POST" else 200)


@partner_required
@require_POST
def mdf_request_cancel(request: HttpRequest, mdf_request_id) -> HttpResponse:
    mdf_request = selectors.mdf_request_for(request.viewer, mdf_request_id)
    try:
        services.mdf_request_cancel(tenant=request.tenant, mdf_request=mdf_request, actor=request.user, request=request)
        messages.success(request, _("The request was withdrawn."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("incentives:mdf_request", mdf_request_id=mdf_request.pk)


@partner_required
@require_POST
def mdf_claim_submit(request: HttpRequest, mdf_request_id) -> HttpResponse:
    from incentives.forms import ClaimForm

    mdf_request = selectors.mdf_request_for(request.viewer, mdf_request_id)
    form = ClaimForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.mdf_claim_submit(
                tenant=request.tenant, mdf_request=mdf_request, user=request.user, actual_cost=data["actual_cost"],
                leads_generated=data["leads_generated"], results=data["results"], files=data["files"],
                request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Claim submitted. Your channel manager will review the proof and approve "
                                        "the reimbursement."))
            return htmx_redirect(request, reverse("incentives:mdf_request", args=[mdf_request.pk]))
    if request.htmx:
        return request_detail(request, mdf_request, claim_form=form, template="incentives/request_detail.html#claim-form")
    return request_detail(request, mdf_request, status=INVALID_FORM_STATUS, claim_form=form)
