"""After approval: outcome, extensions, nightly expiry and warnings, and attribution."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from deals import history
from deals.conflicts import Probe, matches_for
from deals.models import DealExtension, DealPartner, DealRegistration
from deals.services._common import (
    check_same_tenant,
    clean_amount,
    event_data,
    lock_deal,
    notify_managers,
    notify_partner,
    require_status,
    to_base,
)
from deals.services.expiry import expire_deals
from deals.services.locks import customer_lock_keys, lock_customers
from prm.audit.services import audit_log
from prm.events.services import record_event
from prm.notifications.services import notify
from prm.tenancy.models import Membership
from prm.tenancy.resolution import tenant_url
from prm.tenancy.roles import Role

WARN_DAYS = 14
# Outcomes may be recorded on a protected deal, and by staff also after protection lapsed.
PARTNER_OUTCOME_STATUSES = ("approved",)
STAFF_OUTCOME_STATUSES = ("approved", "expired")


def _outcome_statuses(staff: bool):
    return STAFF_OUTCOME_STATUSES if staff else PARTNER_OUTCOME_STATUSES


def outcome_date_problem(deal: DealRegistration, closed_on: date) -> str:
    """A won or lost date lies between the day the deal was registered and today ('' if it does)."""
    registered = timezone.localdate(deal.submitted_at)
    if closed_on > timezone.localdate():
        return _("The close date cannot be in the future.")
    if closed_on < registered:
        return _("The close date cannot be before the registration on %(date)s.") % {
            "date": formats.date_format(registered, "SHORT_DATE_FORMAT")}
    return ""


def deal_mark_won(*, tenant, deal: DealRegistration, user, amount, closed_on: date, staff: bool = False,
                  request=None) -> DealRegistration:
    """Won with the final amount (in the deal's currency) and the close date."""
    errors: dict[str, str] = {}
    final = clean_amount(amount, required=True, errors=errors)
    if closed_on is None:
        errors["closed_on"] = _("Enter the date the deal closed.")
    elif problem := outcome_date_problem(deal, closed_on):
        errors["closed_on"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        deal = lock_deal(deal)
        require_status(deal, _outcome_statuses(staff))
        from_status = deal.status
        deal.status = DealRegistration.Status.WON
        deal.won_amount = final
        deal.won_base_amount = to_base(tenant, final, deal.currency, closed_on)
        deal.closed_on = closed_on
        deal.save(update_fields=["status", "won_amount", "won_base_amount", "closed_on", "updated_at"])
        history.record(deal, action="won", actor=user, from_status=from_status, to_status=deal.status, changes={
            "amount": str(final), "currency": deal.currency, "closed_on": closed_on.isoformat()})
        audit_log(tenant=tenant, actor=user, action="deal.won", obj=deal, request=request,
                  changes={"amount": str(final), "currency": deal.currency})
        record_event(tenant=tenant, kind="deal_won", partner=deal.partner, user=user, obj=deal, data=event_data(deal))
        if staff:
            notify_partner(tenant, deal, _("Won: %(customer)s") % {"customer": deal.customer_name}, "", request)
        else:
            notify_managers(tenant, deal, _("%(partner)s won %(customer)s") % {
                "partner": deal.partner.name, "customer": deal.customer_name}, "", request)
    return deal


def deal_mark_lost(*, tenant, deal: DealRegistration, user, reason: str, closed_on: date | None = None,
                   staff: bool = False, request=None) -> DealRegistration:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"lost_reason": _("Say why the deal was lost; it helps the whole program.")})
    closed_on = closed_on or timezone.localdate()
    if problem := outcome_date_problem(deal, closed_on):
        raise ValidationError({"closed_on": problem})
    with transaction.atomic():
        deal = lock_deal(deal)
        require_status(deal, _outcome_statuses(staff))
        from_status = deal.status
        deal.status = DealRegistration.Status.LOST
        deal.lost_reason, deal.closed_on = reason, closed_on
        deal.save(update_fields=["status", "lost_reason", "closed_on", "updated_at"])
        history.record(deal, action="lost", actor=user, from_status=from_status, to_status=deal.status, reason=reason,
                       changes={"closed_on": closed_on.isoformat()})
        audit_log(tenant=tenant, actor=user, action="deal.lost", obj=deal, request=request, changes={"reason": reason})
        record_event(tenant=tenant, kind="deal_lost", partner=deal.partner, user=user, obj=deal, data=event_data(deal))
    return deal


