"""A partner's incentive statement: SPIF earnings per program (with the deals behind them), eligible
programs with what the open pipeline would earn, and MDF balances. Constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from deals.models import DealProduct, DealRegistration
from incentives.models import Account, MdfAllocation, MdfRequest, SpifAccrual, SpifProgram
from incentives.money import ZERO
from incentives.services import ledger
from incentives.services.spif import OPEN_DEAL_STATUSES, ProgramSpec, program_specs


@dataclass
class ProgramLine:
    program: SpifProgram
    pending: Decimal = ZERO     # accrued, awaiting approval
    approved: Decimal = ZERO    # approved into a payout batch, awaiting payment
    paid: Decimal = ZERO
    clawback: Decimal = ZERO    # paid, then reversed: to be recovered
    accruals: list = field(default_factory=list)

    @property
    def accrued(self) -> Decimal:
        """Everything earned and not reversed (pending + approved + paid)."""
        return self.pending + self.approved + self.paid


@dataclass
class Forecast:
    program: SpifProgram
    spec: ProgramSpec
    deals: list = field(default_factory=list)   # (deal, amount or None when its value is unknown)
    potential: Decimal = ZERO
    limited_by: str = ""


@dataclass
class Statement:
    partner: object
    lines: list[ProgramLine]
    forecasts: list[Forecast]
    allocations: list[MdfAllocation]
    totals: dict       # currency -> {"accrued", "pending", "approved", "paid", "clawback"}

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.forecasts and not self.allocations


def partner_statement(tenant, partner, *, today: date | None = None) -> Statement:
    today = today or timezone.localdate()
    balances = ledger.grouped_balances(("program_id",), tenant=tenant, partner=partner, program__isnull=False)
    accruals = list(SpifAccrual.objects.filter(tenant=tenant, partner=partner)
                    .select_related("program", "deal", "batch").order_by("program__name", "-accrued_at"))
    lines: dict = {}
    for accrual in accruals:
        line = lines.setdefault(accrual.program_id, ProgramLine(accrual.program))
        line.accruals.append(accrual)
    for line in lines.values():
        held = balances.get((line.program.pk,), {})
        line.pending = held.get(Account.SPIF_ACCRUED, ZERO)
        line.approved = held.get(Account.SPIF_APPROVED, ZERO)
        line.paid = held.get(Account.SPIF_PAID, ZERO)
        line.clawback = held.get(Account.SPIF_CLAWBACK, ZERO)
    totals: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    for line in lines.values():
        bucket = totals[line.program.currency]
        for name in ("accrued", "pending", "approved", "paid", "clawback"):
            bucket[name] += getattr(line, name)
    return Statement(
        partner=partner, lines=sorted(lines.values(), key=lambda line: line.program.name),
        forecasts=pipeline_forecast(tenant, partner, today=today,
                                    earned={pid: line.accrued for pid, line in lines.items()}),
        allocations=partner_allocations(tenant, partner),
        totals={c: dict(v) for c, v in totals.items()},
    )


def eligible_programs(tenant, partner, *, today: date) -> dict:
    """{program id: spec} of active programs still running that the partner's tier and type qualify for."""
    programs = SpifProgram.objects.filter(tenant=tenant, is_active=True, end_date__gte=today).order_by("end_date", "name")
    specs = program_specs(programs)
    return {pid: s for pid, s in specs.items()
            if (not s.tier_ids or partner.tier_id in s.tier_ids)
            and (not s.type_ids or partner.partner_type_id in s.type_ids)}


def pipeline_forecast(tenant, partner, *, today: date, earned: dict | None = None) -> list[Forecast]:
    """What the partner would earn if its open deals were won as registered (before approval)."""
    specs = eligible_programs(tenant, partner, today=today)
    if not specs:
        return []
    deals = list(DealRegistration.objects.filter(tenant=tenant, partner=partner, status__in=OPEN_DEAL_STATUSES)
                 .only("pk", "customer_name", "amount", "currency", "base_amount", "expected_close_date", "status",
                       "partner_id").order_by("expected_close_date", "customer_name"))
    products: dict = defaultdict(set)
    for deal_id, product_id in DealProduct.objects.filter(deal__in=[d.pk for d in deals]).values_list("deal_id",
                                                                                                     "product_id"):
        products[deal_id].add(product_id)
    if earned is None:
        rows = ledger.grouped_balances(("program_id",), tenant=tenant, partner=partner, program__in=list(specs))
        earned = {pid: sum((rows.get((pid,), {}).get(a, ZERO) for a in
                            (Account.SPIF_ACCRUED, Account.SPIF_APPROVED, Account.SPIF_PAID)), ZERO) for pid in specs}
    budgets = {key[0]: accounts[Account.SPIF_AVAILABLE] for key, accounts in ledger.grouped_balances(
        ("program_id",), tenant=tenant, program__in=list(specs), account=Account.SPIF_AVAILABLE).items()}
    forecasts = []
    for pid, spec in specs.items():
        program = spec.program
        forecast = Forecast(program, spec)
        for deal in deals:
            # A deal whose expected close date has passed can still close today at the earliest.
            close = max(deal.expected_close_date or today, today)
            if spec.refusal(tier_id=partner.tier_id, type_id=partner.partner_type_id, product_ids=products[deal.pk],
                            on=close):
                continue
            amount = spec.amount_for(deal.base_amount)
            forecast.deals.append((deal, amount))
            forecast.potential += amount or ZERO
        if program.cap_per_partner is not None:
            room = max(program.cap_per_partner - earned.get(pid, ZERO), ZERO)
            if forecast.potential > room:
                forecast.potential, forecast.limited_by = room, "cap"
        available = budgets.get(pid, ZERO)
        if forecast.potential > available:
            forecast.potential, forecast.limited_by = max(available, ZERO), "budget"
        forecasts.append(forecast)
    return forecasts


def partner_allocations(tenant, partner) -> list[MdfAllocation]:
    """The partner's MDF allocations with `available`, `reserved`, `payable`, `paid` attached (2 queries)."""
    allocations = list(MdfAllocation.objects.filter(tenant=tenant, partner=partner).select_related("fund")
                       .order_by("-fund__start_date", "fund__name"))
    attach_allocation_balances(tenant, allocations)
    return allocations


def attach_allocation_balances(tenant, allocations: list[MdfAllocation]) -> list[MdfAllocation]:
    rows = ledger.grouped_balances(("allocation_id",), tenant=tenant, allocation__in=[a.pk for a in allocations],
                                   account__in=[Account.MDF_AVAILABLE, Account.MDF_RESERVED, Account.MDF_PAYABLE,
                                                Account.MDF_PAID])
    for a in allocations:
        held = rows.get((a.pk,), {})
        a.available = held.get(Account.MDF_AVAILABLE, ZERO)
        a.reserved = held.get(Account.MDF_RESERVED, ZERO)
        a.payable = held.get(Account.MDF_PAYABLE, ZERO)
        a.paid = held.get(Account.MDF_PAID, ZERO)
        a.used_percent = int(100 * (a.amount - a.available) / a.amount) if a.amount else 0
    return allocations


def partner_requests(tenant, partner) -> list[MdfRequest]:
    return list(MdfRequest.objects.filter(tenant=tenant, partner=partner)
                .select_related("fund").prefetch_related("claims").order_by("-submitted_at"))


def open_allocations(tenant, partner) -> list[MdfAllocation]:
    """Allocations the partner can request from now (fund open and its period not over)."""
    today = timezone.localdate()
    return [a for a in partner_allocations(tenant, partner)
            if a.fund.is_active and a.fund.end_date >= today and a.available > 0]
