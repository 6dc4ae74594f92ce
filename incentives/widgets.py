"""Home-page widget contexts (registered in IncentivesConfig.ready)."""

from __future__ import annotations

from incentives import selectors
from incentives.models import Account
from incentives.money import ZERO
from incentives.services import ledger


def partner_home(request) -> dict | None:
    membership = request.membership
    if membership is None or membership.partner_id is None:
        return None
    tenant, partner = request.tenant, membership.partner
    held = ledger.grouped_balances(("currency",), tenant=tenant, partner=partner, account__in=[
        Account.SPIF_ACCRUED, Account.SPIF_APPROVED, Account.SPIF_PAID])
    spif = [{"currency": currency, "pending": a.get(Account.SPIF_ACCRUED, ZERO),
             "approved": a.get(Account.SPIF_APPROVED, ZERO), "paid": a.get(Account.SPIF_PAID, ZERO)}
            for (currency,), a in sorted(held.items())]
    allocations = [a for a in selectors.partner_allocations(tenant, partner) if a.fund.is_active]
    if not spif and not allocations:
        return None
    return {"spif": spif, "allocations": allocations}


def staff_home(request) -> dict | None:
    if request.membership is None:
        return None
    counts = selectors.overview_counts(request.viewer)
    return {"counts": counts, "can_manage": request.membership.can_manage}
