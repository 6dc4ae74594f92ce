"""Staff pages: executives read, channel managers decide, tenant admins configure; payout batches,
CSV exports (batch and journal lines) and ROI."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from incentives.models import (
    Account,
    MdfAllocation,
    MdfClaim,
    MdfFund,
    MdfRequest,
    PayoutBatch,
    SpifAccrual,
    SpifBand,
    SpifProgram,
)
from incentives.selectors import roi_summary
from incentives.services import ledger, mdf_claim_submit, mdf_request_link_deal, spif_reevaluate
from prm.tenancy.scoping import tenant_scope
from tests.factories import MdfRequestFactory, SpifProgramFactory, TierFactory, WonDealFactory, mdf_partner

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
STAFF_PAGES = ["incentives:staff_home", "incentives:mdf_queue", "incentives:fund_list", "incentives:program_list",
               "incentives:accruals_approve", "incentives:batch_list", "incentives:ledger", "incentives:roi"]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def world(tenant, partner, allocation, manager, partner_admin):
    """A program with accruals, a claimed request: something on every staff page."""
    SpifProgramFactory(tenant=tenant, name="Cloud push")
    WonDealFactory(tenant=tenant, partner=partner, customer_name="=HYPERLINK(\"http://evil\")")
    yesterday = timezone.localdate() - timedelta(days=1)
    r = MdfRequestFactory(tenant=tenant, allocation=allocation, title="Roadshow", requested_amount=Decimal("4000"),
                          start_date=yesterday, end_date=yesterday, today=yesterday, approve=True)
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)
        claim = mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="5000",
                                 leads_generated=30, results="ok",
                                 files=[SimpleUploadedFile("i.pdf", PDF, content_type="application/pdf")])
    return {"request": r, "claim": claim}


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_render_for_every_staff_role_and_refuse_partners(tenant, members, client_for, world, name):
    for role in ("channel_manager", "executive", "tenant_admin"):
        assert client_for(tenant, members[role]).get(reverse(name)).status_code == 200, role
    for role in ("partner_admin", "partner_user"):
        assert client_for(tenant, members[role]).get(reverse(name)).status_code == 403, role


def test_object_pages_render_for_staff(tenant, members, client_for, world):
    with tenant_scope(tenant):
        fund, program = MdfFund.objects.get(), SpifProgram.objects.get()
    client = client_for(tenant, members["executive"])
    for url in (reverse("incentives:fund_detail", args=[fund.pk]), reverse("incentives:program_detail", args=[program.pk]),
                reverse("incentives:mdf_request", args=[world["request"].pk])):
        response = client.get(url)
        assert response.status_code == 200, url
    # Executives read but never see decision forms.
    assert "Review the claim" not in client.get(reverse("incentives:mdf_request", args=[world["request"].pk])).content.decode()


def test_only_managers_decide(tenant, members, client_for, allocation):
    r = MdfRequestFactory(tenant=tenant, allocation=allocation)
    url = reverse("incentives:mdf_request_decide", args=[r.pk])
    data = {"decision": "approve", "amount": "800.00", "note": ""}
    assert client_for(tenant, members["executive"]).post(url, data).status_code == 403
    assert client_for(tenant, members["partner_admin"]).post(url, data).status_code == 403
    response = client_for(tenant, members["channel_manager"]).post(url, data)
    assert response.status_code == 302
    with tenant_scope(tenant):
        r = MdfRequest.objects.get(pk=r.pk)
        assert r.status == "approved" and r.approved_amount == Decimal("800.00")
        assert ledger.balance(Account.MDF_RESERVED, mdf_request=r) == Decimal("800.00")
        from prm.audit.models import AuditEntry

        assert AuditEntry.objects.filter(action="mdf.request_approve", object_id=str(r.pk)).exists()


def test_manager_sees_a_clear_error_for_a_claim_over_the_reserve(tenant, members, client_for, world):
    claim = world["claim"]
    client = client_for(tenant, members["channel_manager"])
    page = client.get(reverse("incentives:mdf_request", args=[world["request"].pk])).content.decode()
    assert "At most 2,500.00 USD can be approved" in page  # 50% of 5,000 < 4,000 reserved
    response = client.post(reverse("incentives:mdf_claim_decide", args=[claim.pk]),
                           {"decision": "approve", "amount": "2600.00"})
    assert response.status_code == 400 and "At most 2,500.00 USD can be approved" in response.content.decode()
    response = client.post(reverse("incentives:mdf_claim_decide", args=[claim.pk]), {"decision": "reject", "note": ""})
    assert response.status_code == 400 and "why the claim is rejected" in response.content.decode()
    assert client.post(reverse("incentives:mdf_claim_decide", args=[claim.pk]),
                       {"decision": "approve", "amount": ""}).status_code == 302
    assert client.post(reverse("incentives:mdf_claim_reimburse", args=[claim.pk]),
                       {"payment_reference": "TRF-9"}).status_code == 302
    with tenant_scope(tenant):
        claim = MdfClaim.objects.get(pk=claim.pk)
        assert claim.status == "reimbursed" and claim.approved_amount == Decimal("2500.00")
        assert claim.payment_reference == "TRF-9"


def test_accruals_are_approved_into_a_batch_paid_and_exported(tenant, partner, members, client_for, world):
    client = client_for(tenant, members["channel_manager"])
    with tenant_scope(tenant):
        accrual = SpifAccrual.objects.get()
    assert client_for(tenant, members["executive"]).post(reverse("incentives:accruals_approve"),
                                                         {"accruals": [accrual.pk]}).status_code == 403
    response = client.post(reverse("incentives:accruals_approve"), {"accruals": [accrual.pk], "note": "June"})
    with tenant_scope(tenant):
        batch = PayoutBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incentives:batch_detail", args=[batch.pk])
    # Approving the same accrual again (a second tab) is refused clearly.
    response = client.post(reverse("incentives:accruals_approve"), {"accruals": [accrual.pk]})
    assert response.status_code == 400 and "no longer pending approval" in response.content.decode()
    assert client.post(reverse("incentives:batch_paid", args=[batch.pk]), {"payment_reference": "PAY-7"}).status_code == 302
    response = client.post(reverse("incentives:batch_paid", args=[batch.pk]), {"payment_reference": "PAY-8"})
    assert response.status_code == 400 and "already marked paid" in response.content.decode()
    rows = csv_rows(client.get(reverse("incentives:batch_export", args=[batch.pk])))
    assert rows[0][:4] == ["batch", "partner", "partner_domain", "program"]
    assert rows[1][0] == batch.reference and rows[1][8] == "500.000" and rows[1][9] == "USD"
    assert rows[1][4].startswith("'=HYPERLINK")  # formula neutralised
    with tenant_scope(tenant):
        assert SpifAccrual.objects.get().status == "paid"
        assert ledger.balance(Account.SPIF_PAID, partner=partner) == Decimal("500.00")
    statement = client_for(tenant, members["partner_admin"]).get(reverse("incentives:home")).content.decode()
    assert batch.reference in statement


def test_journal_export_has_balanced_lines_for_the_finance_system(tenant, members, client_for, world):
    response = client_for(tenant, members["executive"]).get(reverse("incentives:ledger_export"))
    rows = csv_rows(response)
    header, lines = rows[0], rows[1:]
    assert header[:9] == ["entry", "date", "kind", "memo", "account", "account_name", "currency", "debit", "credit"]
    with tenant_scope(tenant):
        from incentives.models import JournalLine

        assert len(lines) == JournalLine.objects.count()
    by_entry = {}
    for line in lines:
        debit, credit = Decimal(line[7]), Decimal(line[8])
        by_entry.setdefault((line[0], line[6]), Decimal(0))
        by_entry[(line[0], line[6])] += debit - credit
    assert by_entry and all(total == 0 for total in by_entry.values())
    assert {line[2] for line in lines} >= {"budget", "allocate", "reserve", "accrue"}
    bad = client_for(tenant, members["executive"]).get(reverse("incentives:ledger_export") + "?start=2026-02-01&end=2025-01-01")
    assert bad.status_code == 400


def test_tenant_admin_creates_a_fund_and_managers_allocate(tenant, members, client_for, partner):
    admin, manager = client_for(tenant, members["tenant_admin"]), client_for(tenant, members["channel_manager"])
    today = timezone.localdate()
    data = {"name": "H2 fund", "description": "", "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=180)).isoformat(), "currency": "USD", "budget": "20000",
            "coop_rate": "60", "claim_deadline_days": "45", "is_active": "on"}
    assert manager.post(reverse("incentives:fund_new"), data).status_code == 403
    bad = admin.post(reverse("incentives:fund_new"), {**data, "budget": "-1"})
    assert bad.status_code == 400 and "greater than zero" in bad.content.decode()
    assert admin.post(reverse("incentives:fund_new"), data).status_code == 302
    with tenant_scope(tenant):
        fund = MdfFund.objects.get()
        assert ledger.balance(Account.MDF_UNALLOCATED, fund=fund) == Decimal("20000")
    response = manager.post(reverse("incentives:fund_allocate", args=[fund.pk]),
                            {"partner": partner.pk, "amount": "25000", "currency": "USD"})
    assert response.status_code == 400 and "Only 20,000.00 USD of this fund is unallocated" in response.content.decode()
    assert manager.post(reverse("incentives:fund_allocate", args=[fund.pk]),
                        {"partner": partner.pk, "amount": "5000", "currency": "USD"}).status_code == 302
    # Rules per tier, then generation for the other eligible partners.
    other = mdf_partner(tenant, name="Other Gold")
    gold = partner.tier
    assert admin.post(reverse("incentives:fund_rules", args=[fund.pk]), {f"tier_{gold.pk}": "3000"}).status_code == 302
    assert manager.post(reverse("incentives:fund_generate", args=[fund.pk])).status_code == 302
    with tenant_scope(tenant):
        assert MdfAllocation.objects.get(fund=fund, partner=other).amount == Decimal("3000")
        allocation = MdfAllocation.objects.get(fund=fund, partner=partner)
    assert manager.post(reverse("incentives:allocation_adjust", args=[allocation.pk]), {"amount": "6000"}).status_code == 302
    with tenant_scope(tenant):
        assert ledger.balance(Account.MDF_UNALLOCATED, fund=fund) == Decimal("11000")


def test_tenant_admin_creates_a_band_program(tenant, members, client_for):
    platinum = TierFactory(tenant=tenant, rank=4, name="Platinum", mdf_eligible=True)
    today = timezone.localdate()
    data = {"name": "Big deals", "description": "", "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=90)).isoformat(), "is_active": "on", "rule": "bands",
            "budget": "10000", "tiers": [platinum.pk],
            "band_0_min": "0", "band_0_amount": "100", "band_0_percent": "0",
            "band_1_min": "50000", "band_1_amount": "250", "band_1_percent": "1.5"}
    client = client_for(tenant, members["tenant_admin"])
    assert client_for(tenant, members["channel_manager"]).post(reverse("incentives:program_new"), data).status_code == 403
    missing = {k: v for k, v in data.items() if not k.startswith("band_")}
    response = client.post(reverse("incentives:program_new"), missing)
    assert response.status_code == 400 and "Add at least one band" in response.content.decode()
    assert client.post(reverse("incentives:program_new"), data).status_code == 302
    with tenant_scope(tenant):
        program = SpifProgram.objects.get()
        assert program.currency == "USD" and list(program.tiers.all()) == [platinum]
        assert list(SpifBand.objects.filter(program=program).values_list("min_amount", "percent")) == [
            (Decimal("0"), Decimal("0")), (Decimal("50000"), Decimal("1.5"))]
        assert -ledger.balance(Account.SPIF_BUDGET, program=program) == Decimal("10000")


def test_roi_summary_attributes_won_and_open_deals_to_mdf_spend(tenant, partner, members, client_for, world, manager):
    from deals.models import DealRegistration
    from incentives.services import mdf_claim_decide
    from tests.factories import DealFactory

    won = WonDealFactory(tenant=tenant, partner=partner, amount=Decimal("40000.00"))
    open_deal = DealFactory(tenant=tenant, partner=partner, amount=Decimal("15000.00"),
                            status=DealRegistration.Status.APPROVED)
    with tenant_scope(tenant):
        for deal in (won, open_deal):
            mdf_request_link_deal(tenant=tenant, mdf_request=world["request"], deal=deal, actor=manager)
        mdf_claim_decide(tenant=tenant, claim=world["claim"], actor=manager, approve=True)
        spif_reevaluate(tenant=tenant)
        summary = roi_summary(tenant)
    fund_row = summary["funds"][0]
    assert fund_row["label"] == "FY MDF" and fund_row["mdf_spent"] == Decimal("2500.00")
    assert fund_row["leads"] == 30 and fund_row["won"] == Decimal("40000.00") and fund_row["pipeline"] == Decimal("15000.00")
    assert fund_row["roi"] == Decimal("16.00") and fund_row["cost_per_lead"] == Decimal("83.33")
    program_row = summary["programs"][0]
    assert program_row["spif_spent"] == Decimal("1000.00") and program_row["won_deals"] == 2
    partner_row = summary["partners"][0]
    assert partner_row["spent"] == Decimal("3500.00")
    body = client_for(tenant, members["executive"]).get(reverse("incentives:roi")).content.decode()
    assert "16.00×" in body and "FY MDF" in body
