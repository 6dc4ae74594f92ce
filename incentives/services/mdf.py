"""MDF requests and claims: pre-approval reserves money, the claim approval pays at most the reserve.

Invariant: reserved + payable + paid ≤ allocation. It is the ledger balance "allocation available"
never going below zero. Every write that consumes it first locks the rows involved, always in the
order fund → allocation → request → claim, and only then reads the balance and posts: no
check-then-write race, and no deadlock between two writers.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import Account, JournalEntry, MdfAllocation, MdfClaim, MdfRequest, ProofFile
from incentives.money import ZERO, clean_amount, format_money, format_percent, percent_of
from incentives.services import ledger
from incentives.services._common import (
    allocation_available,
    check_same_tenant,
    lock_allocation,
    lock_request,
    notify_managers,
    notify_partner,
    require_gate,
    short_date,
    url,
)
from partners.models import Partner
from prm.audit.services import audit_log
from prm.events.services import record_event
from prm.uploads import validate_upload

R = MdfRequest.Status
C = MdfClaim.Status
MAX_PROOF_FILES = 10
PROOF_KINDS = {"pdf", "image", "office", "text"}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed into deal notes


def proof_max_mb() -> int:
    return int(getattr(settings, "PRM_MDF_PROOF_MAX_MB", 10))


# --- Requests -------------------------------------------------------------------------------------


def _new_campaign_code() -> str:
    return "MDF-" + "".join(secrets.choice(CODE_ALPHABET) for _i in range(6))


def validate_request(*, partner: Partner, data: dict, today: date) -> dict:
    """Field checks shared by the form (inline errors) and the service. Returns cleaned values."""
    errors: dict = {}
    allocation = data.get("allocation")
    if allocation is None or allocation.partner_id != partner.pk or allocation.tenant_id != partner.tenant_id:
        errors["allocation"] = _("Choose one of your MDF allocations.")
    elif not allocation.fund.is_active:
        errors["allocation"] = _("This fund is closed for new requests.")
    if data.get("activity_type") not in MdfRequest.ActivityType.values:
        errors["activity_type"] = _("Choose the type of activity.")
    for name, message in (("title", _("Name the activity.")), ("description", _("Describe the activity: audience, "
                                                                                  "channels and goals."))):
        if not (data.get(name) or "").strip():
            errors[name] = message
    start, end = data.get("start_date"), data.get("end_date")
    if start is None:
        errors["start_date"] = _("Enter the start date.")
    elif start < today:
        errors["start_date"] = _("MDF is pre-approved before the activity: the start date cannot be in the past.")
    elif "allocation" not in errors and not (allocation.fund.start_date <= start <= allocation.fund.end_date):
        errors["start_date"] = _("The activity must start within the fund's period (%(start)s – %(end)s).") % {
            "start": short_date(allocation.fund.start_date), "end": short_date(allocation.fund.end_date)}
    if end is None:
        errors["end_date"] = _("Enter the end date.")
    elif start is not None and end < start:
        errors["end_date"] = _("The activity cannot end before it starts.")
    leads = data.get("expected_leads")
    if leads in (None, ""):
        leads = 0
    try:
        leads = int(leads)
        if leads < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["expected_leads"] = _("Enter a whole number of leads (0 or more).")
    amount = None
    try:
        amount = clean_amount(data.get("requested_amount"), getattr(allocation, "currency", ""),
                              field="requested_amount")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {**data, "title": data["title"].strip(), "description": data["description"].strip(),
            "expected_leads": leads, "requested_amount": amount}


def mdf_request_submit(*, tenant, partner: Partner, user, data: dict, nonce, today: date | None = None,
                       request=None) -> tuple[MdfRequest, bool]:
    """A partner asks for MDF. Returns (request, created); a double submission returns the first."""
    check_same_tenant(tenant, partner)
    existing = MdfRequest.objects.filter(tenant=tenant, submission_nonce=nonce, partner=partner).first()
    if existing is not None:
        return existing, False
    require_gate(partner)
    if partner.tier_id is None or not partner.tier.mdf_eligible:
        raise ValidationError(_("Your organisation's tier does not include market development funds."))
    today = today or timezone.localdate()
    data = validate_request(partner=partner, data=data, today=today)
    with transaction.atomic():
        allocation = lock_allocation(data["allocation"].pk)
        available = allocation_available(allocation)
        if data["requested_amount"] > available:
            raise ValidationError({"requested_amount": _("Only %(left)s is left in this allocation.") % {
                "left": format_money(available, allocation.currency)}})
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    mdf_request = MdfRequest.objects.create(
                        tenant=tenant, allocation=allocation, fund=allocation.fund, partner=partner,
                        activity_type=data["activity_type"], title=data["title"][:200],
                        description=data["description"], start_date=data["start_date"], end_date=data["end_date"],
                        currency=allocation.currency, requested_amount=data["requested_amount"],
                        expected_leads=data["expected_leads"], campaign_code=_new_campaign_code(),
                        submitted_by=user, submission_nonce=nonce)
                break
            except IntegrityError:
                first = MdfRequest.objects.filter(tenant=tenant, submission_nonce=nonce).first()
                if first is not None:
                    return first, False
        else:  # pragma: no cover - five campaign-code collisions in a row
            raise ValidationError(_("Please submit again."))
        record_event(tenant=tenant, kind="mdf_requested", partner=partner, user=user, obj=mdf_request, data={
            "amount": str(mdf_request.requested_amount), "currency": mdf_request.currency,
            "activity_type": mdf_request.activity_type, "fund_id": str(allocation.fund_id),
            "expected_leads": mdf_request.expected_leads})
        audit_log(tenant=tenant, actor=user, action="mdf.request", obj=mdf_request, request=request,
                  changes={"amount": str(mdf_request.requested_amount), "currency": mdf_request.currency})
        notify_managers(tenant, partner, _("MDF request from %(partner)s: %(title)s (%(amount)s)") % {
            "partner": partner.name, "title": mdf_request.title,
            "amount": format_money(mdf_request.requested_amount, mdf_request.currency)},
            mdf_request.description[:500], url(tenant, "incentives:mdf_request", mdf_request.pk, request=request))
    return mdf_request, True


def mdf_request_decide(*, tenant, mdf_request: MdfRequest, actor, approve: bool, amount=None, note: str = "",
                       request=None) -> MdfRequest:
    """Pre-approve (reserving the amount, possibly adjusted) or reject a request."""
    check_same_tenant(tenant, mdf_request)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Tell the partner why the request is rejected.")})
    with transaction.atomic():
        allocation = lock_allocation(mdf_request.allocation_id)
        mdf_request = lock_request(mdf_request.pk)
        if mdf_request.status != R.SUBMITTED:
            raise ValidationError(_("This request was already decided (%(status)s).") % {
                "status": mdf_request.get_status_display().lower()})
        if approve:
            amount = clean_amount(mdf_request.requested_amount if amount in (None, "") else amount,
                                  mdf_request.currency)
            available = allocation_available(allocation)
            if amount > available:
                raise ValidationError({"amount": _("Only %(left)s is left in %(partner)s's allocation.") % {
                    "left": format_money(available, allocation.currency), "partner": allocation.partner.name}})
            ledger.post(tenant=tenant, kind=JournalEntry.Kind.RESERVE, actor=actor, obj=mdf_request,
                        legs=ledger.move(amount, mdf_request.currency, debit=Account.MDF_RESERVED,
                                         credit=Account.MDF_AVAILABLE, fund=allocation.fund_id, allocation=allocation,
                                         mdf_request=mdf_request, partner=allocation.partner_id),
                        memo=_("Pre-approved: %(title)s") % {"title": mdf_request.title})
            mdf_request.status, mdf_request.approved_amount = R.APPROVED, amount
            mdf_request.claim_due = mdf_request.end_date + timedelta(days=allocation.fund.claim_deadline_days)
        else:
            mdf_request.status = R.REJECTED
        mdf_request.decided_by, mdf_request.decided_at, mdf_request.decision_note = actor, timezone.now(), note
        mdf_request.save(update_fields=["status", "approved_amount", "claim_due", "decided_by", "decided_at",
                                        "decision_note"])
        audit_log(tenant=tenant, actor=actor, action="mdf.request_approve" if approve else "mdf.request_reject",
                  obj=mdf_request, request=request, changes={
                      "requested": str(mdf_request.requested_amount),
                      "approved": str(mdf_request.approved_amount) if approve else None, "note": note})
        if approve:
            adjusted = mdf_request.approved_amount != mdf_request.requested_amount
            title = (_("MDF pre-approved with an adjusted amount: %(title)s") if adjusted
                     else _("MDF pre-approved: %(title)s")) % {"title": mdf_request.title}
            body = _("%(amount)s is reserved for you. Claim it with proof of performance by %(due)s.") % {
                "amount": format_money(mdf_request.approved_amount, mdf_request.currency),
                "due": short_date(mdf_request.claim_due)}
            body = f"{body}\n{note}" if note else body
        else:
            title = _("MDF request rejected: %(title)s") % {"title": mdf_request.title}
            body = note
        notify_partner(tenant, mdf_request.partner, title, body,
                       url(tenant, "incentives:mdf_request", mdf_request.pk, request=request), also=mdf_request.submitted_by)
    return mdf_request


def mdf_request_cancel(*, tenant, mdf_request: MdfRequest, actor, request=None) -> MdfRequest:
    """The partner withdraws a request; a pre-approved one releases its reservation."""
    check_same_tenant(tenant, mdf_request)
    with transaction.atomic():
        allocation = lock_allocation(mdf_request.allocation_id)
        mdf_request = lock_request(mdf_request.pk)
        if mdf_request.status not in (R.SUBMITTED, R.APPROVED):
            raise ValidationError(_("Only requests awaiting a decision or pre-approved (and not yet claimed) can "
                                    "be withdrawn."))
        was_approved = mdf_request.status == R.APPROVED
        if was_approved:
            _release(tenant, allocation, mdf_request, actor, _("Withdrawn: %(title)s") % {"title": mdf_request.title})
        mdf_request.status = R.CANCELLED
        mdf_request.save(update_fields=["status"])
        audit_log(tenant=tenant, actor=actor, action="mdf.request_cancel", obj=mdf_request, request=request)
        if was_approved:
            notify_managers(tenant, mdf_request.partner, _("%(partner)s withdrew a pre-approved MDF request: %(title)s")
                            % {"partner": mdf_request.partner.name, "title": mdf_request.title}, "",
                            url(tenant, "incentives:mdf_request", mdf_request.pk, request=request))
    return mdf_request


def _release(tenant, allocation: MdfAllocation, mdf_request: MdfRequest, actor, memo: str) -> Decimal:
    """Return whatever is still reserved for a request to the allocation (caller holds both locks)."""
    reserved = ledger.balance(Account.MDF_RESERVED, mdf_request=mdf_request)
    if reserved > 0:
        ledger.post(tenant=tenant, kind=JournalEntry.Kind.RELEASE, actor=actor, obj=mdf_request, memo=memo,
                    legs=ledger.move(reserved, mdf_request.currency, debit=Account.MDF_AVAILABLE,
                                     credit=Account.MDF_RESERVED, fund=allocation.fund_id, allocation=allocation,
                                     mdf_request=mdf_request, partner=allocation.partner_id))
    return reserved


# --- Claims -----------------------------------------------------------------------------------------


def validate_proof(files: list) -> list:
    """Each file must really be a PDF, image, Office document or text/CSV within the size limit."""
    if not files:
        raise ValidationError({"files": _("Attach proof of performance: invoices, photos or attendee lists.")})
    if len(files) > MAX_PROOF_FILES:
        raise ValidationError({"files": _("Attach at most %(n)d files.") % {"n": MAX_PROOF_FILES}})
    sniffed, errors = [], []
    for upload in files:
        try:
            sniffed.append((upload, validate_upload(upload, kinds=PROOF_KINDS, max_mb=proof_max_mb())))
        except ValidationError as exc:
            errors.append(f"{getattr(upload, 'name', 'file')}: {' '.join(exc.messages)}")
    if errors:
        raise ValidationError({"files": errors})
    return sniffed


def _claim_refusal(mdf_request: MdfRequest, today: date) -> str | None:
    status = mdf_request.status
    if status == R.REJECTED:
        return _("This request was rejected; there is nothing to claim.")
    if status == R.SUBMITTED:
        return _("This request is not pre-approved yet; claim after pre-approval and the activity.")
    if status == R.CANCELLED:
        return _("This request was withdrawn.")
    if status in (R.CLAIMED, R.CLOSED):
        return _("A claim was already submitted for this activity.")
    if status == R.EXPIRED:
        return _("The claim deadline for this activity has passed.")
    if today < mdf_request.end_date:
        return _("Claim once the activity has ended (%(end)s).") % {"end": short_date(mdf_request.end_date)}
    if mdf_request.claim_due and today > mdf_request.claim_due:
        return _("The claim deadline (%(due)s) has passed.") % {"due": short_date(mdf_request.claim_due)}
    return None


def claim_refusal(mdf_request: MdfRequest, today: date | None = None) -> str | None:
    """Why the partner cannot claim now (None: the claim form is open). For the pages."""
    return _claim_refusal(mdf_request, today or timezone.localdate())


def mdf_claim_submit(*, tenant, mdf_request: MdfRequest, user, actual_cost, leads_generated, results: str,
                     files: list, today: date | None = None, request=None) -> MdfClaim:
    """After the activity: actual cost, results and proof files. Exactly one claim per request."""
    check_same_tenant(tenant, mdf_request)
    mdf_request = MdfRequest.objects.select_related("fund", "partner").get(pk=mdf_request.pk)  # fresh status
    require_gate(mdf_request.partner)
    today = today or timezone.localdate()
    refusal = _claim_refusal(mdf_request, today)
    if refusal:
        raise ValidationError(refusal)
    errors = {}
    try:
        cost = clean_amount(actual_cost, mdf_request.currency, field="actual_cost")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        leads = int(leads_generated if leads_generated not in (None, "") else 0)
        if leads < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["leads_generated"] = [_("Enter a whole number of leads (0 or more).")]
    if not (results or "").strip():
        errors["results"] = [_("Describe the results: attendance, reach, leads and opportunities.")]
    try:
        proofs = validate_proof(files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    saved: list[ProofFile] = []
    try:
        with transaction.atomic():
            lock_allocation(mdf_request.allocation_id)
            mdf_request = lock_request(mdf_request.pk)
            refusal = _claim_refusal(mdf_request, today)  # again, under the lock
            if refusal:
                raise ValidationError(refusal)
            try:
                with transaction.atomic():
                    claim = MdfClaim.objects.create(
                        tenant=tenant, mdf_request=mdf_request, partner=mdf_request.partner,
                        currency=mdf_request.currency, actual_cost=cost, leads_generated=leads,
                        results=results.strip(), submitted_by=user)
            except IntegrityError:
                raise ValidationError(_("A claim was already submitted for this activity.")) from None
            for upload, sniffed in proofs:
                proof = ProofFile(tenant=tenant, claim=claim, name=sniffed.safe_name, content_type=sniffed.content_type,
                                  extension=sniffed.extension, size=sniffed.size, uploaded_by=user)
                upload.seek(0)
                proof.file.save(sniffed.safe_name, upload, save=False)
                saved.append(proof)
                proof.save(force_insert=True)
            mdf_request.status = R.CLAIMED
            mdf_request.save(update_fields=["status"])
            record_event(tenant=tenant, kind="mdf_claimed", partner=mdf_request.partner, user=user, obj=claim, data={
                "request_id": str(mdf_request.pk), "actual_cost": str(cost), "currency": claim.currency,
                "leads": leads, "fund_id": str(mdf_request.fund_id)})
            audit_log(tenant=tenant, actor=user, action="mdf.claim", obj=claim, request=request,
                      changes={"actual_cost": str(cost), "leads": leads, "files": len(saved)})
            notify_managers(tenant, mdf_request.partner, _("MDF claim from %(partner)s: %(title)s (%(cost)s)") % {
                "partner": mdf_request.partner.name, "title": mdf_request.title,
                "cost": format_money(cost, claim.currency)}, claim.results[:500],
                url(tenant, "incentives:mdf_request", mdf_request.pk, request=request))
    except Exception:
        for proof in saved:  # nothing half-saved: the files go with the rolled-back rows
            proof.file.delete(save=False)
        raise
    return claim


def claim_maximum(claim: MdfClaim, *, reserved: Decimal | None = None) -> Decimal:
    """At most the reserved amount, and at most the fund's co-op share of the actual cost."""
    mdf_request = claim.mdf_request
    if reserved is None:
        reserved = ledger.balance(Account.MDF_RESERVED, mdf_request=mdf_request)
    coop = percent_of(claim.actual_cost, mdf_request.fund.coop_rate, claim.currency)
    return max(min(reserved, coop), ZERO)


