"""SPIF writes: program set-up (budget in the ledger), idempotent accruals, reversals, payout batches."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.models import DealProduct, DealRegistration
from incentives.models import (
    Account,
    JournalEntry,
    PayoutBatch,
    SpifAccrual,
    SpifBand,
    SpifProgram,
    SpifProgramPartnerType,
    SpifProgramProduct,
    SpifProgramTier,
)
from incentives.money import ZERO, clean_amount, percent_of, quantize
from incentives.money import format_money as money_label
from incentives.services import ledger
from incentives.services._common import check_same_tenant, notify_partner, url, url_builder
from partners.selectors import can_register_deals
from prm.audit.services import audit_log

WON = DealRegistration.Status.WON
# Deals still in play: their expected value is what the partner "would earn" (statement forecast).
OPEN_DEAL_STATUSES = ("submitted", "info_requested", "approved")


# --- Rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramSpec:
    """A program with its eligibility sets and bands loaded, so evaluating many deals costs no queries."""

    program: SpifProgram
    tier_ids: frozenset
    type_ids: frozenset
    product_ids: frozenset
    bands: tuple[SpifBand, ...]

    def refusal(self, *, tier_id, type_id, product_ids: Iterable, on: date | None) -> str | None:
        """Why a deal does not qualify (None: it does)."""
        program = self.program
        if on is None or not program.is_open_on(on):
            return _("closed outside the program period")
        if self.tier_ids and tier_id not in self.tier_ids:
            return _("partner tier not eligible")
        if self.type_ids and type_id not in self.type_ids:
            return _("partner type not eligible")
        if self.product_ids and not (self.product_ids & set(product_ids)):
            return _("no eligible product")
        return None

    def amount_for(self, value: Decimal | None) -> Decimal | None:
        """What the rule pays for a deal worth `value` (base currency); None when the value is unknown."""
        return calculate(self.program, self.bands, value)


def calculate(program: SpifProgram, bands: Iterable[SpifBand], value: Decimal | None) -> Decimal | None:
    currency = program.currency
    if program.rule == SpifProgram.Rule.FLAT:
        return quantize(program.flat_amount or ZERO, currency)
    if value is None:
        return None
    if program.rule == SpifProgram.Rule.PERCENT:
        return percent_of(value, program.percent or ZERO, currency)
    reached = [b for b in bands if b.min_amount <= value]
    if not reached:
        return quantize(ZERO, currency)
    band = max(reached, key=lambda b: b.min_amount)
    return quantize(band.amount, currency) + percent_of(value, band.percent, currency)


def program_specs(programs: Iterable[SpifProgram]) -> dict:
    """{program id: ProgramSpec} with four queries, however many programs."""
    programs = list(programs)
    ids = [p.pk for p in programs]
    sets: dict = {name: defaultdict(set) for name in ("tier", "type", "product")}
    for pid, tid in SpifProgramTier.objects.filter(program_id__in=ids).values_list("program_id", "tier_id"):
        sets["tier"][pid].add(tid)
    for pid, tid in SpifProgramPartnerType.objects.filter(program_id__in=ids).values_list("program_id", "partner_type_id"):
        sets["type"][pid].add(tid)
    for pid, tid in SpifProgramProduct.objects.filter(program_id__in=ids).values_list("program_id", "product_id"):
        sets["product"][pid].add(tid)
    bands = defaultdict(list)
    for band in SpifBand.objects.filter(program_id__in=ids).order_by("min_amount"):
        bands[band.program_id].append(band)
    return {p.pk: ProgramSpec(p, frozenset(sets["tier"][p.pk]), frozenset(sets["type"][p.pk]),
                              frozenset(sets["product"][p.pk]), tuple(bands[p.pk])) for p in programs}


# --- Program set-up -----------------------------------------------------------------------------


def program_save(*, tenant, program: SpifProgram, actor, tiers=None, partner_types=None, products=None,
                 bands: list[tuple] | None = None, request=None) -> SpifProgram:
    """Create or change a program; a budget change is posted to the ledger under the program's lock.

    The budget can shrink only down to what is already committed (accrued, approved, paid).
    `bands` is a list of (min_amount, amount, percent); None leaves existing bands alone.
    """
    creating = program._state.adding
    if creating:
        program.tenant = tenant
        program.currency = tenant.base_currency
        program.created_by = actor if getattr(actor, "is_authenticated", False) else None
    check_same_tenant(tenant, *(tiers or []), *(partner_types or []), *(products or []))
    program.budget = clean_amount(program.budget, program.currency, field="budget")
    program.full_clean(exclude=["tenant"], validate_unique=False)
    if SpifProgram.objects.filter(tenant=tenant, name=program.name).exclude(pk=program.pk).exists():
        raise ValidationError({"name": _("A program with this name already exists.")})
    if program.rule == SpifProgram.Rule.BANDS and bands is not None and not bands:
        raise ValidationError({"rule": _("Add at least one band.")})
    if bands:
        minimums = [Decimal(b[0]) for b in bands]
        if len(set(minimums)) != len(minimums):
            raise ValidationError({"rule": _("Two bands start at the same deal size.")})
    with transaction.atomic():
        if creating:
            delta = program.budget
            program.save(force_insert=True)
        else:
            SpifProgram.objects.select_for_update().get(pk=program.pk)
            available = ledger.balance(Account.SPIF_AVAILABLE, program=program)
            authorised = -ledger.balance(Account.SPIF_BUDGET, program=program)
            delta = program.budget - authorised
            if delta < 0 and -delta > available:
                raise ValidationError({"budget": _("The budget cannot be lower than what is already committed "
                                                   "(%(committed)s).") % {
                    "committed": money_label(authorised - available, program.currency)}})
            program.save()
        if delta:
            legs = (ledger.move(delta, program.currency, debit=Account.SPIF_AVAILABLE, credit=Account.SPIF_BUDGET,
                                program=program) if delta > 0 else
                    ledger.move(-delta, program.currency, debit=Account.SPIF_BUDGET, credit=Account.SPIF_AVAILABLE,
                                program=program))
            ledger.post(tenant=tenant, kind=JournalEntry.Kind.BUDGET, legs=legs, actor=actor, obj=program,
                        memo=_("Budget of %(program)s") % {"program": program.name})
        through = {"tenant": tenant}
        if tiers is not None:
            program.tiers.set(tiers, through_defaults=through)
        if partner_types is not None:
            program.partner_types.set(partner_types, through_defaults=through)
        if products is not None:
            program.products.set(products, through_defaults=through)
        if bands is not None:
            SpifBand.objects.filter(program=program).delete()
            SpifBand.objects.bulk_create([
                SpifBand(tenant=tenant, program=program, min_amount=quantize(Decimal(m), program.currency),
                         amount=quantize(Decimal(a or 0), program.currency), percent=Decimal(p or 0))
                for m, a, p in bands
            ])
        audit_log(tenant=tenant, actor=actor, action="spif.program_create" if creating else "spif.program_change",
                  obj=program, request=request, changes={"budget": str(program.budget), "rule": program.rule})
    return program


# --- Accruals -------------------------------------------------------------------------------------


def _deal_product_ids(deal: DealRegistration) -> set:
    return set(DealProduct.objects.filter(deal=deal).values_list("product_id", flat=True))


def spif_accrue(*, tenant, program: SpifProgram, deal: DealRegistration, spec: ProgramSpec | None = None,
                actor=None) -> SpifAccrual | None:
    """Accrue what `deal` earns in `program`, once. Safe to call any number of times.

    The program row lock serialises accruals of one program, so the budget and the partner cap
    are read and consumed atomically; the unique (tenant, program, deal) constraint is the
    backstop. Returns the accrual (existing or new), or None when the deal does not qualify yet.
    """
    check_same_tenant(tenant, program, deal)
    with transaction.atomic():
        program = SpifProgram.objects.select_for_update().get(pk=program.pk)
        deal = DealRegistration.objects.select_related("partner", "partner__tier").get(pk=deal.pk)
        if deal.status != WON:
            return None
        existing = SpifAccrual.objects.select_for_update().filter(tenant=tenant, program=program, deal=deal).first()
        if existing is not None and existing.status != SpifAccrual.Status.REVERSED:
            return existing  # idempotent: won twice, re-saved, or the nightly job ran again
        spec = spec if spec is not None and spec.program.pk == program.pk else program_specs([program])[program.pk]
        spec = ProgramSpec(program, spec.tier_ids, spec.type_ids, spec.product_ids, spec.bands)
        partner = deal.partner
        if spec.refusal(tier_id=partner.tier_id, type_id=partner.partner_type_id, product_ids=_deal_product_ids(deal),
                        on=deal.closed_on):
            return None
        if not can_register_deals(partner)[0]:
            return None  # gated partners earn once the gate opens again (the nightly job retries)
        value = deal.won_base_amount
        calculated = spec.amount_for(value)
        if calculated is None:
            return None  # no base-currency value yet (no exchange rate): the nightly job retries
        amount, note = _limit(program, partner, calculated)
        now = timezone.now()
        status = SpifAccrual.Status.ACCRUED if amount > 0 else SpifAccrual.Status.CAPPED
        if existing is None:
            try:
                with transaction.atomic():
                    accrual = SpifAccrual.objects.create(
                        tenant=tenant, program=program, deal=deal, partner=partner, currency=program.currency,
                        deal_value=value, calculated_amount=calculated, amount=amount, status=status, note=note,
                        accrued_at=now)
            except IntegrityError:
                return SpifAccrual.objects.get(tenant=tenant, program=program, deal=deal)
        else:  # won again after a reversal: the same row comes back
            accrual = existing
            accrual.partner, accrual.deal_value, accrual.calculated_amount = partner, value, calculated
            accrual.amount, accrual.status, accrual.note, accrual.accrued_at = amount, status, note, now
            accrual.batch, accrual.approved_at, accrual.approved_by, accrual.paid_at = None, None, None, None
            accrual.save()
        if amount > 0:
            ledger.post(tenant=tenant, kind=JournalEntry.Kind.ACCRUE, actor=actor, obj=accrual,
                        legs=ledger.move(amount, program.currency, debit=Account.SPIF_ACCRUED,
                                         credit=Account.SPIF_AVAILABLE, program=program, partner=partner,
                                         accrual=accrual),
                        memo=_("%(program)s: %(customer)s") % {"program": program.name, "customer": deal.customer_name})
        audit_log(tenant=tenant, actor=actor, action="spif.accrue", obj=accrual,
                  changes={"deal": str(deal.pk), "amount": str(amount), "calculated": str(calculated), "note": note})
        if amount > 0:
            notify_partner(tenant, partner, _("You earned %(amount)s in %(program)s") % {
                "amount": money_label(amount, program.currency), "program": program.name},
                _("For the won deal with %(customer)s. It is paid once a channel manager approves it.") % {
                    "customer": deal.customer_name}, url(tenant, "incentives:home"))
    return accrual


def _limit(program: SpifProgram, partner, calculated: Decimal) -> tuple[Decimal, str]:
    """Apply the remaining program budget and the partner's remaining cap (caller holds the program lock)."""
    amount, notes = calculated, []
    available = ledger.balance(Account.SPIF_AVAILABLE, program=program)
    if program.cap_per_partner is not None:
        held = ledger.balances(program=program, partner=partner)
        earned = held[Account.SPIF_ACCRUED] + held[Account.SPIF_APPROVED] + held[Account.SPIF_PAID]
        room = max(program.cap_per_partner - earned, ZERO)
        if amount > room:
            amount = room
            notes.append(_("limited by the cap per partner"))
    if amount > available:
        amount = max(available, ZERO)
        notes.append(_("limited by the program budget"))
    return quantize(amount, program.currency), "; ".join(str(n) for n in notes)


