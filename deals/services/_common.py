"""Helpers shared by the deal services: recipients, notifications, event payloads, conversion."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.models import MAX_AMOUNT, CurrencyRate, DealPartner, DealRegistration
from prm.notifications.services import notify
from prm.tenancy.models import Membership
from prm.tenancy.resolution import tenant_url
from prm.tenancy.roles import Role

CENT = Decimal("0.01")


def deal_url(tenant, deal: DealRegistration, request=None) -> str:
    return tenant_url(tenant, reverse("deals:detail", args=[deal.pk]), request)


def lock_deal(deal: DealRegistration) -> DealRegistration:
    """Re-read the deal under a row lock (caller is inside transaction.atomic)."""
    return (DealRegistration.objects.select_for_update(of=("self",)).select_related("partner", "partner__tier")
            .get(pk=deal.pk))


def require_status(deal: DealRegistration, allowed: Iterable[str], message: str | None = None) -> None:
    if deal.status not in set(allowed):
        raise ValidationError(message or _("This registration is %(status)s; that action is no longer possible.")
                              % {"status": deal.get_status_display().lower()})


def check_same_tenant(tenant, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.tenant_id != tenant.pk:
            raise ValidationError(_("Unknown object."))


def clean_amount(value, *, required: bool, errors: dict) -> Decimal | None:
    """A positive amount with at most two decimals below MAX_AMOUNT; problems go into `errors["amount"]`."""
    if value in (None, ""):
        if required:
            errors["amount"] = _("Enter the expected deal amount.")
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["amount"] = _("Enter the amount as a number, e.g. 25000.")
        return None
    if not amount.is_finite() or amount <= 0:
        errors["amount"] = _("The amount must be greater than zero.")
    elif amount > MAX_AMOUNT:
        errors["amount"] = _("That amount (over 1,000,000,000) looks like a typo. Contact your channel manager for deals this size.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("Use at most two decimal places.")
    else:
        return amount.quantize(Decimal("0.01"))
    return None


# --- Currency -------------------------------------------------------------------------------


def rate_for(tenant, currency: str, on: date | None = None) -> Decimal | None:
    """Base-currency units for one unit of `currency` on a date (latest rate not after it)."""
    if currency == tenant.base_currency:
        return Decimal("1")
    on = on or timezone.localdate()
    row = (CurrencyRate.objects.filter(tenant=tenant, currency=currency, valid_from__lte=on)
           .order_by("-valid_from").values_list("rate", flat=True).first())
    return row


def to_base(tenant, amount: Decimal | None, currency: str, on: date | None = None) -> Decimal | None:
    if amount is None:
        return None
    rate = rate_for(tenant, currency, on)
    if rate is None:
        return None
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Recipients and notifications -------------------------------------------------------------


def _users(qs) -> list:
    return [m.user for m in qs.select_related("user") if m.user.is_active]


def partner_recipients(deal: DealRegistration) -> list:
    """The person who registered the deal and the partner organisation's admins."""
    qs = Membership.objects.filter(tenant_id=deal.tenant_id, partner_id=deal.partner_id, is_active=True)
    members = list(qs.select_related("user"))
    users = {m.user_id: m.user for m in members if m.role == Role.PARTNER_ADMIN or m.user_id == deal.submitted_by_id}
    return [u for u in users.values() if u.is_active]


def manager_recipients(tenant, partner) -> list:
    """The partner's own channel manager if it has one, else every manager who may see it."""
    from partners.selectors import managers_for

    return managers_for(tenant, partner)


def tenant_admins(tenant) -> list:
    return _users(Membership.objects.filter(tenant=tenant, role=Role.TENANT_ADMIN, is_active=True))


def notify_partner(tenant, deal: DealRegistration, title: str, body: str = "", request=None) -> None:
    notify(tenant=tenant, users=partner_recipients(deal), title=title, body=body, url=deal_url(tenant, deal, request))


def notify_managers(tenant, deal: DealRegistration, title: str, body: str = "", request=None) -> None:
    notify(tenant=tenant, users=manager_recipients(tenant, deal.partner), title=title, body=body,
           url=deal_url(tenant, deal, request))


# --- Event payloads (incentives and analytics subscribe to deal_won / deal_lost) -------------


def event_data(deal: DealRegistration) -> dict:
    """What reacting apps need without importing deals: money in deal and base currency,
    products and the partners credited with their roles."""
    tenant = deal.tenant
    won = deal.status == DealRegistration.Status.WON
    amount = deal.won_amount if won else deal.amount
    base = deal.won_base_amount if won else deal.base_amount
    products = list(deal.products.order_by("code").values("id", "code", "name"))
    partners = list(DealPartner.objects.filter(deal=deal).order_by("created_at").values("partner_id", "role"))
    return {
        "deal_id": str(deal.pk),
        "kind": deal.kind,
        "status": deal.status,
        "customer": deal.customer_name,
        "customer_domain": deal.customer_domain,
        "amount": str(amount) if amount is not None else None,
        "currency": deal.currency,
        "base_amount": str(base) if base is not None else None,
        "base_currency": tenant.base_currency,
        "products": [{"id": str(p["id"]), "code": p["code"], "name": p["name"]} for p in products],
        "product_ids": [str(p["id"]) for p in products],
        "partners": [{"partner_id": str(p["partner_id"]), "role": p["role"]} for p in partners],
        "tier_id": str(deal.partner.tier_id) if deal.partner.tier_id else None,
        "partner_type_id": str(deal.partner.partner_type_id),
        "closed_on": deal.closed_on.isoformat() if deal.closed_on else None,
        "lost_reason": deal.lost_reason if deal.status == DealRegistration.Status.LOST else "",
    }
