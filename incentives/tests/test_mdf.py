"""MDF: funds, allocations (other currency), requests, pre-approval, claims with proof, reimbursement,
deadlines. Bad input gives a clear error and writes no ledger entry."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incentives.models import Account, JournalEntry, JournalLine, MdfAllocation, MdfRequest, ProofFile
from incentives.services import (
    allocation_adjust,
    allocation_create,
    allocations_generate,
    fund_rules_save,
    fund_save,
    ledger,
    mdf_claim_decide,
    mdf_claim_reimburse,
    mdf_claim_submit,
    mdf_deadlines,
    mdf_request_cancel,
    mdf_request_decide,
    mdf_request_submit,
)
from prm.tenancy.scoping import tenant_scope
from tests.factories import (
    CurrencyRateFactory,
    MdfAllocationFactory,
    MdfFundFactory,
    MdfRequestFactory,
    PartnerFactory,
    TierFactory,
    mdf_partner,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="invoice.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def ledger_size(tenant):
    with tenant_scope(tenant):
        return JournalEntry.objects.count(), JournalLine.objects.count()


def request_data(allocation, **overrides):
    today = timezone.localdate()
    data = {"allocation": allocation, "activity_type": "webinar", "title": "Cloud security webinar",
            "description": "A webinar for 200 IT leaders.", "start_date": today + timedelta(days=7),
            "end_date": today + timedelta(days=7), "requested_amount": Decimal("2500.00"), "expected_leads": 40}
    data.update(overrides)
    return data


def submit(tenant, allocation, user=None, **overrides):
    with tenant_scope(tenant):
        return mdf_request_submit(tenant=tenant, partner=allocation.partner, user=user, nonce=uuid.uuid4(),
                                  data=request_data(allocation, **overrides))[0]


def claimable(tenant, allocation, amount="4000.00", approved=None):
    """A pre-approved request whose activity ended yesterday."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return MdfRequestFactory(tenant=tenant, allocation=allocation, requested_amount=Decimal(amount),
                             start_date=yesterday, end_date=yesterday, today=yesterday, approve=True,
                             approved_amount=approved)


# --- Funds and allocations -----------------------------------------------------------------------


def test_fund_budget_and_allocations_are_ledger_balances(tenant, fund, partner):
    with tenant_scope(tenant):
        assert ledger.balance(Account.MDF_UNALLOCATED, fund=fund) == Decimal("50000.00")
        allocation_create(tenant=tenant, fund=fund, partner=partner, amount="12000", actor=None)
        assert ledger.balance(Account.MDF_UNALLOCATED, fund=fund) == Decimal("38000.00")
        assert ledger.balance(Account.MDF_ALLOCATED, fund=fund) == Decimal("12000.00")
        assert -ledger.balance(Account.MDF_BUDGET, fund=fund) == Decimal("50000.00")


def test_allocations_never_exceed_the_fund_budget(tenant, fund, partner):
    other = mdf_partner(tenant)
    with tenant_scope(tenant):
        allocation_create(tenant=tenant, fund=fund, partner=partner, amount="45000", actor=None)
        before = ledger_size(tenant)
        with pytest.raises(ValidationError) as exc:
            allocation_create(tenant=tenant, fund=fund, partner=other, amount="5000.01", actor=None)
        assert "Only 5,000.00 USD of this fund is unallocated" in str(exc.value)
        assert ledger_size(tenant) == before
        assert not MdfAllocation.objects.filter(partner=other).exists()


def test_allocation_in_another_currency_fixes_its_exchange_rate(tenant, fund, partner):
    CurrencyRateFactory(tenant=tenant, currency="EUR", rate=Decimal("1.08"))
    with tenant_scope(tenant):
        allocation = allocation_create(tenant=tenant, fund=fund, partner=partner, amount="1000.00", currency="EUR",
                                       actor=None)
        assert allocation.rate == Decimal("1.08") and allocation.fund_amount == Decimal("1080.00")
        assert ledger.balance(Account.MDF_AVAILABLE, allocation=allocation) == Decimal("1000.00")
        assert JournalLine.objects.filter(allocation=allocation, currency="EUR").count() == 2
        assert JournalLine.objects.filter(allocation=allocation, currency="USD").count() == 2
        # Later rates do not move it.
        CurrencyRateFactory(tenant=tenant, currency="EUR", rate=Decimal("1.20"), valid_from=timezone.localdate())
        allocation = allocation_adjust(tenant=tenant, allocation=allocation, amount="2000.00", actor=None)
        assert allocation.fund_amount == Decimal("2160.00")
        assert ledger.balance(Account.MDF_ALLOCATED, fund=fund) == Decimal("2160.00")
        assert ledger.unbalanced_entries(tenant) == []


