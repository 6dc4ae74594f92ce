"""The one ledger: every entry balances, postings refuse anything else, rows are append-only, and
every balance shown equals the facts recorded on the business objects."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from incentives.models import Account, JournalEntry, JournalLine, MdfClaim, MdfRequest, PayoutBatch, SpifAccrual
from incentives.services import (
    LedgerError,
    ledger,
    mdf_claim_decide,
    mdf_claim_reimburse,
    mdf_claim_submit,
    mdf_deadlines,
    payout_batch_create,
    payout_batch_mark_paid,
    spif_reevaluate,
    spif_reverse,
)
from incentives.tasks import mdf_deadlines as mdf_deadlines_task
from prm.tenancy.scoping import tenant_scope
from tests.factories import MdfRequestFactory, SpifProgramFactory, WonDealFactory, mdf_partner

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_a_posting_must_balance_per_currency_and_use_valid_amounts(tenant):
    with tenant_scope(tenant):
        for legs in (
            [ledger.Leg("spif_accrued", "USD", debit=Decimal("10.00"))],
            ledger.move(Decimal("10.00"), "USD", debit="spif_accrued", credit="spif_available")[:1]
            + [ledger.Leg("spif_available", "USD", credit=Decimal("9.99"))],
            [ledger.Leg("spif_accrued", "USD", debit=Decimal("10.00")), ledger.Leg("spif_available", "EUR",
                                                                                   credit=Decimal("10.00"))],
            ledger.move(Decimal("10.005"), "USD", debit="spif_accrued", credit="spif_available"),
            ledger.move(Decimal("-5"), "USD", debit="spif_accrued", credit="spif_available"),
            ledger.move(Decimal("5"), "USD", debit="petty_cash", credit="spif_available"),
        ):
            with pytest.raises(LedgerError):
                ledger.post(tenant=tenant, kind="accrue", legs=legs)
        assert not JournalEntry.objects.exists()


def test_the_database_refuses_lines_with_two_sides_or_none(tenant):
    with tenant_scope(tenant):
        entry = ledger.post(tenant=tenant, kind="budget", legs=ledger.move(Decimal("1.00"), "USD",
                                                                           debit="spif_available", credit="spif_budget"))
        for debit, credit in ((Decimal("1"), Decimal("1")), (Decimal("0"), Decimal("0")), (Decimal("-1"), Decimal("0"))):
            with pytest.raises(IntegrityError), transaction.atomic():
                JournalLine.objects.bulk_create([JournalLine(tenant=tenant, entry=entry, account="spif_paid",
                                                             currency="USD", debit=debit, credit=credit)])


def test_journal_rows_are_append_only(tenant):
    with tenant_scope(tenant):
        entry = ledger.post(tenant=tenant, kind="budget", legs=ledger.move(Decimal("1.00"), "USD",
                                                                           debit="spif_available", credit="spif_budget"))
        line = entry.lines.first()
        entry.memo = "changed"
        for obj in (entry, line):
            with pytest.raises(ValueError):
                obj.save()
            with pytest.raises(ValueError):
                obj.delete()


def test_reversing_approved_and_paid_accruals(tenant, partner, manager):
    program = SpifProgramFactory(tenant=tenant, flat_amount=Decimal("300.00"))
    deals = [WonDealFactory(tenant=tenant, partner=partner) for _i in range(3)]
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)
        a1, a2, a3 = (SpifAccrual.objects.get(deal=d) for d in deals)
        paid = payout_batch_create(tenant=tenant, accrual_ids=[a1.pk], actor=manager)
        payout_batch_mark_paid(tenant=tenant, batch=paid, actor=manager)
        open_batch = payout_batch_create(tenant=tenant, accrual_ids=[a2.pk, a3.pk], actor=manager)
        # The deal of a paid accrual is reverted: the money is out, so it is to be recovered.
        spif_reverse(tenant=tenant, accrual=a1, reason="Order cancelled")
        # An approved accrual of an unpaid batch goes back to the budget and is left out of the payment.
        spif_reverse(tenant=tenant, accrual=a2, reason="Order cancelled")
        payout_batch_mark_paid(tenant=tenant, batch=open_batch, actor=manager)
        held = ledger.balances(program=program)
        assert held[Account.SPIF_CLAWBACK] == Decimal("300.00")
        assert held[Account.SPIF_PAID] == Decimal("300.00")        # a3 only (a1's payment moved to clawback)
        assert held[Account.SPIF_APPROVED] == 0 and held[Account.SPIF_ACCRUED] == 0
        assert held[Account.SPIF_AVAILABLE] == Decimal("100000.00") - Decimal("600.00")
        assert SpifAccrual.objects.get(pk=a3.pk).status == "paid"
        assert SpifAccrual.objects.get(pk=a2.pk).status == "reversed"
        assert PayoutBatch.objects.get(pk=open_batch.pk).status == "paid"


def test_every_balance_matches_the_recorded_facts_after_a_busy_period(tenant, partner, allocation, manager,
                                                                     partner_admin):
    SpifProgramFactory(tenant=tenant, rule="percent", flat_amount=None, percent=Decimal("2.5"))
    for amount in ("1234.56", "9999.99", "100.01"):
        WonDealFactory(tenant=tenant, partner=partner, amount=Decimal(amount))
    WonDealFactory(tenant=tenant, partner=mdf_partner(tenant), amount=Decimal("5000.00"))
    yesterday = timezone.localdate() - timedelta(days=1)
    requests = [MdfRequestFactory(tenant=tenant, allocation=allocation, requested_amount=Decimal(a),
                                  start_date=yesterday, end_date=yesterday, today=yesterday, approve=True)
                for a in ("1000.00", "2000.00", "333.33", "150.00")]
    MdfRequestFactory(tenant=tenant, allocation=allocation, requested_amount=Decimal("99.00"))  # not decided
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)
        pending = list(SpifAccrual.objects.values_list("pk", flat=True))
        payout_batch_mark_paid(tenant=tenant, actor=manager,
                               batch=payout_batch_create(tenant=tenant, accrual_ids=pending[:2], actor=manager))
        claims = [mdf_claim_submit(tenant=tenant, mdf_request=r, user=partner_admin, actual_cost=cost,
                                   leads_generated=3, results="ok",
                                   files=[SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf")])
                  for r, cost in zip(requests[:3], ("1500.00", "5000.00", "700.00"), strict=True)]
        mdf_claim_reimburse(tenant=tenant, actor=manager,
                            claim=mdf_claim_decide(tenant=tenant, claim=claims[0], actor=manager, approve=True))
        mdf_claim_decide(tenant=tenant, claim=claims[1], actor=manager, approve=True, amount="1999.99")
        mdf_claim_decide(tenant=tenant, claim=claims[2], actor=manager, approve=False, note="No proof of attendance")
        mdf_deadlines(tenant=tenant, today=MdfRequest.objects.get(pk=requests[3].pk).claim_due + timedelta(days=1))

        assert ledger.unbalanced_entries(tenant) == []
        lines = list(JournalLine.objects.values_list("debit", "credit"))
        assert sum(d for d, _c in lines) == sum(c for _d, c in lines)
        # MDF: the allocation's balances are exactly what the decisions recorded.
        held = ledger.balances(allocation=allocation)
        approved = MdfClaim.objects.filter(status__in=["approved", "reimbursed"])
        assert held[Account.MDF_PAID] == sum(c.approved_amount for c in approved.filter(status="reimbursed"))
        assert held[Account.MDF_PAYABLE] == sum(c.approved_amount for c in approved.filter(status="approved"))
        assert held[Account.MDF_PAID] == Decimal("750.00") and held[Account.MDF_PAYABLE] == Decimal("1999.99")
        assert held[Account.MDF_RESERVED] == 0
        assert held[Account.MDF_AVAILABLE] == allocation.amount - Decimal("750.00") - Decimal("1999.99")
        assert sum(held[a] for a in (Account.MDF_AVAILABLE, Account.MDF_RESERVED, Account.MDF_PAYABLE,
                                     Account.MDF_PAID)) == allocation.amount
        # SPIF: committed balances equal the accruals' amounts by status.
        by_status = {"paid": Decimal(0), "accrued": Decimal(0)}
        for status, amount in SpifAccrual.objects.values_list("status", "amount"):
            by_status[status] += amount
        assert ledger.balance(Account.SPIF_PAID) == by_status["paid"]
        assert ledger.balance(Account.SPIF_ACCRUED) == by_status["accrued"]
        assert by_status["paid"] + by_status["accrued"] == Decimal("30.86") + Decimal("250.00") + Decimal("2.50") \
            + Decimal("125.00")


def test_deadline_task_fans_out_per_tenant(tenant, other_tenant, allocation, django_capture_on_commit_callbacks):
    yesterday = timezone.localdate() - timedelta(days=1)
    r = MdfRequestFactory(tenant=tenant, allocation=allocation, start_date=yesterday, end_date=yesterday,
                          today=yesterday, approve=True)
    with tenant_scope(tenant):
        MdfRequest.objects.filter(pk=r.pk).update(claim_due=yesterday)
    with django_capture_on_commit_callbacks(execute=True):  # the fan-out sends after commit
        assert mdf_deadlines_task.delay().get() >= 2
    with tenant_scope(tenant):
        assert MdfRequest.objects.get(pk=r.pk).status == "expired"
        assert ledger.balance(Account.MDF_RESERVED, allocation=allocation) == 0
