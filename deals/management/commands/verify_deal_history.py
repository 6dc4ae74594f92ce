"""Verify every deal's tamper-evident history chain. Exit status 1 when anything is broken."""

from django.core.management.base import BaseCommand, CommandError

from deals.history import verify_tenant
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import tenant_scope


class Command(BaseCommand):
    help = "Check the hash chain of every deal's history (all tenants, or --tenant SLUG)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Only this tenant (slug).")

    def handle(self, *args, tenant=None, **options):
        tenants = Tenant.objects.order_by("slug")
        if tenant:
            tenants = tenants.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"No tenant with slug {tenant!r}.")
        broken = 0
        for t in tenants:
            with tenant_scope(t):
                checked, problems = verify_tenant(t)
            for p in problems:
                where = f"entry #{p.seq}" if p.seq else "chain head"
                self.stderr.write(f"{t.slug}: deal {p.deal_id} {where}: {p.message}")
            broken += len({p.deal_id for p in problems})
            self.stdout.write(f"{t.slug}: {checked} deal(s) checked, {len({p.deal_id for p in problems})} broken")
        if broken:
            raise CommandError(f"{broken} deal history chain(s) failed verification.")
        self.stdout.write(self.style.SUCCESS("All deal histories verified."))
