"""Reads for the staff pages: queues, fund and program summaries (balances from the ledger), batches
and the journal. Every function costs a fixed number of queries however many rows there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from incentives.models import (
    Account,
    JournalEntry,
    JournalLine,
    MdfAllocation,
    MdfClaim,
    MdfFund,
    MdfRequest,
    PayoutBatch,
    SpifAccrual,
    SpifProgram,
)
from incentives.money import ZERO, convert
from incentives.services import ledger
from prm.tenancy.viewer import Viewer

PAGE_SIZE = 50


# --- Funds -----------------------------------------------------------------------------------------


def attach_fund_balances(tenant, funds: list[MdfFund]) -> list[MdfFund]:
    """Budget, allocated and unallocated in the fund's currency; reserved, payable and paid converted
    from each allocation's currency at the rate fixed on the allocation (3 queries)."""
    fund_ids = [f.pk for f in funds]
    own = ledger.grouped_balances(("fund_id",), tenant=tenant, fund__in=fund_ids,
                                  account__in=[Account.MDF_BUDGET, Account.MDF_UNALLOCATED, Account.MDF_ALLOCATED])
    per_allocation = ledger.grouped_balances(
        ("fund_id", "allocation_id"), tenant=tenant, fund__in=fund_ids,
        account__in=[Account.MDF_RESERVED, Account.MDF_PAYABLE, Account.MDF_PAID])
    rates = dict(MdfAllocation.objects.filter(fund__in=fund_ids).values_list("pk", "rate"))
    for fund in funds:
        held = own.get((fund.pk,), {})
        fund.authorised = -held.get(Account.MDF_BUDGET, ZERO)
        fund.unallocated = held.get(Account.MDF_UNALLOCATED, ZERO)
        fund.allocated = held.get(Account.MDF_ALLOCATED, ZERO)
        fund.reserved = fund.payable = fund.paid = ZERO
    by_id = {f.pk: f for f in funds}
    for (fund_id, allocation_id), accounts in per_allocation.items():
        fund, rate = by_id[fund_id], rates.get(allocation_id, Decimal(1))
        fund.reserved += convert(accounts.get(Account.MDF_RESERVED, ZERO), rate, fund.currency)
        fund.payable += convert(accounts.get(Account.MDF_PAYABLE, ZERO), rate, fund.currency)
        fund.paid += convert(accounts.get(Account.MDF_PAID, ZERO), rate, fund.currency)
    for fund in funds:
        fund.spent = fund.payable + fund.paid
        fund.allocated_percent = int(100 * fund.allocated / fund.authorised) if fund.authorised else 0
    return funds


def fund_list(tenant) -> list[MdfFund]:
    funds = list(MdfFund.objects.filter(tenant=tenant).annotate(n_allocations=Count("allocations", distinct=True))
                 .order_by("-start_date", "name"))
    return attach_fund_balances(tenant, funds)


def fund_allocations(viewer: Viewer, fund: MdfFund) -> list[MdfAllocation]:
    from incentives.selectors.statement import attach_allocation_balances

    qs = viewer.scope(MdfAllocation.objects.filter(fund=fund).select_related("fund", "partner", "partner__tier"))
    allocations = list(qs.order_by("partner__name"))
    return attach_allocation_balances(viewer.tenant, allocations)


# --- Programs ------------------------------------------------------------------------------------


def attach_program_balances(tenant, programs: list[SpifProgram]) -> list[SpifProgram]:
    rows = ledger.grouped_balances(("program_id",), tenant=tenant, program__in=[p.pk for p in programs])
    for program in programs:
        held = rows.get((program.pk,), {})
        program.authorised = -held.get(Account.SPIF_BUDGET, ZERO)
        program.available = held.get(Account.SPIF_AVAILABLE, ZERO)
        program.pending = held.get(Account.SPIF_ACCRUED, ZERO)
        program.approved = held.get(Account.SPIF_APPROVED, ZERO)
        program.paid = held.get(Account.SPIF_PAID, ZERO)
        program.clawback = held.get(Account.SPIF_CLAWBACK, ZERO)
        program.committed = program.pending + program.approved + program.paid
        program.used_percent = int(100 * (program.authorised - program.available) / program.authorised) \
            if program.authorised else 0
    return programs


