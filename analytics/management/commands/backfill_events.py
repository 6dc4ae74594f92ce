"""Backfill the engagement event stream from existing records (idempotent).

    python manage.py backfill_events --tenant acme
    python manage.py backfill_events --all --kind deal_won --kind deal_registered
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from analytics.services.backfill import SOURCES, backfill_events
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import tenant_scope


class Command(BaseCommand):
    help = "Create engagement events for deals, certifications, MDF requests, memberships… recorded before events existed."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="tenant slug")
        parser.add_argument("--all", action="store_true", help="every tenant")
        parser.add_argument("--kind", action="append", choices=sorted({s.kind for s in SOURCES}),
                            help="only these event kinds (repeatable)")

    def handle(self, *args, **opts):
        if bool(opts["tenant"]) == bool(opts["all"]):
            raise CommandError("Give --tenant SLUG or --all.")
        tenants = list(Tenant.objects.all() if opts["all"] else Tenant.objects.filter(slug=opts["tenant"]))
        if not tenants:
            raise CommandError(f"No tenant {opts['tenant']!r}.")
        for tenant in tenants:
            with tenant_scope(tenant):
                written = backfill_events(tenant=tenant, kinds=opts["kind"])
            total = sum(written.values())
            details = ", ".join(f"{k} {n}" for k, n in written.items() if n) or "nothing new"
            self.stdout.write(f"{tenant.slug}: {total} events ({details})")
