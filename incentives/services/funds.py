"""MDF funds and allocations: budgets and shares of them, posted to the ledger under row locks.

Invariant: the sum of a fund's allocations never exceeds its budget ("fund unallocated" ≥ 0), and
an allocation never drops below what is reserved, payable or paid on it ("allocation available" ≥ 0).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import Account, JournalEntry, MdfAllocation, MdfFund, MdfTierRule
from incentives.money import RATE_PLACES, ZERO, clean_amount, convert, format_money
from incentives.services import ledger
from incentives.services._common import (
    allocation_available,
    check_same_tenant,
    cross_rate,
    fund_unallocated,
    lock_allocation,
    lock_fund,
    notify_partner,
    url,
)
from partners.models import Partner
from prm.audit.services import audit_log

# --- Funds --------------------------------------------------------------------------------------------


def fund_save(*, tenant, fund: MdfFund, actor, request=None) -> MdfFund:
    """Create or change a fund; budget changes are posted. The budget cannot drop below what is allocated."""
    creating = fund._state.adding
    fund.tenant = tenant
    if creating:
        fund.created_by = actor if getattr(actor, "is_authenticated", False) else None
    fund.currency = (fund.currency or "").upper()
    if fund.currency not in tenant.currencies:
        raise ValidationError({"currency": _("Choose one of the portal's currencies: %(list)s.") % {
            "list": ", ".join(tenant.currencies)}})
    fund.budget = clean_amount(fund.budget, fund.currency, field="budget")
    fund.full_clean(exclude=["tenant"], validate_unique=False)
    if MdfFund.objects.filter(tenant=tenant, name=fund.name).exclude(pk=fund.pk).exists():
        raise ValidationError({"name": _("A fund with this name already exists.")})
    with transaction.atomic():
        if creating:
            fund.save(force_insert=True)
            delta = fund.budget
        else:
            old = lock_fund(fund.pk)
            authorised = -ledger.balance(Account.MDF_BUDGET, fund=fund)
            if old.currency != fund.currency and authorised:
                raise ValidationError({"currency": _("The currency of a fund cannot change once it has a budget.")})
            unallocated = fund_unallocated(fund)
            delta = fund.budget - authorised
            if delta < 0 and -delta > unallocated:
                raise ValidationError({"budget": _("The budget cannot be lower than what is already allocated "
                                                   "(%(allocated)s).") % {
                    "allocated": format_money(authorised - unallocated, fund.currency)}})
            fund.save()
        if delta:
            debit, credit = ((Account.MDF_UNALLOCATED, Account.MDF_BUDGET) if delta > 0
                             else (Account.MDF_BUDGET, Account.MDF_UNALLOCATED))
            ledger.post(tenant=tenant, kind=JournalEntry.Kind.BUDGET, actor=actor, obj=fund,
                        legs=ledger.move(abs(delta), fund.currency, debit=debit, credit=credit, fund=fund),
                        memo=_("Budget of %(fund)s") % {"fund": fund.name})
        audit_log(tenant=tenant, actor=actor, action="mdf.fund_create" if creating else "mdf.fund_change", obj=fund,
                  request=request, changes={"budget": str(fund.budget), "currency": fund.currency,
                                            "coop_rate": str(fund.coop_rate)})
    return fund


# --- Allocations ----------------------------------------------------------------------------------


def _clean_rate(tenant, fund: MdfFund, currency: str, rate) -> Decimal:
    if currency == fund.currency:
        return Decimal(1)
    if rate not in (None, ""):
        try:
            rate = Decimal(str(rate))
        except InvalidOperation:
            raise ValidationError({"rate": _("Enter a number.")}) from None
        if not rate.is_finite() or rate <= 0:
            raise ValidationError({"rate": _("Enter an exchange rate greater than zero.")})
        return rate.quantize(Decimal(1).scaleb(-RATE_PLACES))
    found = cross_rate(tenant, currency, fund.currency)
    if found is None:
        raise ValidationError({"rate": _("There is no exchange rate from %(from)s to %(to)s yet: enter one here, "
                                         "or add the rates in the back office.") % {
            "from": currency, "to": fund.currency}})
    return found


def _allocation_legs(allocation: MdfAllocation, amount: Decimal, fund_amount: Decimal) -> list:
    """Signed amounts: positive grants money, negative takes it back (each currency balances on its own)."""
    dims = {"fund": allocation.fund_id, "allocation": allocation.pk, "partner": allocation.partner_id}
    legs = []
    if fund_amount:
        legs += ledger.move(abs(fund_amount), allocation.fund.currency,
                            debit=Account.MDF_ALLOCATED if fund_amount > 0 else Account.MDF_UNALLOCATED,
                            credit=Account.MDF_UNALLOCATED if fund_amount > 0 else Account.MDF_ALLOCATED, **dims)
    if amount:
        legs += ledger.move(abs(amount), allocation.currency,
                            debit=Account.MDF_AVAILABLE if amount > 0 else Account.MDF_GRANTED,
                            credit=Account.MDF_GRANTED if amount > 0 else Account.MDF_AVAILABLE, **dims)
    return legs


def allocation_create(*, tenant, fund: MdfFund, partner: Partner, amount, actor, currency: str | None = None,
                      rate=None, note: str = "", request=None) -> MdfAllocation:
    """Give a partner a share of a fund (in the fund's currency or another; the rate is fixed now)."""
    check_same_tenant(tenant, fund, partner)
    currency = (currency or fund.currency).upper()
    if currency not in tenant.currencies and currency != fund.currency:
        raise ValidationError({"currency": _("Choose one of the portal's currencies.")})
    amount = clean_amount(amount, currency)
    if partner.tier_id is None or not partner.tier.mdf_eligible:
        raise ValidationError({"partner": _("%(partner)s's tier is not eligible for MDF.") % {"partner": partner.name}})
    rate = _clean_rate(tenant, fund, currency, rate)
    fund_amount = convert(amount, rate, fund.currency)
    if fund_amount <= 0:
        raise ValidationError({"amount": _("That amount is too small.")})
    with transaction.atomic():
        fund = lock_fund(fund.pk)
        if MdfAllocation.objects.filter(tenant=tenant, fund=fund, partner=partner).exists():
            raise ValidationError({"partner": _("%(partner)s already has an allocation in this fund; adjust it "
                                                "instead.") % {"partner": partner.name}})
        unallocated = fund_unallocated(fund)
        if fund_amount > unallocated:
            raise ValidationError({"amount": _("Only %(left)s of this fund is unallocated (this allocation needs "
                                               "%(need)s).") % {"left": format_money(unallocated, fund.currency),
                                                                "need": format_money(fund_amount, fund.currency)}})
        allocation = MdfAllocation.objects.create(
            tenant=tenant, fund=fund, partner=partner, currency=currency, amount=amount, rate=rate,
            fund_amount=fund_amount, note=(note or "").strip()[:300], created_by=actor,
            source=MdfAllocation.Source.MANUAL)
        ledger.post(tenant=tenant, kind=JournalEntry.Kind.ALLOCATE, actor=actor, obj=allocation,
                    legs=_allocation_legs(allocation, amount, fund_amount),
                    memo=_("%(fund)s: allocation to %(partner)s") % {"fund": fund.name, "partner": partner.name})
        audit_log(tenant=tenant, actor=actor, action="mdf.allocate", obj=allocation, request=request,
                  changes={"amount": str(amount), "currency": currency, "rate": str(rate),
                           "fund_amount": str(fund_amount)})
        notify_partner(tenant, partner, _("MDF available: %(amount)s in %(fund)s") % {
            "amount": format_money(amount, currency), "fund": fund.name},
            _("Request funding for your marketing activities from the Incentives page."),
            url(tenant, "incentives:mdf", request=request))
    return allocation


def allocation_adjust(*, tenant, allocation: MdfAllocation, amount, actor, request=None) -> MdfAllocation:
    """Raise or lower an allocation. Lowering stops at what is already reserved, payable or paid."""
    check_same_tenant(tenant, allocation)
    amount = clean_amount(amount, allocation.currency)
    with transaction.atomic():
        fund = lock_fund(allocation.fund_id)
        allocation = lock_allocation(allocation.pk)
        delta = amount - allocation.amount
        if not delta:
            return allocation
        new_fund_amount = convert(amount, allocation.rate, fund.currency)
        fund_delta = new_fund_amount - allocation.fund_amount
        if delta < 0:
            available = allocation_available(allocation)
            if -delta > available:
                committed = allocation.amount - available
                raise ValidationError({"amount": _("%(committed)s of this allocation is already reserved or spent; "
                                                   "it cannot go below that.") % {
                    "committed": format_money(committed, allocation.currency)}})
        if fund_delta > 0:
            unallocated = fund_unallocated(fund)
            if fund_delta > unallocated:
                raise ValidationError({"amount": _("Only %(left)s of this fund is unallocated.") % {
                    "left": format_money(unallocated, fund.currency)}})
        old = allocation.amount
        allocation.amount, allocation.fund_amount = amount, new_fund_amount
        allocation.save(update_fields=["amount", "fund_amount"])
        ledger.post(tenant=tenant, kind=JournalEntry.Kind.ALLOCATE, actor=actor, obj=allocation,
                    legs=_allocation_legs(allocation, delta, fund_delta),
                    memo=_("%(fund)s: allocation of %(partner)s adjusted") % {
                        "fund": fund.name, "partner": allocation.partner.name})
        audit_log(tenant=tenant, actor=actor, action="mdf.allocation_adjust", obj=allocation, request=request,
                  changes={"amount": {"from": str(old), "to": str(amount)}})
        notify_partner(tenant, allocation.partner, _("Your MDF allocation in %(fund)s is now %(amount)s") % {
            "fund": fund.name, "amount": format_money(amount, allocation.currency)}, "",
            url(tenant, "incentives:mdf", request=request))
    return allocation


def allocations_generate(*, tenant, fund: MdfFund, actor, request=None) -> list[MdfAllocation]:
    """Allocate to every active, MDF-eligible partner of a tier with a rule and no allocation yet:
    all or nothing, one journal entry, set-based."""
    check_same_tenant(tenant, fund)
    with transaction.atomic():
        fund = lock_fund(fund.pk)
        rules = {r.tier_id: r.amount for r in MdfTierRule.objects.filter(tenant=tenant, fund=fund)}
        if not rules:
            raise ValidationError(_("Add an allocation rule for at least one tier first."))
        taken = MdfAllocation.objects.filter(tenant=tenant, fund=fund).values("partner_id")
        partners = list(Partner.objects.filter(
            tenant=tenant, status=Partner.Status.ACTIVE, tier_id__in=list(rules), tier__mdf_eligible=True,
        ).exclude(pk__in=taken).order_by("name"))
        if not partners:
            raise ValidationError(_("Every active partner in an MDF-eligible tier with a rule already has an "
                                    "allocation in this fund."))
        total = sum((rules[p.tier_id] for p in partners), ZERO)
        unallocated = fund_unallocated(fund)
        if total > unallocated:
            raise ValidationError(_("The rules need %(need)s for %(n)d partners, but only %(left)s is unallocated. "
                                    "Raise the budget or lower the rules.") % {
                "need": format_money(total, fund.currency), "n": len(partners),
                "left": format_money(unallocated, fund.currency)})
        now = timezone.now()
        allocations = MdfAllocation.objects.bulk_create([
            MdfAllocation(tenant=tenant, fund=fund, partner=p, currency=fund.currency, amount=rules[p.tier_id],
                          rate=Decimal(1), fund_amount=rules[p.tier_id], source=MdfAllocation.Source.TIER_RULE,
                          created_by=actor, created_at=now)
            for p in partners
        ])
        legs = []
        for a in allocations:
            a.fund = fund
            legs += _allocation_legs(a, a.amount, a.fund_amount)
        ledger.post(tenant=tenant, kind=JournalEntry.Kind.ALLOCATE, legs=legs, actor=actor, obj=fund,
                    memo=_("%(fund)s: %(n)d allocations from the tier rules") % {"fund": fund.name, "n": len(allocations)})
        audit_log(tenant=tenant, actor=actor, action="mdf.allocate_generate", obj=fund, request=request,
                  changes={"allocations": len(allocations), "total": str(total)})
        link = url(tenant, "incentives:mdf", request=request)
        for a, partner in zip(allocations, partners, strict=True):
            notify_partner(tenant, partner, _("MDF available: %(amount)s in %(fund)s") % {
                "amount": format_money(a.amount, a.currency), "fund": fund.name},
                _("Request funding for your marketing activities from the Incentives page."), link)
    return allocations


# --- Requests -------------------------------------------------------------------------------------


def fund_rules_save(*, tenant, fund: MdfFund, amounts: dict, actor, request=None) -> list[MdfTierRule]:
    """Set the per-tier allocation amounts of a fund ({tier: amount or None}); None removes a rule."""
    check_same_tenant(tenant, fund, *amounts)
    errors, cleaned = {}, {}
    for tier, amount in amounts.items():
        if amount in (None, ""):
            continue
        if not tier.mdf_eligible:
            errors[f"tier_{tier.pk}"] = _("%(tier)s is not MDF eligible.") % {"tier": tier.name}
            continue
        try:
            cleaned[tier] = clean_amount(amount, fund.currency, field=f"tier_{tier.pk}")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        MdfTierRule.objects.filter(tenant=tenant, fund=fund).exclude(tier__in=list(cleaned)).delete()
        rules = []
        for tier, amount in cleaned.items():
            rule, _created = MdfTierRule.objects.update_or_create(tenant=tenant, fund=fund, tier=tier,
                                                                  defaults={"amount": amount})
            rules.append(rule)
        audit_log(tenant=tenant, actor=actor, action="mdf.fund_rules", obj=fund, request=request,
                  changes={tier.name: str(amount) for tier, amount in cleaned.items()})
    return rules