def spif_deal_changed(*, tenant, deal: DealRegistration, actor=None) -> list[SpifAccrual]:
    """React to a deal's status: a won deal accrues in every eligible program; a deal that is no
    longer won has its accruals reversed. Idempotent, so events and the nightly job may both call it."""
    deal = DealRegistration.objects.select_related("partner").get(pk=deal.pk)
    if deal.status == WON:
        on = deal.closed_on or timezone.localdate()
        programs = list(SpifProgram.objects.filter(tenant=tenant, is_active=True, start_date__lte=on, end_date__gte=on))
        specs = program_specs(programs)
        results = [spif_accrue(tenant=tenant, program=p, deal=deal, spec=specs[p.pk], actor=actor) for p in programs]
        return [a for a in results if a is not None]
    reversed_ = []
    for accrual in SpifAccrual.objects.filter(tenant=tenant, deal=deal).exclude(
            status__in=[SpifAccrual.Status.REVERSED, SpifAccrual.Status.REJECTED]):
        reversed_.append(spif_reverse(tenant=tenant, accrual=accrual, actor=actor, reason=_(
            "The deal is no longer won (now %(status)s).") % {"status": deal.get_status_display().lower()}))
    return reversed_


def spif_reverse(*, tenant, accrual: SpifAccrual, reason: str, actor=None, reject: bool = False,
                 request=None) -> SpifAccrual:
    """Undo an accrual with a reversing ledger entry. Pending and approved amounts return to the
    budget; a paid amount becomes money to recover from the partner. `reject`: a manager's decision."""
    reason = (reason or "").strip()
    if reject and not reason:
        raise ValidationError({"reason": _("Tell the partner why the accrual is rejected.")})
    check_same_tenant(tenant, accrual)
    S = SpifAccrual.Status
    with transaction.atomic():
        program = SpifProgram.objects.select_for_update().get(pk=accrual.program_id)
        accrual = SpifAccrual.objects.select_for_update(of=("self",)).select_related("deal", "partner").get(pk=accrual.pk)
        if accrual.status in (S.REVERSED, S.REJECTED):
            if reject:
                raise ValidationError(_("This accrual was already reversed."))
            return accrual
        if reject and accrual.status not in (S.ACCRUED, S.CAPPED):
            raise ValidationError(_("Only accruals that are still pending approval can be rejected."))
        source = {S.ACCRUED: Account.SPIF_ACCRUED, S.APPROVED: Account.SPIF_APPROVED, S.PAID: Account.SPIF_PAID}.get(
            accrual.status)
        if source is not None and accrual.amount > 0:
            target = Account.SPIF_CLAWBACK if accrual.status == S.PAID else Account.SPIF_AVAILABLE
            ledger.post(tenant=tenant, kind=JournalEntry.Kind.REVERSE, actor=actor, obj=accrual,
                        legs=ledger.move(accrual.amount, accrual.currency, debit=target, credit=source,
                                         program=program, partner=accrual.partner, accrual=accrual),
                        memo=_("Reversal: %(program)s, %(customer)s") % {
                            "program": program.name, "customer": accrual.deal.customer_name})
        previous = accrual.status
        accrual.status = S.REJECTED if reject else S.REVERSED
        accrual.reversed_at = timezone.now()
        accrual.reversal_reason = reason[:300]
        accrual.save(update_fields=["status", "reversed_at", "reversal_reason"])
        audit_log(tenant=tenant, actor=actor, action="spif.reject" if reject else "spif.reverse", obj=accrual,
                  request=request, changes={"from": previous, "amount": str(accrual.amount), "reason": reason})
        if accrual.amount > 0:
            title = (_("SPIF accrual rejected: %(customer)s") if reject else _("SPIF accrual reversed: %(customer)s")) % {
                "customer": accrual.deal.customer_name}
            if previous == S.PAID:
                reason = f"{reason}\n" + _("The %(amount)s already paid will be recovered.") % {
                    "amount": money_label(accrual.amount, accrual.currency)}
            notify_partner(tenant, accrual.partner, title, reason, url(tenant, "incentives:home", request=request))
    return accrual


