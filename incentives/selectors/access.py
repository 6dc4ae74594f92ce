"""Who sees which incentive rows: partners their organisation's, staff the tenant's (or their book's)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from incentives.models import MdfClaim, MdfRequest, ProofFile, SpifAccrual
from prm.tenancy.roles import Role


def restricted_partners(request) -> QuerySet | None:
    """Partner ids a channel manager confined to a book may see; None when unrestricted."""
    membership = request.membership
    if membership.is_partner:
        return None
    if request.tenant.restrict_managers_to_book and membership.role == Role.CHANNEL_MANAGER:
        from partners.selectors import partners_visible_to

        return partners_visible_to(request).values("pk")
    return None


def scope_to_viewer(request, qs: QuerySet, field: str = "partner") -> QuerySet:
    membership = request.membership
    qs = qs.filter(tenant=request.tenant)
    if membership.is_partner:
        return qs.filter(**{f"{field}_id": membership.partner_id})
    book = restricted_partners(request)
    if book is not None:
        qs = qs.filter(**{f"{field}__in": book})
    return qs


def mdf_request_for(request, request_id) -> MdfRequest:
    """One request the member may see, or 404 (not found and not yours look the same)."""
    qs = scope_to_viewer(request, MdfRequest.objects.select_related(
        "allocation", "fund", "partner", "partner__tier", "submitted_by", "decided_by"))
    return get_object_or_404(qs, pk=request_id)


def claim_for(request, claim_id) -> MdfClaim:
    qs = scope_to_viewer(request, MdfClaim.objects.select_related("mdf_request", "mdf_request__fund", "partner"))
    return get_object_or_404(qs, pk=claim_id)


def proof_for(request, proof_id) -> ProofFile:
    qs = scope_to_viewer(request, ProofFile.objects.select_related("claim"), field="claim__partner")
    return get_object_or_404(qs, pk=proof_id)


def accrual_for(request, accrual_id) -> SpifAccrual:
    qs = scope_to_viewer(request, SpifAccrual.objects.select_related("program", "deal", "partner"))
    return get_object_or_404(qs, pk=accrual_id)
