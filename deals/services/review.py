"""Decisions on registrations: approve with exclusive protection, reject, ask for information,
appeals, and the vendor's SLA (escalation and optional auto-approval)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from deals import history
from deals.conflicts import Match, Probe, find_matches, matches_for
from deals.models import DealAppeal, DealRegistration, DealSettings
from deals.services._common import (
    deal_url,
    event_data,
    lock_deal,
    notify_partner,
    require_status,
    tenant_admins,
)
from deals.services.expiry import expire_deals
from deals.services.locks import customer_lock_keys, lock_customers
from prm.audit.services import audit_log
from prm.events.services import record_event
from prm.notifications.services import notify
from prm.nplusone import deliberate_repetition


def protection_days(tenant, partner) -> int:
    """The partner's tier may override the tenant's protection period."""
    tier = partner.tier
    if tier is not None and tier.deal_protection_days:
        return tier.deal_protection_days
    return DealSettings.for_tenant(tenant).deal_protection_days


def _blocking_message(blocking: list[Match]) -> str:
    first = blocking[0]
    return _("Another registration for this customer (%(customer)s, %(partner)s) is already protected until "
             "%(date)s; only one registration per customer can be protected.") % {
        "customer": first.name, "partner": first.partner_name,
        "date": formats.date_format(first.protected_until, "SHORT_DATE_FORMAT")}


def _expire_stale_same_key(tenant, deal: DealRegistration, today, now) -> None:
    """A protection that ended yesterday but has not been swept yet must not block the new one."""
    stale = DealRegistration.objects.filter(
        tenant=tenant, customer_key=deal.customer_key, status=DealRegistration.Status.APPROVED,
        protected_until__lt=today,
    ).exclude(pk=deal.pk)
    expire_deals(tenant, stale, now=now)


def _approve_locked(*, tenant, deal: DealRegistration, actor, from_statuses, reason: str, override_similar: bool,
                    action: str, request, now: datetime) -> DealRegistration:
    """Approval core, run inside a transaction: lock customers, lock the deal, re-check, protect."""
    today = timezone.localdate(now)
    # 1. Who might be the same customer (read before locking, to know which keys to lock).
    before = matches_for(tenant, Probe.for_deal(deal), today=today)
    lock_customers(tenant, customer_lock_keys(deal, before))
    # 2. The deal itself, then a fresh look now that nobody else can approve these customers.
    deal = lock_deal(deal)
    require_status(deal, from_statuses, _("This registration was already decided (%(status)s).") % {
        "status": deal.get_status_display().lower()})
    _expire_stale_same_key(tenant, deal, today, now)
    matches = matches_for(tenant, Probe.for_deal(deal), today=today)
    blocking = [m for m in matches if m.is_protected and m.protected_until and m.protected_until >= today]
    if blocking and (not override_similar or any(m.domain_match for m in blocking)):
        raise ValidationError(_blocking_message(blocking))
    from_status = deal.status
    days = protection_days(tenant, deal.partner)
    deal.status = DealRegistration.Status.APPROVED
    deal.protected_until = today + timedelta(days=days)
    deal.decided_at = now
    deal.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    deal.decision_reason = reason
    deal.expiry_warned_at = None
    try:
        with transaction.atomic():
            deal.save(update_fields=["status", "protected_until", "decided_at", "decided_by", "decision_reason",
                                     "expiry_warned_at", "updated_at"])
    except IntegrityError:
        # The database constraint (one protected registration per customer key) said no.
        raise ValidationError(_("Another registration for this customer is already protected; "
                                "only one registration per customer can be protected.")) from None
    history.record(deal, action=action, actor=actor, from_status=from_status, to_status=deal.status, reason=reason,
                   at=now, changes={"protected_until": deal.protected_until.isoformat(), "days": days})
    if matches:
        history.record(deal, action="conflicts_at_decision", actor=actor, internal=True, at=now, changes={
            "override_similar_names": bool(blocking),
            "candidates": [{"source": m.source, "id": str(m.id), "partner": str(m.partner_id or ""),
                            "score": m.score, "reasons": m.reasons} for m in matches],
        })
    audit_log(tenant=tenant, actor=actor, action="deal.approve", obj=deal, request=request,
              changes={"protected_until": deal.protected_until.isoformat(), "auto": action == "auto_approved"})
    record_event(tenant=tenant, kind="deal_approved", partner=deal.partner, user=actor, obj=deal,
                 data=event_data(deal))
    notify_partner(tenant, deal, _("Approved: %(customer)s is protected until %(date)s") % {
        "customer": deal.customer_name, "date": formats.date_format(deal.protected_until, "SHORT_DATE_FORMAT")},
        reason, request)
    return deal


def deal_approve(*, tenant, deal: DealRegistration, actor, reason: str = "", override_similar: bool = False,
                 request=None, now: datetime | None = None, auto: bool = False) -> DealRegistration:
    """Approve and protect. At most one protected registration per customer: row locks on the
    customer keys serialise concurrent approvals, and the loser gets a clear ValidationError.

    `override_similar` lets staff approve when the only protected look-alikes match by a similar
    name (different companies with similar names); a shared domain can never be overridden.
    """
    now = now or timezone.now()
    with transaction.atomic():
        return _approve_locked(
            tenant=tenant, deal=deal, actor=actor, from_statuses=DealRegistration.PENDING_STATUSES,
            reason=reason.strip(), override_similar=override_similar, request=request, now=now,
            action="auto_approved" if auto else "approved",
        )


def deal_reject(*, tenant, deal: DealRegistration, actor, reason: str, request=None) -> DealRegistration:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the partner a reason for the rejection.")})
    now = timezone.now()
    with transaction.atomic():
        deal = lock_deal(deal)
        require_status(deal, DealRegistration.PENDING_STATUSES, _("This registration was already decided (%(status)s).") % {
            "status": deal.get_status_display().lower()})
        from_status = deal.status
        deal.status = DealRegistration.Status.REJECTED
        deal.decided_at, deal.decided_by, deal.decision_reason = now, actor, reason
        deal.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"])
        history.record(deal, action="rejected", actor=actor, from_status=from_status, to_status=deal.status,
                       reason=reason, at=now)
        audit_log(tenant=tenant, actor=actor, action="deal.reject", obj=deal, changes={"reason": reason}, request=request)
        notify_partner(tenant, deal, _("Not approved: %(customer)s") % {"customer": deal.customer_name},
                       _("Reason: %(reason)s\nYou may appeal this decision once from the registration's page.") % {
                           "reason": reason}, request)
    return deal


def deal_request_info(*, tenant, deal: DealRegistration, actor, message: str, request=None) -> DealRegistration:
    message = (message or "").strip()
    if not message:
        raise ValidationError({"reason": _("Say what information you need.")})
    now = timezone.now()
    with transaction.atomic():
        deal = lock_deal(deal)
        require_status(deal, [DealRegistration.Status.SUBMITTED])
        deal.status = DealRegistration.Status.INFO_REQUESTED
        deal.info_request = message
        deal.save(update_fields=["status", "info_request", "updated_at"])
        history.record(deal, action="info_requested", actor=actor, from_status="submitted",
                       to_status=deal.status, reason=message, at=now)
        audit_log(tenant=tenant, actor=actor, action="deal.request_info", obj=deal, request=request)
        notify_partner(tenant, deal, _("More information needed: %(customer)s") % {"customer": deal.customer_name},
                       message, request)
    return deal


@dataclass
class BulkResult:
    done: list[DealRegistration]
    failed: list[tuple[DealRegistration, str]]


def deals_bulk_decide(*, tenant, deals: list[DealRegistration], actor, action: str, reason: str = "",
                      request=None) -> BulkResult:
    """Apply one decision to many deals, oldest first; each deal is its own transaction, so one
    refusal (e.g. exclusivity) does not undo the others."""
    if action in ("reject", "info") and not (reason or "").strip():
        raise ValidationError({"reason": _("A reason is required for this action.")})
    services = {"approve": lambda d: deal_approve(tenant=tenant, deal=d, actor=actor, reason=reason, request=request),
                "reject": lambda d: deal_reject(tenant=tenant, deal=d, actor=actor, reason=reason, request=request),
                "info": lambda d: deal_request_info(tenant=tenant, deal=d, actor=actor, message=reason, request=request)}
    if action not in services:
        raise ValidationError(_("Unknown action."))
    result = BulkResult([], [])
    # One locked transaction per deal, on purpose: each decision succeeds or fails on its own.
    with deliberate_repetition():
        for deal in sorted(deals, key=lambda d: d.submitted_at):
            try:
                result.done.append(services[action](deal))
            except ValidationError as exc:
                result.failed.append((deal, " ".join(exc.messages)))
    return result


# --- Appeals --------------------------------------------------------------------------------


def deal_appeal(*, tenant, deal: DealRegistration, user, comment: str, request=None) -> DealAppeal:
    """The partner contests a rejection, once."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Explain why the decision should change.")})
    with transaction.atomic():
        deal = lock_deal(deal)
        require_status(deal, [DealRegistration.Status.REJECTED], _("Only a rejected registration can be appealed."))
        if DealAppeal.objects.filter(tenant=tenant, deal=deal).exists():
            raise ValidationError(_("This decision was already appealed; an appeal can be made only once."))
        try:
            with transaction.atomic():
                appeal = DealAppeal.objects.create(tenant=tenant, deal=deal, comment=comment, submitted_by=user)
        except IntegrityError:
            raise ValidationError(_("This decision was already appealed; an appeal can be made only once.")) from None
        history.record(deal, action="appealed", actor=user, reason=comment)
        audit_log(tenant=tenant, actor=user, action="deal.appeal", obj=deal, request=request)
        notify(tenant=tenant, users=tenant_admins(tenant), title=_("Appeal: %(customer)s (%(partner)s)") % {
            "customer": deal.customer_name, "partner": deal.partner.name}, body=comment,
            url=deal_url(tenant, deal, request))
    return appeal