def test_allocation_without_a_known_rate_asks_for_one(tenant, fund, partner):
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        allocation_create(tenant=tenant, fund=fund, partner=partner, amount="100", currency="GBP", actor=None)
    assert "no exchange rate from GBP to USD" in str(exc.value)
    with tenant_scope(tenant):
        allocation = allocation_create(tenant=tenant, fund=fund, partner=partner, amount="100", currency="GBP",
                                       rate="1.27", actor=None)
        assert allocation.fund_amount == Decimal("127.00")


def test_partner_in_a_tier_without_mdf_cannot_get_an_allocation(tenant, fund):
    silver = PartnerFactory(tenant=tenant, tier=TierFactory(tenant=tenant, rank=2, name="Silver"))
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        allocation_create(tenant=tenant, fund=fund, partner=silver, amount="100", actor=None)
    assert "not eligible for MDF" in str(exc.value)


def test_allocations_generated_from_tier_rules_all_or_nothing(tenant, fund, partner):
    platinum = TierFactory(tenant=tenant, rank=4, name="Platinum", mdf_eligible=True)
    big = PartnerFactory(tenant=tenant, tier=platinum)
    PartnerFactory(tenant=tenant, tier=platinum, status="churned")  # not active: skipped
    with tenant_scope(tenant):
        fund_rules_save(tenant=tenant, fund=fund, amounts={partner.tier: Decimal("10000"), platinum: Decimal("45000")},
                        actor=None)
        before = ledger_size(tenant)
        with pytest.raises(ValidationError) as exc:
            allocations_generate(tenant=tenant, fund=fund, actor=None)
        assert "need 55,000.00 USD for 2 partners" in str(exc.value)
        assert ledger_size(tenant) == before
        fund_rules_save(tenant=tenant, fund=fund, amounts={partner.tier: Decimal("10000"), platinum: Decimal("25000")},
                        actor=None)
        made = allocations_generate(tenant=tenant, fund=fund, actor=None)
        assert {(a.partner_id, a.amount) for a in made} == {(partner.pk, Decimal("10000")), (big.pk, Decimal("25000"))}
        assert ledger.balance(Account.MDF_UNALLOCATED, fund=fund) == Decimal("15000.00")
        with pytest.raises(ValidationError):  # a second run finds nobody left
            allocations_generate(tenant=tenant, fund=fund, actor=None)


def test_fund_budget_cannot_drop_below_what_is_allocated(tenant, fund, allocation):
    with tenant_scope(tenant):
        fund.budget = Decimal("9999.99")
        with pytest.raises(ValidationError):
            fund_save(tenant=tenant, fund=fund, actor=None)
        fund.budget = Decimal("10000.00")
        fund_save(tenant=tenant, fund=fund, actor=None)
        assert ledger.balance(Account.MDF_UNALLOCATED, fund=fund) == 0


# --- Requests and pre-approval --------------------------------------------------------------------


@pytest.mark.parametrize("overrides, field", [
    ({"requested_amount": Decimal("-5")}, "requested_amount"),
    ({"requested_amount": Decimal("0")}, "requested_amount"),
    ({"requested_amount": Decimal("10.005")}, "requested_amount"),
    ({"requested_amount": Decimal("10000.01")}, "requested_amount"),
    ({"start_date": timezone.localdate() - timedelta(days=1)}, "start_date"),
    ({"end_date": timezone.localdate()}, "end_date"),
    ({"title": "  "}, "title"),
    ({"activity_type": "party"}, "activity_type"),
    ({"expected_leads": -3}, "expected_leads"),
    ({"start_date": timezone.localdate() + timedelta(days=400), "end_date": timezone.localdate() + timedelta(days=400)},
     "start_date"),
])
def test_bad_requests_are_refused_with_a_field_error_and_no_ledger_entry(tenant, allocation, overrides, field):
    before = ledger_size(tenant)
    with pytest.raises(ValidationError) as exc:
        submit(tenant, allocation, **overrides)
    assert field in exc.value.message_dict
    assert ledger_size(tenant) == before
    with tenant_scope(tenant):
        assert not MdfRequest.objects.exists()


def test_request_for_another_partners_allocation_is_refused(tenant, allocation):
    other = mdf_partner(tenant)
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        mdf_request_submit(tenant=tenant, partner=other, user=None, nonce=uuid.uuid4(), data=request_data(allocation))
    assert "allocation" in exc.value.message_dict