def program_list(tenant) -> list[SpifProgram]:
    programs = list(SpifProgram.objects.filter(tenant=tenant).annotate(
        n_accruals=Count("accruals", filter=~Q(accruals__status__in=["reversed", "rejected"])))
        .order_by("-start_date", "name"))
    return attach_program_balances(tenant, programs)


@dataclass
class Clawback:
    partner_id: object
    partner_name: str
    outstanding: Decimal


def program_clawbacks(viewer: Viewer, program: SpifProgram) -> list[Clawback]:
    """Partners with money to recover in `program` (paid accruals reversed later): one grouped query."""
    filters = {"tenant": viewer.tenant, "program": program, "account": Account.SPIF_CLAWBACK}
    if viewer.book is not None:
        filters["partner__in"] = viewer.book
    rows = ledger.grouped_balances(("partner_id", "partner__name"), **filters)
    owed = [Clawback(pid, name, held[Account.SPIF_CLAWBACK]) for (pid, name), held in rows.items()]
    return sorted((c for c in owed if c.outstanding > 0), key=lambda c: c.partner_name.lower())


def accruals(viewer: Viewer, *, program: SpifProgram | None = None, status: str = "") -> QuerySet[SpifAccrual]:
    qs = viewer.scope(SpifAccrual.objects.select_related("program", "deal", "partner", "batch"))
    if program is not None:
        qs = qs.filter(program=program)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-accrued_at", "pk")


# --- Queues --------------------------------------------------------------------------------------


def request_queue(viewer: Viewer, *, status: str = MdfRequest.Status.SUBMITTED) -> QuerySet[MdfRequest]:
    qs = viewer.scope(MdfRequest.objects.select_related("partner", "fund", "allocation"))
    return qs.filter(status=status).order_by("submitted_at", "pk")


def claim_queue(viewer: Viewer, *, status: str = MdfClaim.Status.SUBMITTED) -> QuerySet[MdfClaim]:
    qs = viewer.scope(MdfClaim.objects.select_related("partner", "mdf_request", "mdf_request__fund")
                         .annotate(n_proofs=Count("proofs")))
    return qs.filter(status=status).order_by("submitted_at", "pk")


@dataclass
class Overview:
    requests: int
    claims: int
    reimbursements: int
    accruals: int
    accrual_totals: dict
    batches: int


def overview_counts(viewer: Viewer) -> Overview:
    """The numbers on the staff home widget and overview page (4 queries)."""
    tenant = viewer.tenant
    requests = viewer.scope(MdfRequest.objects.all()).filter(status=MdfRequest.Status.SUBMITTED).count()
    claims = viewer.scope(MdfClaim.objects.all()).aggregate(
        review=Count("pk", filter=Q(status=MdfClaim.Status.SUBMITTED)),
        pay=Count("pk", filter=Q(status=MdfClaim.Status.APPROVED)))
    pending = (viewer.scope(SpifAccrual.objects.all()).filter(status=SpifAccrual.Status.ACCRUED)
               .values("currency").annotate(n=Count("pk"), total=Sum("amount")).order_by("currency"))
    totals = {row["currency"]: row["total"] for row in pending}
    batches = PayoutBatch.objects.filter(tenant=tenant, status=PayoutBatch.Status.APPROVED).count()
    return Overview(requests, claims["review"], claims["pay"], sum(row["n"] for row in pending), totals, batches)


# --- Batches ---------------------------------------------------------------------------------------