def appeal_decide(*, tenant, appeal: DealAppeal, actor, reverse: bool, reason: str, request=None) -> DealAppeal:
    """A tenant admin upholds the rejection or reverses it (the deal is then approved and protected)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for your decision on the appeal.")})
    now = timezone.now()
    with transaction.atomic():
        appeal = DealAppeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.status != DealAppeal.Status.PENDING:
            raise ValidationError(_("This appeal was already decided."))
        deal = appeal.deal
        if reverse:
            deal = _approve_locked(tenant=tenant, deal=deal, actor=actor, from_statuses=[DealRegistration.Status.REJECTED],
                                   reason=reason, override_similar=False, action="appeal_reversed", request=request,
                                   now=now)
        else:
            deal = lock_deal(deal)
            history.record(deal, action="appeal_upheld", actor=actor, reason=reason, at=now)
            notify_partner(tenant, deal, _("Appeal decided: the rejection of %(customer)s stands") % {
                "customer": deal.customer_name}, reason, request)
        appeal.status = DealAppeal.Status.REVERSED if reverse else DealAppeal.Status.UPHELD
        appeal.decided_by, appeal.decided_at, appeal.decision_reason = actor, now, reason
        appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_log(tenant=tenant, actor=actor, action="deal.appeal_" + appeal.status, obj=deal,
                  changes={"reason": reason}, request=request)
    return appeal


# --- SLA: escalation and auto-approval --------------------------------------------------------


def sla_sweep(*, tenant, now: datetime | None = None) -> dict:
    """Escalate submissions past the tenant's review deadline; if the tenant opted in, approve
    those with no possible conflict (the vendor missed its own deadline, not the partner)."""
    now = now or timezone.now()
    overdue = DealRegistration.objects.filter(
        tenant=tenant, status=DealRegistration.Status.SUBMITTED, sla_due_at__lt=now,
    ).select_related("partner").order_by("submitted_at")
    newly = list(overdue.filter(sla_escalated_at__isnull=True))
    if newly:
        with transaction.atomic():
            DealRegistration.objects.filter(pk__in=[d.pk for d in newly]).update(sla_escalated_at=now)
            lines = "\n".join(f"- {d.customer_name} ({d.partner.name}), {_('due')} "
                              f"{formats.date_format(timezone.localtime(d.sla_due_at), 'SHORT_DATETIME_FORMAT')}"
                              for d in newly)
            notify(tenant=tenant, users=tenant_admins(tenant),
                   title=_("%(n)d deal registration(s) missed the %(days)d-business-day review deadline") % {
                       "n": len(newly), "days": DealSettings.for_tenant(tenant).deal_approval_sla_days},
                   body=lines, url=review_queue_url(tenant))
    approved = []
    if DealSettings.for_tenant(tenant).auto_approve_on_sla_breach:
        candidates = list(overdue)
        matches = find_matches(tenant, [Probe.for_deal(d) for d in candidates], today=timezone.localdate(now))
        with deliberate_repetition():  # one locked transaction per deal, as in a bulk decision
            for deal in candidates:
                if matches[deal.pk]:
                    continue  # anything that might be a conflict waits for a human
                try:
                    approved.append(deal_approve(
                        tenant=tenant, deal=deal, actor=None, now=now, auto=True,
                        reason=_("Approved automatically: the review deadline passed with no possible conflict."),
                    ))
                except ValidationError:
                    continue  # decided or conflicted meanwhile
    return {"escalated": len(newly), "auto_approved": len(approved)}


def review_queue_url(tenant) -> str:
    from django.urls import reverse

    from prm.tenancy.resolution import tenant_url

    return tenant_url(tenant, reverse("deals:queue"))