def test_double_submission_creates_one_request(tenant, allocation, partner_admin):
    nonce = uuid.uuid4()
    with tenant_scope(tenant):
        first, created = mdf_request_submit(tenant=tenant, partner=allocation.partner, user=partner_admin,
                                            nonce=nonce, data=request_data(allocation))
        again, created_again = mdf_request_submit(tenant=tenant, partner=allocation.partner, user=partner_admin,
                                                  nonce=nonce, data=request_data(allocation))
        assert created and not created_again and again.pk == first.pk
        assert MdfRequest.objects.count() == 1
        assert first.campaign_code.startswith("MDF-") and len(first.campaign_code) == 10


def test_pre_approval_reserves_and_can_adjust_the_amount(tenant, allocation, manager, partner_admin):
    r = submit(tenant, allocation, user=partner_admin)
    with tenant_scope(tenant):
        r = mdf_request_decide(tenant=tenant, mdf_request=r, actor=manager, approve=True, amount="2000.00",
                               note="Capped at 2,000")
        assert r.status == "approved" and r.approved_amount == Decimal("2000.00")
        assert r.claim_due == r.end_date + timedelta(days=60)
        assert ledger.balance(Account.MDF_RESERVED, mdf_request=r) == Decimal("2000.00")
        assert ledger.balance(Account.MDF_AVAILABLE, allocation=allocation) == Decimal("8000.00")
        with pytest.raises(ValidationError):  # decided once
            mdf_request_decide(tenant=tenant, mdf_request=r, actor=manager, approve=True)


def test_pre_approval_over_the_remaining_allocation_is_refused(tenant, allocation, manager):
    first = submit(tenant, allocation, requested_amount=Decimal("8000"))
    second = submit(tenant, allocation, requested_amount=Decimal("3000"))
    with tenant_scope(tenant):
        mdf_request_decide(tenant=tenant, mdf_request=first, actor=manager, approve=True)
        before = ledger_size(tenant)
        with pytest.raises(ValidationError) as exc:
            mdf_request_decide(tenant=tenant, mdf_request=second, actor=manager, approve=True)
        assert "Only 2,000.00 USD is left" in exc.value.message_dict["amount"][0]
        assert ledger_size(tenant) == before
        assert MdfRequest.objects.get(pk=second.pk).status == "submitted"
        mdf_request_decide(tenant=tenant, mdf_request=second, actor=manager, approve=True, amount="2000")
        assert ledger.balance(Account.MDF_AVAILABLE, allocation=allocation) == 0


def test_rejection_needs_a_note_and_reserves_nothing(tenant, allocation, manager):
    r = submit(tenant, allocation)
    with tenant_scope(tenant):
        with pytest.raises(ValidationError):
            mdf_request_decide(tenant=tenant, mdf_request=r, actor=manager, approve=False, note="")
        r = mdf_request_decide(tenant=tenant, mdf_request=r, actor=manager, approve=False, note="Not in our plan.")
        assert r.status == "rejected"
        assert ledger.balance(Account.MDF_RESERVED, allocation=allocation) == 0


def test_withdrawing_a_pre_approved_request_releases_the_reserve(tenant, allocation, manager, partner_admin):
    r = submit(tenant, allocation)
    with tenant_scope(tenant):
        mdf_request_decide(tenant=tenant, mdf_request=r, actor=manager, approve=True)
        mdf_request_cancel(tenant=tenant, mdf_request=r, actor=partner_admin)
        assert MdfRequest.objects.get(pk=r.pk).status == "cancelled"
        assert ledger.balance(Account.MDF_AVAILABLE, allocation=allocation) == Decimal("10000.00")
        assert JournalEntry.objects.filter(kind="release", object_id=str(r.pk)).count() == 1


# --- Claims -------------------------------------------------------------------------------------