def batch_list(tenant) -> QuerySet[PayoutBatch]:
    return (PayoutBatch.objects.filter(tenant=tenant).select_related("created_by", "paid_by")
            .annotate(n=Count("accruals", filter=Q(accruals__status__in=["approved", "paid"])),
                      total=Sum("accruals__amount", filter=Q(accruals__status__in=["approved", "paid"])))
            .order_by("-created_at"))


def batch_lines(viewer: Viewer, batch: PayoutBatch) -> QuerySet[SpifAccrual]:
    """The batch's accruals this viewer may see (a confined manager: their book's partners)."""
    return (viewer.scope(SpifAccrual.objects.filter(batch=batch)).select_related("partner", "program", "deal")
            .order_by("partner__name", "program__name", "pk"))


def batch_export_rows(viewer: Viewer, batch: PayoutBatch):
    """One row per accrual of a batch (reversed ones are listed with zero to pay)."""
    for a in batch_lines(viewer, batch).iterator():
        pays = a.status in (SpifAccrual.Status.APPROVED, SpifAccrual.Status.PAID)
        yield [batch.reference, a.partner.name, a.partner.domain, a.program.name, a.deal.customer_name,
               str(a.deal_id), a.deal.closed_on.isoformat() if a.deal.closed_on else "",
               a.deal_value if a.deal_value is not None else "", a.amount if pays else Decimal("0"), a.currency,
               a.get_status_display(), str(a.pk)]


BATCH_HEADER = ["batch", "partner", "partner_domain", "program", "customer", "deal_id", "won_on", "deal_value",
                "amount", "currency", "status", "accrual_id"]


# --- Journal ---------------------------------------------------------------------------------------


def journal(tenant, *, start: date | None = None, end: date | None = None, kind: str = "") -> QuerySet[JournalEntry]:
    qs = JournalEntry.objects.filter(tenant=tenant).select_related("created_by")
    if start:
        qs = qs.filter(occurred_at__date__gte=start)
    if end:
        qs = qs.filter(occurred_at__date__lte=end)
    if kind:
        qs = qs.filter(kind=kind)
    lines = JournalLine.objects.select_related("partner", "fund", "program").order_by("id")
    return qs.prefetch_related(Prefetch("lines", queryset=lines)).order_by("-occurred_at", "-id")


JOURNAL_HEADER = ["entry", "date", "kind", "memo", "account", "account_name", "currency", "debit", "credit",
                  "partner", "fund", "program", "allocation_id", "mdf_request_id", "accrual_id", "source_type",
                  "source_id", "by"]


def journal_export_rows(tenant, *, start: date | None = None, end: date | None = None):
    """Journal lines for a finance system: one row per line, entries in order, streamed."""
    qs = JournalLine.objects.filter(tenant=tenant).select_related("entry", "entry__created_by", "partner", "fund",
                                                                  "program")
    if start:
        qs = qs.filter(entry__occurred_at__date__gte=start)
    if end:
        qs = qs.filter(entry__occurred_at__date__lte=end)
    names = dict(Account.choices)
    for line in qs.order_by("entry_id", "id").iterator(chunk_size=2000):
        entry = line.entry
        yield [entry.pk, timezone.localtime(entry.occurred_at).isoformat(), entry.kind, entry.memo, line.account,
               str(names.get(line.account, line.account)), line.currency, line.debit, line.credit,
               line.partner.name if line.partner else "", line.fund.name if line.fund else "",
               line.program.name if line.program else "", line.allocation_id or "", line.mdf_request_id or "",
               line.accrual_id or "", entry.object_type, entry.object_id,
               entry.created_by.email if entry.created_by else ""]


def ledger_totals(tenant) -> dict:
    """Debits and credits per currency over the whole journal (they are equal when the books balance)."""
    rows = (JournalLine.objects.filter(tenant=tenant).values("currency")
            .annotate(debit=Sum("debit"), credit=Sum("credit")).order_by("currency"))
    return {row["currency"]: {"debit": row["debit"] or ZERO, "credit": row["credit"] or ZERO} for row in rows}