# --- Payout batches -------------------------------------------------------------------------------


def payout_batch_create(*, tenant, accrual_ids: Iterable, actor, note: str = "", request=None) -> PayoutBatch:
    """Approve pending accruals into one payout batch (one journal entry for the whole batch)."""
    ids = sorted({str(i) for i in accrual_ids})
    if not ids:
        raise ValidationError(_("Choose at least one accrual to approve."))
    with transaction.atomic():
        accruals = list(SpifAccrual.objects.select_for_update(of=("self",)).filter(tenant=tenant, pk__in=ids)
                        .select_related("program", "deal", "partner").order_by("pk"))
        stale = [a for a in accruals if a.status != SpifAccrual.Status.ACCRUED]
        if len(accruals) != len(ids) or stale:
            raise ValidationError(_("Some of the chosen accruals are no longer pending approval "
                                    "(approved or reversed meanwhile). Reload the page and choose again."))
        currencies = {a.currency for a in accruals}
        if len(currencies) > 1:
            raise ValidationError(_("A payout batch is paid in one currency; choose accruals of one currency."))
        now = timezone.now()
        batch = PayoutBatch.objects.create(
            tenant=tenant, reference=f"SPIF-{timezone.localdate(now):%Y%m%d}-{uuid.uuid4().hex[:6].upper()}",
            currency=currencies.pop(), note=(note or "").strip()[:300], created_by=actor, created_at=now)
        legs = []
        for a in accruals:
            legs += ledger.move(a.amount, a.currency, debit=Account.SPIF_APPROVED, credit=Account.SPIF_ACCRUED,
                                program=a.program_id, partner=a.partner_id, accrual=a)
            a.status, a.batch, a.approved_at, a.approved_by = SpifAccrual.Status.APPROVED, batch, now, actor
        SpifAccrual.objects.bulk_update(accruals, ["status", "batch", "approved_at", "approved_by"])
        ledger.post(tenant=tenant, kind=JournalEntry.Kind.APPROVE, legs=legs, actor=actor, obj=batch,
                    memo=_("Payout batch %(ref)s approved") % {"ref": batch.reference})
        total = sum((a.amount for a in accruals), ZERO)
        audit_log(tenant=tenant, actor=actor, action="spif.batch_approve", obj=batch, request=request,
                  changes={"accruals": len(accruals), "total": str(total), "currency": batch.currency})
        _notify_batch(tenant, accruals, batch, paid=False, request=request)
    return batch