def test_claim_with_proof_then_approval_releases_the_rest_and_reimbursement_pays(tenant, allocation, manager,
                                                                                 partner_admin):
    r = claimable(tenant, allocation, amount="4000.00")
    with tenant_scope(tenant):
        claim = mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="6000.00",
                                 leads_generated=55, results="180 attendees", files=[pdf(), pdf("photo.pdf")])
        assert MdfRequest.objects.get(pk=r.pk).status == "claimed"
        proofs = list(ProofFile.objects.filter(claim=claim))
        assert len(proofs) == 2 and all(p.content_type == "application/pdf" for p in proofs)
        assert all(p.file.name.startswith(f"tenants/{tenant.pk}/mdf-proof/") for p in proofs)
        # 50% co-op of 6,000 = 3,000 < 4,000 reserved.
        claim = mdf_claim_decide(tenant=tenant, claim=claim, actor=manager, approve=True)
        assert claim.approved_amount == Decimal("3000.00")
        held = ledger.balances(allocation=allocation)
        assert held[Account.MDF_PAYABLE] == Decimal("3000.00")
        assert held[Account.MDF_RESERVED] == 0
        assert held[Account.MDF_AVAILABLE] == Decimal("7000.00")
        claim = mdf_claim_reimburse(tenant=tenant, claim=claim, actor=manager, payment_reference="TRF-1")
        held = ledger.balances(allocation=allocation)
        assert held[Account.MDF_PAID] == Decimal("3000.00") and held[Account.MDF_PAYABLE] == 0
        with pytest.raises(ValidationError):
            mdf_claim_reimburse(tenant=tenant, claim=claim, actor=manager)  # no double payment
        assert ledger.balance(Account.MDF_PAID, allocation=allocation) == Decimal("3000.00")
        assert ledger.unbalanced_entries(tenant) == []


def test_claim_approval_over_the_reserve_is_refused(tenant, allocation, manager, partner_admin):
    r = claimable(tenant, allocation, amount="4000.00", approved=Decimal("1500.00"))
    with tenant_scope(tenant):
        claim = mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="10000.00",
                                 leads_generated=10, results="Done", files=[pdf()])
        before = ledger_size(tenant)
        with pytest.raises(ValidationError) as exc:
            mdf_claim_decide(tenant=tenant, claim=claim, actor=manager, approve=True, amount="1500.01")
        assert "At most 1,500.00 USD can be approved" in exc.value.message_dict["amount"][0]
        assert ledger_size(tenant) == before
        claim = mdf_claim_decide(tenant=tenant, claim=claim, actor=manager, approve=True, amount="1500.00")
        assert claim.status == "approved"


def test_claim_approval_is_capped_by_the_co_op_rate(tenant, partner, manager, partner_admin):
    fund = MdfFundFactory(tenant=tenant, coop_rate=Decimal("75"))
    allocation = MdfAllocationFactory(tenant=tenant, fund=fund, partner=partner)
    r = claimable(tenant, allocation, amount="5000.00")
    with tenant_scope(tenant):
        claim = mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="3333.33",
                                 leads_generated=1, results="x", files=[pdf()])
        with pytest.raises(ValidationError):
            mdf_claim_decide(tenant=tenant, claim=claim, actor=manager, approve=True, amount="2500.01")
        claim = mdf_claim_decide(tenant=tenant, claim=claim, actor=manager, approve=True)
        assert claim.approved_amount == Decimal("2500.00")  # 75% of 3,333.33 = 2,499.9975 → 2,500.00


def test_claims_on_rejected_or_unapproved_requests_are_refused(tenant, allocation, manager, partner_admin):
    yesterday = timezone.localdate() - timedelta(days=1)
    pending = MdfRequestFactory(tenant=tenant, allocation=allocation, start_date=yesterday, end_date=yesterday,
                                today=yesterday)
    rejected = MdfRequestFactory(tenant=tenant, allocation=allocation, start_date=yesterday, end_date=yesterday,
                                 today=yesterday)
    with tenant_scope(tenant):
        mdf_request_decide(tenant=tenant, mdf_request=rejected, actor=manager, approve=False, note="No")
        for r, message in ((rejected, "was rejected"), (pending, "not pre-approved yet")):
            with pytest.raises(ValidationError) as exc:
                mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100",
                                 leads_generated=1, results="x", files=[pdf()])
            assert message in str(exc.value)
        assert not ProofFile.objects.exists()


def test_double_claim_is_refused(tenant, allocation, partner_admin):
    r = claimable(tenant, allocation)
    with tenant_scope(tenant):
        mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100", leads_generated=1,
                         results="x", files=[pdf()])
        with pytest.raises(ValidationError) as exc:
            mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100", leads_generated=1,
                             results="x", files=[pdf()])
        assert "already submitted" in str(exc.value)
        assert ProofFile.objects.count() == 1


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 64), "Executable files are not allowed"),
    (SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script></html>"), "HTML files are not allowed"),
    (SimpleUploadedFile("movie.pdf", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64), "not allowed here"),
    (SimpleUploadedFile("empty.pdf", b""), "The file is empty"),
])
def test_forbidden_proof_files_are_refused(tenant, allocation, partner_admin, upload, message):
    r = claimable(tenant, allocation)
    before = ledger_size(tenant)
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100", leads_generated=1,
                         results="x", files=[upload])
    assert message in " ".join(exc.value.message_dict["files"])
    assert ledger_size(tenant) == before
    with tenant_scope(tenant):
        assert MdfRequest.objects.get(pk=r.pk).status == "approved"