def mdf_claim_decide(*, tenant, claim: MdfClaim, actor, approve: bool, amount=None, note: str = "",
                     request=None) -> MdfClaim:
    """Approve (at most the reserve and the co-op share; the rest is released) or reject (all released)."""
    check_same_tenant(tenant, claim)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Tell the partner why the claim is rejected.")})
    with transaction.atomic():
        allocation = lock_allocation(claim.mdf_request.allocation_id)
        mdf_request = lock_request(claim.mdf_request_id)
        claim = MdfClaim.objects.select_for_update().get(pk=claim.pk)
        claim.mdf_request = mdf_request
        if claim.status != C.SUBMITTED:
            raise ValidationError(_("This claim was already decided (%(status)s).") % {
                "status": claim.get_status_display().lower()})
        reserved = ledger.balance(Account.MDF_RESERVED, mdf_request=mdf_request)
        dims = {"fund": allocation.fund_id, "allocation": allocation, "mdf_request": mdf_request,
                "partner": allocation.partner_id}
        if approve:
            maximum = claim_maximum(claim, reserved=reserved)
            amount = clean_amount(maximum if amount in (None, "") else amount, claim.currency)
            if amount > maximum:
                raise ValidationError({"amount": _(
                    "At most %(max)s can be approved: %(reserved)s is reserved, and the co-op rate of %(rate)s%% of "
                    "the actual cost %(cost)s is %(coop)s.") % {
                    "max": format_money(maximum, claim.currency), "reserved": format_money(reserved, claim.currency),
                    "rate": format_percent(mdf_request.fund.coop_rate),
                    "cost": format_money(claim.actual_cost, claim.currency),
                    "coop": format_money(percent_of(claim.actual_cost, mdf_request.fund.coop_rate, claim.currency),
                                         claim.currency)}})
            ledger.post(tenant=tenant, kind=JournalEntry.Kind.APPROVE, actor=actor, obj=claim,
                        legs=ledger.move(amount, claim.currency, debit=Account.MDF_PAYABLE,
                                         credit=Account.MDF_RESERVED, **dims),
                        memo=_("Claim approved: %(title)s") % {"title": mdf_request.title})
            claim.status, claim.approved_amount = C.APPROVED, amount
        else:
            claim.status = C.REJECTED
        _release(tenant, allocation, mdf_request, actor, _("Released after the claim: %(title)s") % {
            "title": mdf_request.title})
        claim.decided_by, claim.decided_at, claim.decision_note = actor, timezone.now(), note
        claim.save(update_fields=["status", "approved_amount", "decided_by", "decided_at", "decision_note"])
        mdf_request.status = R.CLOSED
        mdf_request.save(update_fields=["status"])
        audit_log(tenant=tenant, actor=actor, action="mdf.claim_approve" if approve else "mdf.claim_reject",
                  obj=claim, request=request, changes={"approved": str(claim.approved_amount) if approve else None,
                                                       "reserved": str(reserved), "note": note})
        if approve:
            title = _("MDF claim approved: %(amount)s for %(title)s") % {
                "amount": format_money(claim.approved_amount, claim.currency), "title": mdf_request.title}
        else:
            title = _("MDF claim rejected: %(title)s") % {"title": mdf_request.title}
        notify_partner(tenant, mdf_request.partner, title, note,
                       url(tenant, "incentives:mdf_request", mdf_request.pk, request=request), also=claim.submitted_by)
    return claim


