"""Compute partner health snapshots from the command line.

    python manage.py compute_health --tenant acme                 # today, synchronously
    python manage.py compute_health --tenant acme --date 2026-01-31
    python manage.py compute_health --tenant acme --backfill 84   # the last 84 days, oldest first
    python manage.py compute_health --all --enqueue               # what the nightly beat job does
    python manage.py compute_health --status                      # last run of every tenant
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from analytics.models import HealthRun
from analytics.services.chunks import CHUNK_SIZE
from analytics.services.runs import health_backfill, health_compute, health_run_start, last_runs
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import tenant_scope


class Command(BaseCommand):
    help = "Compute partner health snapshots (score, churn risk, tier evaluation, next actions) for a tenant."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="tenant slug")
        parser.add_argument("--all", action="store_true", help="every active tenant")
        parser.add_argument("--date", help="the day to compute (YYYY-MM-DD); default today")
        parser.add_argument("--backfill", type=int, metavar="N", help="compute the last N days up to --date")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="partners per chunk")
        parser.add_argument("--enqueue", action="store_true", help="hand the chunks to Celery instead of running here")
        parser.add_argument("--status", action="store_true", help="show the last run of every tenant")

    def handle(self, *args, **opts):
        if opts["status"]:
            return self._status()
        if bool(opts["tenant"]) == bool(opts["all"]):
            raise CommandError("Give --tenant SLUG or --all.")
        try:
            day = date.fromisoformat(opts["date"]) if opts["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must look like 2026-01-31, not {opts['date']!r}.") from None
        if opts["backfill"] is not None and not 1 <= opts["backfill"] <= 3660:
            raise CommandError("--backfill takes a number of days between 1 and 3660.")
        if opts["chunk_size"] < 1:
            raise CommandError("--chunk-size must be positive.")
        tenants = Tenant.objects.filter(is_active=True) if opts["all"] else Tenant.objects.filter(slug=opts["tenant"])
        tenants = list(tenants)
        if not tenants:
            raise CommandError(f"No tenant {opts['tenant']!r}.")
        for tenant in tenants:
            with tenant_scope(tenant):
                self._one(tenant, day, opts)

    def _one(self, tenant, day, opts) -> None:
        if opts["backfill"]:
            def log(d, result):
                run = result.run
                self.stdout.write(f"{tenant.slug} {d}: {result.status}"
                                  + (f", {run.partners_scored} partners, {run.status}" if run else ""))

            results = health_backfill(tenant=tenant, days=opts["backfill"], end=day, log=log)
            if results and not results[-1].ok:
                raise CommandError(f"{tenant.slug}: stopped, a run is {results[-1].status}.")
            return
        if opts["enqueue"]:
            result = health_run_start(tenant=tenant, day=day, trigger=HealthRun.Trigger.COMMAND,
                                      chunk_size=opts["chunk_size"])
            self.stdout.write(f"{tenant.slug} {day}: {result.status}"
                              + (f", {len(result.chunk_ids)} chunks enqueued" if result.ok else ""))
            return
        result = health_compute(tenant=tenant, day=day, chunk_size=opts["chunk_size"])
        if not result.ok:
            raise CommandError(f"{tenant.slug}: not started, a run is {result.status}.")
        run = result.run
        elapsed = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
        self.stdout.write(f"{tenant.slug} {day}: {result.status} → {run.status}, {run.partners_scored} partners "
                          f"in {run.chunks_total} chunks, {elapsed:.1f} s, churn {run.churn_model.get('method')}")
        if run.status == HealthRun.Status.FAILED:
            raise CommandError(run.error)

    def _status(self) -> None:
        tenants = list(Tenant.objects.order_by("slug"))
        runs = last_runs(tenants)
        for tenant in tenants:
            run = runs.get(tenant.pk)
            if run is None:
                self.stdout.write(f"{tenant.slug:20} never")
            else:
                self.stdout.write(f"{tenant.slug:20} {run.date} {run.status:8} started {run.started_at:%Y-%m-%d %H:%M} "
                                  f"finished {run.finished_at:%H:%M}" if run.finished_at else
                                  f"{tenant.slug:20} {run.date} {run.status:8} started {run.started_at:%Y-%m-%d %H:%M}")