def payout_batch_mark_paid(*, tenant, batch: PayoutBatch, actor, payment_reference: str = "",
                           request=None) -> PayoutBatch:
    check_same_tenant(tenant, batch)
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PayoutBatch.Status.APPROVED:
            raise ValidationError(_("This batch was already marked paid."))
        accruals = list(SpifAccrual.objects.select_for_update(of=("self",))
                        .filter(batch=batch, status=SpifAccrual.Status.APPROVED)
                        .select_related("partner", "deal", "program").order_by("pk"))
        now = timezone.now()
        legs = []
        for a in accruals:
            legs += ledger.move(a.amount, a.currency, debit=Account.SPIF_PAID, credit=Account.SPIF_APPROVED,
                                program=a.program_id, partner=a.partner_id, accrual=a)
            a.status, a.paid_at = SpifAccrual.Status.PAID, now
        SpifAccrual.objects.bulk_update(accruals, ["status", "paid_at"])
        if legs:  # every accrual of the batch may have been reversed meanwhile
            ledger.post(tenant=tenant, kind=JournalEntry.Kind.PAY, legs=legs, actor=actor, obj=batch,
                        memo=_("Payout batch %(ref)s paid") % {"ref": batch.reference})
        batch.status, batch.paid_at, batch.paid_by = PayoutBatch.Status.PAID, now, actor
        batch.payment_reference = (payment_reference or "").strip()[:100]
        batch.save(update_fields=["status", "paid_at", "paid_by", "payment_reference"])
        audit_log(tenant=tenant, actor=actor, action="spif.batch_paid", obj=batch, request=request,
                  changes={"accruals": len(accruals), "payment_reference": batch.payment_reference})
        _notify_batch(tenant, accruals, batch, paid=True, request=request)
    return batch