def mdf_claim_reimburse(*, tenant, claim: MdfClaim, actor, payment_reference: str = "", request=None) -> MdfClaim:
    check_same_tenant(tenant, claim)
    with transaction.atomic():
        allocation = lock_allocation(claim.mdf_request.allocation_id)
        mdf_request = lock_request(claim.mdf_request_id)
        claim = MdfClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status == C.REIMBURSED:
            raise ValidationError(_("This claim was already reimbursed."))
        if claim.status != C.APPROVED:
            raise ValidationError(_("Only approved claims can be reimbursed."))
        ledger.post(tenant=tenant, kind=JournalEntry.Kind.PAY, actor=actor, obj=claim,
                    legs=ledger.move(claim.approved_amount, claim.currency, debit=Account.MDF_PAID,
                                     credit=Account.MDF_PAYABLE, fund=allocation.fund_id, allocation=allocation,
                                     mdf_request=mdf_request, partner=allocation.partner_id),
                    memo=_("Reimbursed: %(title)s") % {"title": mdf_request.title})
        claim.status, claim.reimbursed_by, claim.reimbursed_at = C.REIMBURSED, actor, timezone.now()
        claim.payment_reference = (payment_reference or "").strip()[:100]
        claim.save(update_fields=["status", "reimbursed_by", "reimbursed_at", "payment_reference"])
        audit_log(tenant=tenant, actor=actor, action="mdf.claim_reimburse", obj=claim, request=request,
                  changes={"amount": str(claim.approved_amount), "payment_reference": claim.payment_reference})
        notify_partner(tenant, mdf_request.partner, _("MDF reimbursed: %(amount)s for %(title)s") % {
            "amount": format_money(claim.approved_amount, claim.currency), "title": mdf_request.title},
            claim.payment_reference, url(tenant, "incentives:mdf_request", mdf_request.pk, request=request),
            also=claim.submitted_by)
    return claim


# --- Deadlines (daily job) ---------------------------------------------------------------------------
