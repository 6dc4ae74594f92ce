"""Who sees which incentive rows: partners their organisation's, staff the tenant's (a confined
channel manager only their book's). The rule itself is the core Viewer's (prm.tenancy.viewer)."""

from __future__ import annotations

from incentives.models import MdfClaim, MdfRequest, ProofFile, SpifAccrual
from prm.tenancy.viewer import Viewer


def mdf_request_for(viewer: Viewer, request_id) -> MdfRequest:
    """One request the member may see, or 404 (not found and not yours look the same)."""
    return viewer.get(MdfRequest.objects.select_related(
        "allocation", "fund", "partner", "partner__tier", "submitted_by", "decided_by"), request_id)


def claim_for(viewer: Viewer, claim_id) -> MdfClaim:
    return viewer.get(MdfClaim.objects.select_related("mdf_request", "mdf_request__fund", "partner"), claim_id)


def proof_for(viewer: Viewer, proof_id) -> ProofFile:
    return viewer.get(ProofFile.objects.select_related("claim"), proof_id, field="claim__partner")


def accrual_for(viewer: Viewer, accrual_id) -> SpifAccrual:
    return viewer.get(SpifAccrual.objects.select_related("program", "deal", "partner"), accrual_id)
