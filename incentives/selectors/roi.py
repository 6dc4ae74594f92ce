"""Return on incentives: what was spent (from the ledger) against leads, pipeline and won revenue.

`roi_summary(tenant, ...)` is the public read for the staff ROI page and the analytics dashboards.
MDF spend is what claims approved (payable + paid); pipeline and won revenue come from deals
attributed to the activity (linked by hand or through the campaign code). SPIF spend is what
accrued and was not reversed; its revenue is that of the won deals behind the accruals.
Everything is in the tenant's base currency; a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F

from incentives.models import Account, MdfClaim, MdfFund, MdfRequest, MdfRequestDeal, SpifAccrual, SpifProgram
from incentives.money import ZERO, convert
from incentives.services import ledger
from incentives.services._common import rate_to_base
from partners.models import Partner

OPEN_DEAL_STATUSES = ("submitted", "info_requested", "approved")
SPENT_ACCOUNTS = (Account.MDF_PAYABLE, Account.MDF_PAID)


@dataclass
class RoiRow:
    """One fund, program or partner. Money in the base currency."""

    key: object
    label: str
    spent: Decimal = ZERO
    mdf_spent: Decimal = ZERO
    spif_spent: Decimal = ZERO
    requests: int = 0
    leads_expected: int = 0
    leads: int = 0
    pipeline: Decimal = ZERO
    won: Decimal = ZERO
    won_deals: int = 0
    unconverted: bool = False  # some spend had no exchange rate to the base currency
    _deals: set = field(default_factory=set, repr=False)

    @property
    def roi(self) -> Decimal | None:
        """Won revenue per unit spent (e.g. 12.5 means 12.5× the money)."""
        if not self.spent:
            return None
        return (self.won / self.spent).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def cost_per_lead(self) -> Decimal | None:
        if not self.leads or not self.mdf_spent:
            return None
        return (self.mdf_spent / self.leads).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict:
        return {"id": str(self.key) if self.key is not None else None, "label": self.label, "spent": self.spent,
                "mdf_spent": self.mdf_spent, "spif_spent": self.spif_spent, "requests": self.requests,
                "leads_expected": self.leads_expected, "leads": self.leads, "pipeline": self.pipeline,
                "won": self.won, "won_deals": self.won_deals, "roi": self.roi, "cost_per_lead": self.cost_per_lead,
                "unconverted": self.unconverted}


def _add_deal(row: RoiRow, deal: dict) -> None:
    """Count each attributed deal once per row, even when linked to several of its activities."""
    if deal["deal_id"] in row._deals:
        return
    row._deals.add(deal["deal_id"])
    if deal["status"] == "won":
        row.won += deal["won"] or ZERO
        row.won_deals += 1
    elif deal["status"] in OPEN_DEAL_STATUSES:
        row.pipeline += deal["pipeline"] or ZERO


def roi_summary(tenant, *, start: date | None = None, end: date | None = None, fund: MdfFund | None = None,
                program: SpifProgram | None = None, partner: Partner | None = None) -> dict:
    """{"currency", "funds": [...], "programs": [...], "partners": [...], "totals": {...}} of RoiRow dicts.

    `start`/`end` limit MDF activities by their start date and SPIF accruals by the deal's close date.
    """
    base = tenant.base_currency
    rates: dict = {}

    def to_base(amount: Decimal, currency: str) -> Decimal | None:
        if currency not in rates:
            rates[currency] = rate_to_base(tenant, currency)
        rate = rates[currency]
        return None if rate is None else convert(amount, rate, base)

    # --- MDF -----------------------------------------------------------------------------------
    requests = MdfRequest.objects.filter(tenant=tenant).exclude(status__in=["submitted", "rejected", "cancelled"])
    if start:
        requests = requests.filter(start_date__gte=start)
    if end:
        requests = requests.filter(start_date__lte=end)
    if fund is not None:
        requests = requests.filter(fund=fund)
    if partner is not None:
        requests = requests.filter(partner=partner)
    request_rows = list(requests.values("pk", "fund_id", "partner_id", "expected_leads", "allocation__rate",
                                        "fund__currency"))
    request_ids = [r["pk"] for r in request_rows]
    spent = ledger.grouped_balances(("mdf_request_id",), tenant=tenant, mdf_request__in=request_ids,
                                    account__in=list(SPENT_ACCOUNTS))
    leads = dict(MdfClaim.objects.filter(tenant=tenant, mdf_request__in=request_ids)
                 .values_list("mdf_request_id", "leads_generated"))
    links = defaultdict(list)
    for link in MdfRequestDeal.objects.filter(tenant=tenant, mdf_request__in=request_ids).values(
            "mdf_request_id", "deal_id", status=F("deal__status"), won=F("deal__won_base_amount"),
            pipeline=F("deal__base_amount")):
        links[link["mdf_request_id"]].append(link)

    funds: dict = {}
    partners: dict = {}
    totals = RoiRow(None, "total")
    every_deal: dict = {}
    for r in request_rows:
        in_allocation = sum((spent.get((r["pk"],), {}).get(a, ZERO) for a in SPENT_ACCOUNTS), ZERO)
        in_fund = convert(in_allocation, r["allocation__rate"], r["fund__currency"])
        amount = to_base(in_fund, r["fund__currency"])
        fund_row = funds.setdefault(r["fund_id"], RoiRow(r["fund_id"], ""))
        partner_row = partners.setdefault(r["partner_id"], RoiRow(r["partner_id"], ""))
        for row in (fund_row, partner_row, totals):
            row.requests += 1
            row.leads_expected += r["expected_leads"]
            row.leads += leads.get(r["pk"], 0)
            if amount is None:
                row.unconverted = True
            else:
                row.mdf_spent += amount
                row.spent += amount
            for deal in links[r["pk"]]:
                _add_deal(row, deal)
        for deal in links[r["pk"]]:
            every_deal[deal["deal_id"]] = deal

    # --- SPIF ----------------------------------------------------------------------------------
    accruals = SpifAccrual.objects.filter(tenant=tenant, status__in=SpifAccrual.OPEN_STATUSES)
    if start:
        accruals = accruals.filter(deal__closed_on__gte=start)
    if end:
        accruals = accruals.filter(deal__closed_on__lte=end)
    if program is not None:
        accruals = accruals.filter(program=program)
    if partner is not None:
        accruals = accruals.filter(partner=partner)
    if fund is not None:
        accruals = accruals.none()
    programs: dict = {}
    spif_totals = RoiRow(None, "spif")
    for a in accruals.values("program_id", "partner_id", "amount", "currency", "deal_id",
                             won=F("deal__won_base_amount")):
        amount = to_base(a["amount"], a["currency"])
        deal = {"deal_id": a["deal_id"], "status": "won", "won": a["won"], "pipeline": None}
        program_row = programs.setdefault(a["program_id"], RoiRow(a["program_id"], ""))
        partner_row = partners.setdefault(a["partner_id"], RoiRow(a["partner_id"], ""))
        for row in (program_row, spif_totals):
            if amount is None:
                row.unconverted = True
            else:
                row.spif_spent += amount
                row.spent += amount
            _add_deal(row, deal)
        if amount is None:
            partner_row.unconverted = True
        else:
            partner_row.spif_spent += amount
            partner_row.spent += amount
        # A partner's won revenue counts MDF-attributed and SPIF deals once each.
        _add_deal(partner_row, deal)
        every_deal[a["deal_id"]] = deal

    # --- Labels (3 queries) --------------------------------------------------------------------
    for model, rows in ((MdfFund, funds), (SpifProgram, programs)):
        for pk, name in model.objects.filter(tenant=tenant, pk__in=list(rows)).values_list("pk", "name"):
            rows[pk].label = name
    for pk, name in Partner.objects.filter(tenant=tenant, pk__in=list(partners)).values_list("pk", "name"):
        partners[pk].label = name

    def ordered(rows: dict) -> list[dict]:
        return [r.as_dict() for r in sorted(rows.values(), key=lambda r: (-r.spent, r.label))]

    overall = RoiRow(None, "total", spent=totals.spent + spif_totals.spent, mdf_spent=totals.mdf_spent,
                     spif_spent=spif_totals.spent, requests=totals.requests, leads_expected=totals.leads_expected,
                     leads=totals.leads, unconverted=totals.unconverted or spif_totals.unconverted)
    for deal in every_deal.values():  # a deal both attributed to MDF and behind a SPIF counts once
        _add_deal(overall, deal)
    return {"currency": base, "funds": ordered(funds), "programs": ordered(programs), "partners": ordered(partners),
            "totals": overall.as_dict(), "mdf": totals.as_dict(), "spif": spif_totals.as_dict(),
            "period": {"start": start, "end": end}}

