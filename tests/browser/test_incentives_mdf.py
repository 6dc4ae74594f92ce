"""MDF end to end: a partner requests funds (inline validation), the channel manager pre-approves an
adjusted amount, the partner claims with an uploaded proof, the manager approves and reimburses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incentives.models import Account, MdfClaim, MdfRequest, ProofFile
from incentives.services import ledger
from prm.tenancy.scoping import tenant_scope
from tests.browser.conftest import sign_in
from tests.factories import TEST_PASSWORD, MdfAllocationFactory, MdfFundFactory, mdf_partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_partner_requests_manager_preapproves_partner_claims_manager_reimburses(page, live, shot, tenant,
                                                                                 make_member):
    partner = mdf_partner(tenant, name="Northwind Solutions", domain="northwind.example")
    fund = MdfFundFactory(tenant=tenant, name="Co-marketing fund", budget=Decimal("50000"), coop_rate=Decimal("50"))
    allocation = MdfAllocationFactory(tenant=tenant, fund=fund, partner=partner, amount=Decimal("10000"))
    paula = make_member(tenant, "partner_admin", partner=partner, email="paula@northwind.example")
    manager = make_member(tenant, "channel_manager", email="manager@acme.test")
    today = timezone.localdate().isoformat()

    # 1. The partner requests MDF; a negative amount is flagged inline before submitting.
    sign_in(page, live, tenant, paula.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/incentives/mdf/"))
    expect(page.get_by_text("10,000.00 USD").first).to_be_visible()
    page.click("text=Request MDF")
    page.wait_for_selector("#id_activity_type")
    page.wait_for_load_state("load")  # htmx (deferred) must be bound before the inline validation
    page.select_option("#id_activity_type", "webinar")
    page.fill("#id_title", "Zero trust webinar")
    page.fill("#id_description", "A live webinar for 150 CISOs with a demo of the security suite.")
    page.fill("#id_start_date", today)
    page.fill("#id_end_date", today)
    page.fill("#id_requested_amount", "-5")
    page.press("#id_requested_amount", "Tab")
    page.locator("#field-requested_amount .errorlist").get_by_text("greater than zero").wait_for()
    page.fill("#id_requested_amount", "2500")
    page.fill("#id_expected_leads", "40")
    shot(page, "incentives-01-request")
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("text=Request sent")
    shot(page, "incentives-02-requested")
    with tenant_scope(tenant):
        mdf_request = MdfRequest.objects.get(partner=partner)
    assert mdf_request.status == "submitted" and mdf_request.requested_amount == Decimal("2500.00")

    # 2. The channel manager pre-approves it with an adjusted amount.
    page.context.clear_cookies()
    sign_in(page, live, tenant, manager.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/incentives/staff/mdf/"))
    page.click("text=Zero trust webinar")
    expect(page.get_by_text("10,000.00 USD is available")).to_be_visible()
    page.fill("#decide input[name=amount]", "2000")
    page.fill("#decide textarea[name=note]", "Approved for two sessions.")
    shot(page, "incentives-03-preapprove")
    page.click("#decide button[type=submit]")
    page.wait_for_selector("text=Pre-approved: the amount is reserved")
    with tenant_scope(tenant):
        mdf_request.refresh_from_db()
        assert mdf_request.status == "approved" and mdf_request.approved_amount == Decimal("2000.00")
        assert ledger.balance(Account.MDF_AVAILABLE, allocation=allocation) == Decimal("8000.00")

    # 3. After the activity the partner claims, uploading the invoice as proof.
    page.context.clear_cookies()
    sign_in(page, live, tenant, paula.email, TEST_PASSWORD)
    page.goto(live.url(tenant, f"/incentives/mdf/requests/{mdf_request.pk}/"))
    page.fill("#id_actual_cost", "3000")
    page.fill("#id_leads_generated", "25")
    page.fill("#id_results", "Two sessions, 130 attendees, 25 qualified leads.")
    page.set_input_files("#id_files", files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    shot(page, "incentives-04-claim")
    page.click("#claim-form button[type=submit]")
    page.wait_for_selector("text=Claim submitted")
    expect(page.get_by_role("link", name="invoice.pdf")).to_be_visible()
    shot(page, "incentives-05-claimed")
    with tenant_scope(tenant):
        claim = MdfClaim.objects.get(mdf_request=mdf_request)
        assert ProofFile.objects.filter(claim=claim).count() == 1

    # 4. The manager approves the claim (50% of 3,000 = 1,500 < 2,000 reserved) and reimburses it.
    page.context.clear_cookies()
    sign_in(page, live, tenant, manager.email, TEST_PASSWORD)
    page.goto(live.url(tenant, f"/incentives/mdf/requests/{mdf_request.pk}/"))
    expect(page.get_by_text("At most 1,500.00 USD can be approved")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="invoice.pdf").click()
    assert download.value.suggested_filename == "invoice.pdf"
    page.click("#claim-decide button[type=submit]")
    page.wait_for_selector("text=Claim approved; the rest of the reservation was released")
    page.fill("#reimburse input[name=payment_reference]", "TRF-2041")
    page.click("#reimburse button[type=submit]")
    page.wait_for_selector("text=Marked as reimbursed")
    shot(page, "incentives-06-reimbursed")
    with tenant_scope(tenant):
        claim.refresh_from_db()
        assert claim.status == "reimbursed" and claim.approved_amount == Decimal("1500.00")
        held = ledger.balances(allocation=allocation)
        assert held[Account.MDF_PAID] == Decimal("1500.00")
        assert held[Account.MDF_RESERVED] == 0 and held[Account.MDF_AVAILABLE] == Decimal("8500.00")
        assert ledger.unbalanced_entries(tenant) == []

    # The partner's statement shows the reimbursement.
    page.context.clear_cookies()
    sign_in(page, live, tenant, paula.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/incentives/"))
    expect(page.get_by_text("1,500.00 USD").first).to_be_visible()
    shot(page, "incentives-07-statement")
