"""Pages shared by partners and staff: the MDF request page, its deal links, and proof delivery."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incentives import selectors, services
from incentives.forms import ClaimForm, DealLinkForm, DecisionForm, ReimburseForm
from incentives.models import Account, MdfClaim, MdfRequest, MdfRequestDeal
from incentives.services import ledger
from prm.forms import INVALID_FORM_STATUS, add_service_errors
from prm.tenancy.access import member_required
from prm.tenancy.views import render_error

logger = logging.getLogger(__name__)
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"})


def htmx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also works for htmx requests (full page navigation, not a swapped fragment)."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def request_detail(request: HttpRequest, mdf_request: MdfRequest, *, status: int = 200,
                   template: str = "incentives/request_detail.html", **forms) -> HttpResponse:
    membership = request.membership
    claim = (MdfClaim.objects.filter(mdf_request=mdf_request).select_related("decided_by", "reimbursed_by")
             .prefetch_related("proofs").first())
    held = ledger.balances(mdf_request=mdf_request)
    links = list(MdfRequestDeal.objects.filter(mdf_request=mdf_request).select_related("deal").order_by("created_at"))
    can_manage = membership.can_manage
    is_partner = membership.is_partner
    context = {
        "r": mdf_request, "claim": claim, "links": links, "staff": not is_partner, "can_manage": can_manage,
        "reserved": held[Account.MDF_RESERVED], "payable": held[Account.MDF_PAYABLE], "paid": held[Account.MDF_PAID],
        "claim_refusal": services.claim_refusal(mdf_request) if is_partner else None,
        "can_cancel": is_partner and mdf_request.status in (MdfRequest.Status.SUBMITTED, MdfRequest.Status.APPROVED),
        "can_link": is_partner or can_manage,
    }
    if is_partner and context["claim_refusal"] is None:
        context["claim_form"] = forms.get("claim_form") or ClaimForm()
    if context["can_link"]:
        context["link_form"] = forms.get("link_form") or DealLinkForm(mdf_request=mdf_request)
    if can_manage and mdf_request.status == MdfRequest.Status.SUBMITTED:
        available = services.funds.allocation_available(mdf_request.allocation)
        context["available"] = available
        context["decide_form"] = forms.get("decide_form") or DecisionForm(
            initial={"amount": min(mdf_request.requested_amount, available) if available > 0 else None})
    if can_manage and claim is not None and claim.status == MdfClaim.Status.SUBMITTED:
        claim.mdf_request = mdf_request
        context["claim_max"] = services.claim_maximum(claim, reserved=held[Account.MDF_RESERVED])
        context["claim_decide_form"] = forms.get("claim_decide_form") or DecisionForm(
            initial={"amount": context["claim_max"]})
    if can_manage and claim is not None and claim.status == MdfClaim.Status.APPROVED:
        context["reimburse_form"] = forms.get("reimburse_form") or ReimburseForm()
    return render(request, template, context, status=status)


@member_required
@require_GET
def mdf_request(request: HttpRequest, mdf_request_id) -> HttpResponse:
    return request_detail(request, selectors.mdf_request_for(request.viewer, mdf_request_id))


@member_required
@require_POST
def mdf_request_deals(request: HttpRequest, mdf_request_id) -> HttpResponse:
    """Attribute one of the partner's deals to the activity (or remove one), for ROI."""
    membership = request.membership
    if not (membership.is_partner or membership.can_manage):
        return render_error(request, 403, reason="role")
    mdf_request = selectors.mdf_request_for(request.viewer, mdf_request_id)
    if request.POST.get("remove"):
        link = MdfRequestDeal.objects.filter(mdf_request=mdf_request, pk=request.POST["remove"]).first() \
            if _is_uuid(request.POST["remove"]) else None
        if link is None:
            messages.error(request, _("That deal is not linked to this activity."))
        else:
            services.mdf_request_unlink_deal(tenant=request.tenant, link=link, actor=request.user, request=request)
            messages.success(request, _("The deal is no longer attributed to this activity."))
        return redirect("incentives:mdf_request", mdf_request_id=mdf_request.pk)
    form = DealLinkForm(request.POST, mdf_request=mdf_request)
    if form.is_valid():
        try:
            services.mdf_request_link_deal(tenant=request.tenant, mdf_request=mdf_request, deal=form.cleaned_data["deal"],
                                           actor=request.user, request=request)
            messages.success(request, _("The deal is attributed to this activity."))
            return redirect("incentives:mdf_request", mdf_request_id=mdf_request.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return request_detail(request, mdf_request, status=INVALID_FORM_STATUS, link_form=form)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@member_required
@require_GET
def proof_download(request: HttpRequest, mdf_proof_id) -> HttpResponse:
    """Stream a proof file after the access check (the partner's own, or staff of the tenant)."""
    proof = selectors.proof_for(request.viewer, mdf_proof_id)
    inline = request.GET.get("inline") == "1" and proof.content_type in INLINE_TYPES
    from django.conf import settings

    prefix = settings.PRM_X_ACCEL_REDIRECT_PREFIX
    if prefix:
        from urllib.parse import quote

        response = HttpResponse(content_type=proof.content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(proof.file.name)
    else:
        try:
            handle = proof.file.open("rb")
        except (FileNotFoundError, ValueError):
            logger.error("proof file %s is missing from storage", proof.pk)
            raise Http404("file missing") from None
        response = FileResponse(handle, content_type=proof.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, proof.name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