def deal_revert_won(*, tenant, deal: DealRegistration, actor, reason: str, request=None,
                    now: datetime | None = None) -> DealRegistration:
    """Staff correct a win that did not happen (recorded by mistake, order cancelled).

    The win's figures are cleared and the deal goes back to protected when its window is still open
    and no other registration protects the customer meanwhile (same locks as an approval), else to
    expired. `deal_reverted` tells the apps that reacted to `deal_won` (SPIF accruals) to undo it.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the win is reverted; the partner sees it in the history.")})
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        lock_customers(tenant, customer_lock_keys(deal, matches_for(tenant, Probe.for_deal(deal), today=today)))
        deal = lock_deal(deal)
        require_status(deal, [DealRegistration.Status.WON])
        previous = {"amount": str(deal.won_amount), "currency": deal.currency,
                    "base_amount": str(deal.won_base_amount) if deal.won_base_amount is not None else None,
                    "closed_on": deal.closed_on.isoformat() if deal.closed_on else None}
        to_status = DealRegistration.Status.EXPIRED
        if deal.protected_until and deal.protected_until >= today:
            blocking = [m for m in matches_for(tenant, Probe.for_deal(deal), today=today)
                        if m.is_protected and m.protected_until and m.protected_until >= today]
            if not blocking:
                to_status = DealRegistration.Status.APPROVED
        deal.won_amount = deal.won_base_amount = deal.closed_on = None
        deal.status = to_status
        fields = ["status", "won_amount", "won_base_amount", "closed_on", "updated_at"]
        try:
            with transaction.atomic():
                deal.save(update_fields=fields)
        except IntegrityError:  # the database's one-protection-per-customer constraint
            deal.status = DealRegistration.Status.EXPIRED
            deal.save(update_fields=fields)
        history.record(deal, action="won_reverted", actor=actor, from_status="won", to_status=deal.status,
                       reason=reason, at=now, changes={"won": previous})
        audit_log(tenant=tenant, actor=actor, action="deal.won_reverted", obj=deal, request=request,
                  changes={"reason": reason, **previous})
        record_event(tenant=tenant, kind="deal_reverted", partner=deal.partner, user=actor, obj=deal,
                     data={**event_data(deal), "from_status": "won", "reverted_amount": previous["amount"],
                           "reverted_base_amount": previous["base_amount"], "reason": reason})
        notify_partner(tenant, deal, _("Win reverted: %(customer)s") % {"customer": deal.customer_name}, reason,
                       request)
    return deal


# --- Extensions ---------------------------------------------------------------------------------


def extension_request(*, tenant, deal: DealRegistration, user, days: int, reason: str, request=None) -> DealExtension:
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Explain why the deal needs more time.")
    if not isinstance(days, int) or not 1 <= days <= 180:
        errors["days"] = _("Ask for between 1 and 180 extra days.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        deal = lock_deal(deal)
        if not deal.is_protected:
            raise ValidationError(_("Only a protected registration can be extended."))
        if DealExtension.objects.filter(tenant=tenant, deal=deal, status=DealExtension.Status.PENDING).exists():
            raise ValidationError(_("An extension request for this registration is already waiting for a decision."))
        try:
            with transaction.atomic():
                ext = DealExtension.objects.create(tenant=tenant, deal=deal, days=days, reason=reason, requested_by=user)
        except IntegrityError:
            raise ValidationError(_("An extension request for this registration is already waiting for a decision.")) from None
        history.record(deal, action="extension_requested", actor=user, reason=reason, changes={"days": days})
        audit_log(tenant=tenant, actor=user, action="deal.extension_request", obj=deal, request=request)
        notify_managers(tenant, deal, _("Extension requested: %(customer)s (+%(days)d days)") % {
            "customer": deal.customer_name, "days": days}, reason, request)
    return ext


def extension_decide(*, tenant, extension: DealExtension, actor, approve: bool, reason: str = "",
                     request=None) -> DealExtension:
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give the partner a reason for declining.")})
    now = timezone.now()
    with transaction.atomic():
        deal = lock_deal(extension.deal)
        extension = DealExtension.objects.select_for_update().get(pk=extension.pk)
        if extension.status != DealExtension.Status.PENDING:
            raise ValidationError(_("This extension request was already decided."))
        changes = {"days": extension.days}
        if approve:
            require_status(deal, [DealRegistration.Status.APPROVED], _("The registration is no longer protected."))
            old = deal.protected_until
            deal.protected_until = max(old, timezone.localdate()) + timedelta(days=extension.days)
            deal.expiry_warned_at = None
            deal.save(update_fields=["protected_until", "expiry_warned_at", "updated_at"])
            changes.update({"protected_until": {"from": old.isoformat(), "to": deal.protected_until.isoformat()}})
        extension.status = DealExtension.Status.APPROVED if approve else DealExtension.Status.DECLINED
        extension.decided_by, extension.decided_at, extension.decision_reason = actor, now, reason
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        history.record(deal, action="extension_" + extension.status, actor=actor, reason=reason, changes=changes, at=now)
        audit_log(tenant=tenant, actor=actor, action="deal.extension_" + extension.status, obj=deal, request=request)
        if approve:
            title = _("Protection extended: %(customer)s until %(date)s") % {
                "customer": deal.customer_name, "date": formats.date_format(deal.protected_until, "SHORT_DATE_FORMAT")}
        else:
            title = _("Extension declined: %(customer)s") % {"customer": deal.customer_name}
        notify_partner(tenant, deal, title, reason, request)
    return extension


# --- Nightly: expiry and warnings --------------------------------------------------------------


def protection_nightly(*, tenant, today: date | None = None) -> dict:
    """Expire protections that ended, and warn partners WARN_DAYS before the end (once)."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    expired = expire_deals(tenant, DealRegistration.objects.filter(
        tenant=tenant, status=DealRegistration.Status.APPROVED, protected_until__lt=today), now=now)
    _notify_grouped(tenant, expired, lambda n: _("%(n)d deal protection(s) expired") % {"n": n},
                    lambda d: _("%(customer)s (ended %(date)s)") % {
                        "customer": d.customer_name, "date": formats.date_format(d.protected_until, "SHORT_DATE_FORMAT")})
    with transaction.atomic():
        warn = list(DealRegistration.objects.select_for_update().filter(
            tenant=tenant, status=DealRegistration.Status.APPROVED, expiry_warned_at__isnull=True,
            protected_until__gte=today, protected_until__lte=today + timedelta(days=WARN_DAYS),
        ).order_by("protected_until"))
        DealRegistration.objects.filter(pk__in=[d.pk for d in warn]).update(expiry_warned_at=now)
        _notify_grouped(tenant, warn, lambda n: _("%(n)d deal protection(s) end within %(days)d days") % {
            "n": n, "days": WARN_DAYS},
            lambda d: _("%(customer)s: protected until %(date)s. Update the deal or ask for an extension.") % {
                "customer": d.customer_name, "date": formats.date_format(d.protected_until, "SHORT_DATE_FORMAT")})
    return {"expired": len(expired), "warned": len(warn)}


