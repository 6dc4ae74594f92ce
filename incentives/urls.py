from django.urls import path

from incentives.views import common, partner, spif, staff

app_name = "incentives"

urlpatterns = [
    # Partners
    path("", partner.home, name="home"),
    path("mdf/", partner.mdf, name="mdf"),
    path("mdf/requests/new/", partner.mdf_request_new, name="mdf_request_new"),
    path("mdf/requests/<uuid:mdf_request_id>/", common.mdf_request, name="mdf_request"),
    path("mdf/requests/<uuid:mdf_request_id>/cancel/", partner.mdf_request_cancel, name="mdf_request_cancel"),
    path("mdf/requests/<uuid:mdf_request_id>/claim/", partner.mdf_claim_submit, name="mdf_claim_submit"),
    path("mdf/requests/<uuid:mdf_request_id>/deals/", common.mdf_request_deals, name="mdf_request_deals"),
    path("mdf/proof/<uuid:mdf_proof_id>/", common.proof_download, name="proof_download"),
    # Staff: MDF
    path("staff/", staff.staff_home, name="staff_home"),
    path("staff/mdf/", staff.mdf_queue, name="mdf_queue"),
    path("staff/mdf/requests/<uuid:mdf_request_id>/decide/", staff.mdf_request_decide, name="mdf_request_decide"),
    path("staff/mdf/claims/<uuid:mdf_claim_id>/decide/", staff.mdf_claim_decide, name="mdf_claim_decide"),
    path("staff/mdf/claims/<uuid:mdf_claim_id>/reimburse/", staff.mdf_claim_reimburse, name="mdf_claim_reimburse"),
    path("staff/funds/", staff.fund_list, name="fund_list"),
    path("staff/funds/new/", staff.fund_edit, name="fund_new"),
    path("staff/funds/<uuid:mdf_fund_id>/", staff.fund_detail, name="fund_detail"),
    path("staff/funds/<uuid:mdf_fund_id>/edit/", staff.fund_edit, name="fund_edit"),
    path("staff/funds/<uuid:mdf_fund_id>/rules/", staff.fund_rules, name="fund_rules"),
    path("staff/funds/<uuid:mdf_fund_id>/allocate/", staff.fund_allocate, name="fund_allocate"),
    path("staff/funds/<uuid:mdf_fund_id>/generate/", staff.fund_generate, name="fund_generate"),
    path("staff/allocations/<uuid:mdf_allocation_id>/adjust/", staff.allocation_adjust, name="allocation_adjust"),
    # Staff: SPIF
    path("staff/spif/", spif.program_list, name="program_list"),
    path("staff/spif/new/", spif.program_edit, name="program_new"),
    path("staff/spif/approve/", spif.accruals_approve, name="accruals_approve"),
    path("staff/spif/<uuid:spif_program_id>/", spif.program_detail, name="program_detail"),
    path("staff/spif/<uuid:spif_program_id>/edit/", spif.program_edit, name="program_edit"),
    path("staff/spif/<uuid:spif_program_id>/recover/<uuid:partner_id>/", spif.program_recover,
         name="program_recover"),
    path("staff/accruals/<uuid:spif_accrual_id>/reject/", spif.accrual_reject, name="accrual_reject"),
    path("staff/payouts/", spif.batch_list, name="batch_list"),
    path("staff/payouts/<uuid:payout_batch_id>/", spif.batch_detail, name="batch_detail"),
    path("staff/payouts/<uuid:payout_batch_id>/paid/", spif.batch_paid, name="batch_paid"),
    path("staff/payouts/<uuid:payout_batch_id>/export.csv", spif.batch_export, name="batch_export"),
    # Staff: ledger, ROI, statements
    path("staff/ledger/", spif.ledger, name="ledger"),
    path("staff/ledger/export.csv", spif.ledger_export, name="ledger_export"),
    path("staff/roi/", spif.roi, name="roi"),
    path("staff/partners/<uuid:partner_id>/statement/", spif.partner_statement, name="partner_statement"),
]