def test_oversized_proof_is_refused(tenant, allocation, partner_admin, settings):
    settings.PRM_MDF_PROOF_MAX_MB = 1
    r = claimable(tenant, allocation)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 1), content_type="application/pdf")
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100", leads_generated=1,
                         results="x", files=[big])
    assert "too large" in " ".join(exc.value.message_dict["files"])


def test_claim_without_proof_or_before_the_activity_ends_is_refused(tenant, allocation, manager, partner_admin):
    r = claimable(tenant, allocation)
    future = submit(tenant, allocation, requested_amount=Decimal("100"))
    with tenant_scope(tenant):
        with pytest.raises(ValidationError) as exc:
            mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100", leads_generated=1,
                             results="x", files=[])
        assert "Attach proof" in " ".join(exc.value.message_dict["files"])
        mdf_request_decide(tenant=tenant, mdf_request=future, actor=manager, approve=True)
        with pytest.raises(ValidationError) as exc:
            mdf_claim_submit(tenant=tenant, mdf_request=future, user=partner_admin, actual_cost="100",
                             leads_generated=1, results="x", files=[pdf()])
        assert "once the activity has ended" in str(exc.value)


# --- Deadlines ----------------------------------------------------------------------------------


def test_deadline_job_reminds_once_then_expires_and_releases(tenant, allocation, partner_admin):
    from prm.notifications.models import EmailOutbox, Notification

    r = claimable(tenant, allocation, amount="1000.00")
    with tenant_scope(tenant):
        due = MdfRequest.objects.get(pk=r.pk).claim_due
        assert mdf_deadlines(tenant=tenant, today=due - timedelta(days=3)) == {"reminded": 1, "expired": 0}
        assert mdf_deadlines(tenant=tenant, today=due - timedelta(days=2)) == {"reminded": 0, "expired": 0}
        assert Notification.objects.filter(user=partner_admin, title__startswith="Claim your MDF by").count() == 1
        assert EmailOutbox.objects.filter(to=partner_admin.email, subject__startswith="Claim your MDF by").count() == 1
        assert mdf_deadlines(tenant=tenant, today=due + timedelta(days=1)) == {"reminded": 0, "expired": 1}
        assert MdfRequest.objects.get(pk=r.pk).status == "expired"
        assert ledger.balance(Account.MDF_AVAILABLE, allocation=allocation) == Decimal("10000.00")
        with pytest.raises(ValidationError):
            mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100", leads_generated=1,
                             results="x", files=[pdf()])


def test_claim_after_the_deadline_is_refused(tenant, allocation, partner_admin):
    r = claimable(tenant, allocation)
    with tenant_scope(tenant):
        due = MdfRequest.objects.get(pk=r.pk).claim_due
        with pytest.raises(ValidationError) as exc:
            mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100", leads_generated=1,
                             results="x", files=[pdf()], today=due + timedelta(days=1))
        assert "deadline" in str(exc.value)


def test_mdf_requests_and_claims_are_recorded_as_engagement_events(tenant, allocation, partner_admin):
    from prm.events.models import EngagementEvent

    r = claimable(tenant, allocation)
    with tenant_scope(tenant):
        claim = mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100",
                                 leads_generated=1, results="x", files=[pdf()])
        assert EngagementEvent.objects.filter(kind="mdf_requested", object_id=str(r.pk), partner=allocation.partner)\
            .exists()
        assert EngagementEvent.objects.filter(kind="mdf_claimed", object_id=str(claim.pk)).exists()


def test_gated_partner_cannot_request_or_claim(tenant, allocation, partner_admin):
    from partners.models import Partner

    r = claimable(tenant, allocation)
    with tenant_scope(tenant):
        Partner.objects.filter(pk=allocation.partner_id).update(status=Partner.Status.SUSPENDED)
        with pytest.raises(ValidationError) as exc:
            submit(tenant, MdfAllocation.objects.select_related("partner").get(pk=allocation.pk))
        assert "not active in the program" in str(exc.value)
        with pytest.raises(ValidationError):
            mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost="100", leads_generated=1,
                             results="x", files=[pdf()])
