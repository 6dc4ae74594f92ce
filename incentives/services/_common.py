"""Helpers shared by the incentive services: recipients, links, exchange rates, gates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from incentives.money import RATE_PLACES
from partners.selectors import can_register_deals
from prm.notifications.services import notify
from prm.tenancy.models import Membership
from prm.tenancy.resolution import tenant_url
from prm.tenancy.roles import PARTNER_ROLES, Role


def url(tenant, name: str, *args, request=None) -> str:
    return tenant_url(tenant, reverse(name, args=args), request)


def url_builder(tenant, request=None):
    """url() for loops: the tenant's host is looked up once, not once per link."""
    root = tenant_url(tenant, "/", request).rstrip("/")
    return lambda name, *args: root + reverse(name, args=args)


def check_same_tenant(tenant, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.tenant_id != tenant.pk:
            raise ValidationError(_("Unknown object."))


def require_gate(partner) -> None:
    """The partner program gate (active, agreement accepted) also opens incentives."""
    ok, reason = can_register_deals(partner)
    if not ok:
        raise ValidationError(reason)


def partner_users(tenant, partner, *, also=None) -> list:
    """A partner organisation's admins (plus `also`, e.g. whoever submitted the request)."""
    members = Membership.objects.filter(tenant=tenant, partner=partner, is_active=True,
                                        role__in=list(PARTNER_ROLES)).select_related("user")
    users = {m.user_id: m.user for m in members if m.role == Role.PARTNER_ADMIN or (also and m.user_id == also.pk)}
    return [u for u in users.values() if u.is_active]


def manager_users(tenant, partner=None) -> list:
    """The partner's own channel manager when it has one, else every manager who may see it."""
    from partners.selectors import managers_for

    return managers_for(tenant, partner)


def notify_partner(tenant, partner, title: str, body: str = "", link: str = "", also=None) -> None:
    notify(tenant=tenant, users=partner_users(tenant, partner, also=also), title=title, body=body, url=link)


def notify_managers(tenant, partner, title: str, body: str = "", link: str = "") -> None:
    notify(tenant=tenant, users=manager_users(tenant, partner), title=title, body=body, url=link)


def rate_to_base(tenant, currency: str, on: date | None = None) -> Decimal | None:
    """Base-currency units for one unit of `currency` (the tenant's exchange-rate table in deals)."""
    from deals.models import CurrencyRate

    if currency == tenant.base_currency:
        return Decimal(1)
    on = on or timezone.localdate()
    return (CurrencyRate.objects.filter(tenant=tenant, currency=currency, valid_from__lte=on)
            .order_by("-valid_from").values_list("rate", flat=True).first())


def cross_rate(tenant, from_currency: str, to_currency: str, on: date | None = None) -> Decimal | None:
    """Units of `to_currency` for one unit of `from_currency`, through the base currency."""
    if from_currency == to_currency:
        return Decimal(1)
    source, target = rate_to_base(tenant, from_currency, on), rate_to_base(tenant, to_currency, on)
    if source is None or target is None:
        return None
    return (source / target).quantize(Decimal(1).scaleb(-RATE_PLACES))


# --- MDF row locks (always fund → allocation → request → claim) and balances -----------------------


def short_date(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def lock_fund(fund_id):
    from incentives.models import MdfFund

    return MdfFund.objects.select_for_update().get(pk=fund_id)


def lock_allocation(allocation_id):
    """The allocation row, locked (joined fund and partner are read, not locked)."""
    from incentives.models import MdfAllocation

    return MdfAllocation.objects.select_for_update(of=("self",)).select_related("fund", "partner").get(pk=allocation_id)


def lock_request(request_id):
    from incentives.models import MdfRequest

    return MdfRequest.objects.select_for_update(of=("self",)).select_related("fund", "partner").get(pk=request_id)


def allocation_available(allocation) -> Decimal:
    from incentives.models import Account
    from incentives.services import ledger

    return ledger.balance(Account.MDF_AVAILABLE, allocation=allocation)


def fund_unallocated(fund) -> Decimal:
    from incentives.models import Account
    from incentives.services import ledger

    return ledger.balance(Account.MDF_UNALLOCATED, fund=fund)