def _notify_grouped(tenant, deals: list[DealRegistration], title, line) -> None:
    """One notification per recipient listing their deals, not one per deal (one membership query)."""
    if not deals:
        return
    members = list(Membership.objects.filter(
        tenant=tenant, partner_id__in={d.partner_id for d in deals}, is_active=True, user__is_active=True,
    ).select_related("user"))
    by_user: dict = defaultdict(list)
    users = {}
    for deal in deals:
        for m in members:
            if m.partner_id == deal.partner_id and (m.role == Role.PARTNER_ADMIN or m.user_id == deal.submitted_by_id):
                users[m.user_id] = m.user
                by_user[m.user_id].append(deal)
    url = tenant_url(tenant, reverse("deals:list"))
    for user_id, items in by_user.items():
        body = "\n".join(f"- {line(d)}" for d in items)
        notify(tenant=tenant, users=[users[user_id]], title=title(len(items)), body=body, url=url)


# --- Attribution ----------------------------------------------------------------------------


def deal_partner_add(*, tenant, deal: DealRegistration, partner, role: str, actor, request=None) -> DealPartner:
    check_same_tenant(tenant, deal, partner)
    if role not in DealPartner.Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    with transaction.atomic():
        deal = lock_deal(deal)
        if DealPartner.objects.filter(tenant=tenant, deal=deal, partner=partner).exists():
            raise ValidationError({"partner": _("%(partner)s is already credited on this deal.") % {"partner": partner.name}})
        link = DealPartner.objects.create(tenant=tenant, deal=deal, partner=partner, role=role, added_by=actor)
        history.record(deal, action="partner_added", actor=actor, internal=True,
                       changes={"partner": str(partner.pk), "partner_name": partner.name, "role": role})
        audit_log(tenant=tenant, actor=actor, action="deal.partner_add", obj=deal, request=request,
                  changes={"partner": partner.name, "role": role})
    return link


def deal_partner_remove(*, tenant, link: DealPartner, actor, request=None) -> None:
    with transaction.atomic():
        deal = lock_deal(link.deal)
        if link.partner_id == deal.partner_id:
            raise ValidationError(_("The registering partner stays credited on its own deal."))
        partner_name = link.partner.name
        history.record(deal, action="partner_removed", actor=actor, internal=True,
                       changes={"partner": str(link.partner_id), "partner_name": partner_name, "role": link.role})
        link.delete()
        audit_log(tenant=tenant, actor=actor, action="deal.partner_remove", obj=deal, request=request,
                  changes={"partner": partner_name})


def won_revenue(tenant, partner_ids: list, as_of: date) -> dict:
    """Metric provider: won revenue in the base currency over the 12 months up to `as_of`,
    credited to the registering (sourcing) partner; one grouped query."""
    from django.db.models import Sum

    start = as_of - timedelta(days=365)
    rows = (DealRegistration.objects.filter(
        tenant=tenant, partner_id__in=partner_ids, status=DealRegistration.Status.WON,
        closed_on__gt=start, closed_on__lte=as_of, won_base_amount__isnull=False,
    ).values("partner_id").annotate(total=Sum("won_base_amount")).order_by())
    totals = {pid: Decimal("0") for pid in partner_ids}
    totals.update({r["partner_id"]: r["total"] for r in rows})
    return totals
