"""Incentive reads. `roi_summary` is the public entry point for analytics."""

from incentives.selectors.access import (  # noqa: F401
    accrual_for,
    claim_for,
    mdf_request_for,
    proof_for,
)
from incentives.selectors.roi import roi_summary  # noqa: F401
from incentives.selectors.staff import (  # noqa: F401
    BATCH_HEADER,
    JOURNAL_HEADER,
    PAGE_SIZE,
    accruals,
    attach_fund_balances,
    attach_program_balances,
    batch_export_rows,
    batch_lines,
    batch_list,
    claim_queue,
    fund_allocations,
    fund_list,
    journal,
    journal_export_rows,
    ledger_totals,
    overview_counts,
    program_clawbacks,
    program_list,
    request_queue,
)
from incentives.selectors.statement import (  # noqa: F401
    Statement,
    attach_allocation_balances,
    eligible_programs,
    open_allocations,
    partner_allocations,
    partner_requests,
    partner_statement,
    pipeline_forecast,
)
