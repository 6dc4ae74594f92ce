from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from prm.tenancy.demo import DEMO_PASSWORD, DEMO_TENANTS, STAFF, seed_tenant


class Command(BaseCommand):
    help = "Create (or refresh) the demo tenants acme and globex with users for every role. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port shown in the printed URLs.")

    def handle(self, *args, port, **options):
        for spec in DEMO_TENANTS:
            self.stdout.write(f"Seeding {spec['slug']}…")
            with transaction.atomic():
                seed_tenant(spec, log=self.stdout.write)
        base = settings.PRM_BASE_DOMAIN
        suffix = f":{port}" if port not in ("80", "443", "") else ""
        self.stdout.write(self.style.SUCCESS("\nDemo ready. Sign in with password: " + DEMO_PASSWORD))
        for spec in DEMO_TENANTS:
            slug = spec["slug"]
            self.stdout.write(f"\n  {spec['name']}: http://{slug}.{base}{suffix}/   (admin: http://{slug}.{base}{suffix}/admin/)")
            for local, _role, _name in STAFF:
                self.stdout.write(f"    {local}@{slug}.example")
            self.stdout.write(f"    partner@{slug}.example   (partner admin)")
            self.stdout.write(f"    rep@{slug}.example       (partner user)")
        self.stdout.write(f"\n  All portals of one login: http://{base}{suffix}/")
