"""Incentive services (writes). One function per business action, keyword-only, transactional."""

from incentives.services.funds import (  # noqa: F401
    allocation_adjust,
    allocation_create,
    allocations_generate,
    fund_rules_save,
    fund_save,
)
from incentives.services.ledger import LedgerError  # noqa: F401
from incentives.services.mdf import (  # noqa: F401
    claim_maximum,
    claim_refusal,
    mdf_claim_decide,
    mdf_claim_reimburse,
    mdf_claim_submit,
    mdf_request_cancel,
    mdf_request_decide,
    mdf_request_submit,
    validate_proof,
    validate_request,
)
from incentives.services.mdf_jobs import (  # noqa: F401
    handle_deal_registered,
    mdf_deadlines,
    mdf_request_link_deal,
    mdf_request_unlink_deal,
)
from incentives.services.spif import (  # noqa: F401
    calculate,
    handle_deal_event,
    payout_batch_create,
    payout_batch_mark_paid,
    program_save,
    program_specs,
    spif_accrue,
    spif_deal_changed,
    spif_reevaluate,
    spif_reverse,
)
from incentives.services.spif_recovery import clawback_outstanding, spif_recover  # noqa: F401