def _notify_batch(tenant, accruals: list[SpifAccrual], batch: PayoutBatch, *, paid: bool, request=None) -> None:
    """One notification per partner organisation with its total, not one per accrual."""
    per_partner: dict = defaultdict(list)
    for a in accruals:
        per_partner[a.partner_id].append(a)
    link = url_builder(tenant, request)("incentives:home")
    for items in per_partner.values():
        total = money_label(sum((a.amount for a in items), ZERO), batch.currency)
        title = (_("SPIF payout sent: %(total)s") if paid else _("SPIF earnings approved: %(total)s")) % {"total": total}
        body = "\n".join(f"- {a.program.name}: {a.deal.customer_name} ({money_label(a.amount, a.currency)})"
                         for a in items)
        notify_partner(tenant, items[0].partner, title, body, link)


# --- Nightly re-evaluation -----------------------------------------------------------------------


def spif_reevaluate(*, tenant, today: date | None = None) -> dict:
    """Catch up with every won deal and every deal that stopped being won.

    Candidates are found set-based (deals of each active program's period, eligible by tier, type
    and product, without an accrual) so a re-run over unchanged data writes nothing at all.
    """
    accrued = reversed_count = 0
    stale = (SpifAccrual.objects.filter(tenant=tenant)
             .exclude(status__in=[SpifAccrual.Status.REVERSED, SpifAccrual.Status.REJECTED])
             .exclude(deal__status=WON).order_by("pk"))
    for accrual in stale:
        spif_reverse(tenant=tenant, accrual=accrual, reason=_("The deal is no longer won."))
        reversed_count += 1
    programs = list(SpifProgram.objects.filter(tenant=tenant, is_active=True))
    specs = program_specs(programs)
    for program in programs:
        spec = specs[program.pk]
        has_accrual = SpifAccrual.objects.filter(program=program, deal=OuterRef("pk")).exclude(
            status=SpifAccrual.Status.REVERSED)
        candidates = DealRegistration.objects.filter(
            tenant=tenant, status=WON, closed_on__gte=program.start_date, closed_on__lte=program.end_date,
        ).exclude(Exists(has_accrual))
        if spec.tier_ids:
            candidates = candidates.filter(partner__tier_id__in=spec.tier_ids)
        if spec.type_ids:
            candidates = candidates.filter(partner__partner_type_id__in=spec.type_ids)
        if spec.product_ids:
            candidates = candidates.filter(Exists(DealProduct.objects.filter(
                deal=OuterRef("pk"), product_id__in=spec.product_ids)))
        if program.rule != SpifProgram.Rule.FLAT:
            candidates = candidates.filter(won_base_amount__isnull=False)
        for deal in candidates.order_by("closed_on", "pk"):
            if spif_accrue(tenant=tenant, program=program, deal=deal, spec=spec) is not None:
                accrued += 1
    return {"accrued": accrued, "reversed": reversed_count}


# --- Event handlers (registered in IncentivesConfig.ready) -----------------------------------------


def handle_deal_event(event) -> None:
    """deal_won / deal_lost (and any other deal status event): re-evaluate that deal's accruals."""
    if event.object_type != DealRegistration._meta.label_lower or not event.object_id:
        return
    deal = DealRegistration.objects.filter(tenant_id=event.tenant_id, pk=event.object_id).first()
    if deal is not None:
        spif_deal_changed(tenant=deal.tenant, deal=deal)
