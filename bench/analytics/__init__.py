"""Analytics benchmark: a synthetic tenant on PostgreSQL, the nightly job and the executive dashboard.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_bench python -m bench
    python -m bench.analytics --partners 10000 --events 1000000 --deals 100000   # a smaller try-out

Builds (once; --rebuild to start over) a tenant `bench` with 100,000 partners, 10,000,000 engagement
events over the last year and 1,000,000 deal registrations (with attribution) using set-based SQL
(INSERT … SELECT generate_series), then measures:
- a bare `SELECT partner_id, count(*) … GROUP BY partner_id` over the tenant's events (the floor);
- the nightly job for the tenant with 12 weeks of snapshot history (churn model training included),
  run by --workers processes taking chunks like Celery workers would, and by one process;
- the executive dashboard (server time through the full middleware stack, and its query count,
  compared with a small tenant's).
Results, with the machine, go to BENCHMARKS.md between the `analytics` markers.

Parts: `data` builds the tenant and its history, `measure` times the floor, the nightly job and the
dashboard, `section` writes the BENCHMARKS.md text; `common` holds the targets and the logging.
"""

from __future__ import annotations

import argparse
import os
import time

from bench.analytics.common import log
from bench.analytics.data import build, synthesize_history
from bench.analytics.measure import bare_group_by, counts, dashboard, nightly, small_tenant_queries
from bench.analytics.section import report
from bench.support import setup_django


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--rebuild", action="store_true", help="drop the benchmark tenant and build it again")
    parser.add_argument("--no-write", action="store_true", help="print only; do not update BENCHMARKS.md")
    args = parser.parse_args(argv)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from analytics.services.runs import CHUNK_SIZE
    from bench.support import write_benchmarks

    if connection.vendor != "postgresql":
        raise SystemExit("The analytics benchmark needs PostgreSQL: set DATABASE_URL=postgres://… "
                         "(preferably a dedicated database, e.g. postgres://postgres@127.0.0.1:5432/prm_bench)")
    chunk_size = args.chunk_size or CHUNK_SIZE
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    tenant = build(args.partners, args.events, args.deals, args.rebuild)
    built = time.perf_counter() - start
    sizes = counts(tenant)
    log(f"data: {sizes}")
    from analytics.models import HealthRun
    from prm.tenancy.scoping import tenant_scope

    with tenant_scope(tenant):  # a run left over by an interrupted benchmark would block ours
        HealthRun.objects.filter(tenant=tenant, status=HealthRun.Status.RUNNING).update(
            status=HealthRun.Status.FAILED, error="abandoned by an interrupted benchmark")
    floor = bare_group_by(tenant)
    import sklearn.linear_model  # noqa: F401  (loaded once per Celery worker process, not per night)
    log("first run (on a new tenant no history yet: rule-based churn estimate), then 11 weeks of history")
    runs = [nightly(tenant, args.workers, chunk_size)]
    runs[0]["note"] = ("before the 11 weeks of history are (re)made"
                       + ("; no history yet, so the churn estimate is rule-based" if runs[0]["method"] == "rules" else ""))
    synthesize_history(tenant)
    runs.append(nightly(tenant, args.workers, chunk_size))
    runs.append(nightly(tenant, args.workers, chunk_size))
    if args.workers > 1:
        runs.append(nightly(tenant, 1, chunk_size))
    # The floor again after the runs, and the faster of the two: a machine that slows down or speeds
    # up during the benchmark must not flatter the ratio.
    floor = min(floor, bare_group_by(tenant))
    dash = dashboard(tenant)
    small = small_tenant_queries()
    section = report(sizes, floor, runs, dash, small, built if built > 5 else None, chunk_size)
    print("\n" + section)
    if not args.no_write:
        write_benchmarks(section, marker="analytics")

