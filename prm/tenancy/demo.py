"""Demo data: the core part (tenants, staff) and the hook through which apps add theirs.

Each feature app may provide `<app>/demo.py` with `seed(ctx: DemoContext) -> None`; seed_demo
calls them in INSTALLED_APPS order inside the tenant's scope. Every seeder must be idempotent
(get_or_create on natural keys), so running seed_demo twice changes nothing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model

from prm.tenancy.models import Membership, Tenant
from prm.tenancy.roles import Role
from prm.tenancy.scoping import tenant_scope

if TYPE_CHECKING:
    from prm.accounts.models import User

DEMO_PASSWORD = "prm-demo-2026"
DEMO_TENANTS = [
    {"slug": "acme", "name": "Acme Cloud", "primary_colour": "#1f5fbf", "base_currency": "USD",
     "allowed_currencies": "USD,EUR,GBP", "default_language": "en"},
    {"slug": "globex", "name": "Globex Security", "primary_colour": "#0f7b4f", "base_currency": "EUR",
     "allowed_currencies": "EUR,USD,GBP,CHF", "default_language": "de"},
]
STAFF = [("admin", Role.TENANT_ADMIN, "Ada Admin"), ("manager", Role.CHANNEL_MANAGER, "Max Manager"),
         ("exec", Role.EXECUTIVE, "Eve Executive")]


@dataclass
class DemoContext:
    tenant: Tenant
    users: dict[str, User] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    def email(self, local: str) -> str:
        return f"{local}@{self.tenant.slug}.example"


def demo_user(email: str, full_name: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def demo_member(ctx: DemoContext, local: str, role: str, full_name: str, partner=None):
    user = demo_user(ctx.email(local), full_name)
    Membership.objects.get_or_create(
        tenant=ctx.tenant, user=user, defaults={"role": role, "partner": partner}
    )
    ctx.users[local] = user
    return user


def seed_tenant(spec: dict, log=print) -> DemoContext:
    tenant, _ = Tenant.objects.get_or_create(slug=spec["slug"], defaults={k: v for k, v in spec.items() if k != "slug"})
    ctx = DemoContext(tenant=tenant)
    with tenant_scope(tenant):
        for local, role, name in STAFF:
            demo_member(ctx, local, role, name)
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            if module.__name__ == __name__ or not hasattr(module, "seed"):
                continue
            log(f"  {tenant.slug}: {config.label}")
            module.seed(ctx)
        _seed_core_extras(ctx)
    return ctx


def _seed_core_extras(ctx: DemoContext) -> None:
    """A pending staff invitation and a welcome notification for every demo member."""
    from prm.accounts.models import Invitation
    from prm.accounts.services import invitation_create
    from prm.notifications.models import Notification
    from prm.notifications.services import notify

    tenant = ctx.tenant
    email = ctx.email("new.analyst")
    if not Invitation.objects.filter(tenant=tenant, email=email).exists():
        invitation_create(tenant=tenant, email=email, role=Role.EXECUTIVE, invited_by=ctx.users.get("admin"))
    partner_admin = ctx.users.get("partner")
    membership = Membership.objects.filter(tenant=tenant, user=partner_admin).first() if partner_admin else None
    email = ctx.email("new.colleague")
    if membership is not None and not Invitation.objects.filter(tenant=tenant, email=email).exists():
        invitation_create(tenant=tenant, email=email, role=Role.PARTNER_USER, partner=membership.partner,
                          invited_by=partner_admin)
    members = [u for u in ctx.users.values() if not Notification.objects.filter(tenant=tenant, user=u).exists()]
    if members:
        notify(tenant=tenant, users=members, title=f"Welcome to the {tenant.name} demo portal",
               body="Everything here is sample data; explore freely.", url="/", email=False)
