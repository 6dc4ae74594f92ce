"""The measurements: the bare GROUP BY (the floor), the nightly job, the executive dashboard."""

from __future__ import annotations

import multiprocessing
import statistics
import time

from bench.analytics.common import log

# --- Measurements ---------------------------------------------------------------------------


def bare_group_by(tenant) -> float:
    from django.db import connection

    best = None
    with connection.cursor() as cursor:
        for _ in range(3):  # best of three: the same cache state the nightly job meets
            start = time.perf_counter()
            cursor.execute("SELECT partner_id, count(*) FROM events_engagementevent WHERE tenant_id = %s "
                           "GROUP BY partner_id", [tenant.pk])
            rows = cursor.fetchall()
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
    log(f"bare GROUP BY partner: {best:.2f} s for {len(rows):,} partners")
    return best


def _worker(tenant_id, chunk_ids: list, taken) -> None:
    """One 'Celery worker' (a fresh process with its own connection): takes the next chunk from the
    shared queue whenever it is free, as a worker with prefetch 1 and late acks does (chunks differ
    in size: activity is skewed towards some partners)."""
    from analytics.services.runs import health_chunk_run
    from prm.tenancy.models import Tenant
    from prm.tenancy.scoping import tenant_scope

    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_scope(tenant):
        while True:
            with taken.get_lock():  # the broker hands each chunk to one worker
                if taken.value >= len(chunk_ids):
                    return
                chunk_id = chunk_ids[taken.value]
                taken.value += 1
            health_chunk_run(tenant=tenant, chunk_id=chunk_id)


def _fresh_day(tenant, day) -> None:
    """Each night scores a new date (inserts only): remove the day's snapshots of an earlier
    measurement and vacuum, as autovacuum would have during the day, then write every dirty page
    out, as the checkpoints of a quiet day would have (not timed). Without it the run right after
    the 11 weeks of history (1.1 million rows written) took 6.3–6.8 s against 5.7–6.0 s for the
    next one; with it both took 5.9 s.
    An unfinished run of the day (left by an interrupted benchmark) is removed too: starting the
    day would resume it with the churn model it already has, and the night would skip training."""
    from django.db import DatabaseError, connection

    from analytics.models import HealthRun, PartnerHealthSnapshot
    from prm.tenancy.scoping import tenant_scope

    with tenant_scope(tenant):
        HealthRun.objects.filter(tenant=tenant, date=day).exclude(status=HealthRun.Status.DONE).delete()
    table = PartnerHealthSnapshot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s AND date = %s", [tenant.pk, day])
        cursor.execute(f"VACUUM ANALYZE {table}")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError as exc:  # needs superuser or the pg_checkpoint role
            log(f"no checkpoint before the run ({exc})")


def nightly(tenant, workers: int, chunk_size: int) -> dict:
    """Start the run (lock, chunk plan, churn model training), then `workers` processes take the
    chunks from one queue as Celery workers with prefetch 1 would, then the run is closed (summary rows)."""
    from django.db import connections
    from django.db.models import Max
    from django.utils import timezone

    from analytics.models import HealthRun, HealthRunChunk
    from analytics.services.runs import health_run_finish, health_run_start
    from prm.tenancy.scoping import tenant_scope

    day = timezone.localdate()
    _fresh_day(tenant, day)
    with tenant_scope(tenant):
        start = time.perf_counter()
        result = health_run_start(tenant=tenant, day=day, trigger=HealthRun.Trigger.COMMAND, enqueue=False,
                                  chunk_size=chunk_size)
        if not result.ok:
            raise SystemExit(f"could not start the run: {result.status}")
        started = time.perf_counter()
        connections.close_all()  # each forked worker opens its own connection
        context = multiprocessing.get_context("fork")
        taken = context.Value("i", 0)  # the broker's queue: chunks in the order the run enqueued them
        if workers <= 1:
            _worker(tenant.pk, result.chunk_ids, taken)
        else:
            procs = [context.Process(target=_worker, args=(tenant.pk, result.chunk_ids, taken))
                     for _ in range(workers)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
                if p.exitcode:
                    raise SystemExit(f"a worker failed with exit code {p.exitcode}")
        run = health_run_finish(tenant=tenant, run_id=result.run.pk)
        run.refresh_from_db()
        total, ended = time.perf_counter() - start, timezone.now()
        # The last chunk's worker closes the run (summary rows, planner statistics, proposal
        # notifications): the finish is the time from the last chunk's commit to the end.
        last_chunk = HealthRunChunk.objects.filter(run=run).aggregate(last=Max("finished_at"))["last"]
        finish = max(0.0, (ended - last_chunk).total_seconds())
    if run.status != HealthRun.Status.DONE:
        raise SystemExit(f"the run ended {run.status}: {run.error}")
    stats = {"total": total, "start": started - start, "chunks": run.chunks_total, "partners": run.partners_scored,
             "method": run.churn_model.get("method"), "auc": run.churn_model.get("auc"),
             "samples": run.churn_model.get("samples"), "workers": workers, "finish": finish,
             "chunk_phase": total - (started - start) - finish}
    log(f"nightly job with {workers} worker(s): {total:.1f} s ({stats['start']:.1f} s start incl. model training, "
        f"{stats['chunk_phase']:.1f} s chunks, {finish:.1f} s finish; {run.chunks_total} chunks, "
        f"{run.partners_scored:,} partners, churn {stats['method']})")
    return stats


def dashboard(tenant, repeat: int = 15) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from prm.tenancy.models import Membership
    from prm.tenancy.scoping import tenant_scope
    from prm.tenancy.sessions import bind_session

    settings.ALLOWED_HOSTS = ["*"]
    user, _ = get_user_model().objects.get_or_create(email="bench-exec@bench.example", defaults={"full_name": "Bench"})
    with tenant_scope(tenant):
        Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": "executive"})
    client = Client(HTTP_HOST=f"{tenant.slug}.{settings.PRM_BASE_DOMAIN}", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    bind_session(client.session, tenant)
    results = {}
    for label, query in (("all partners, 90 days", ""), ("region EMEA, 12 months", "?region=EMEA&period=365")):
        # refresh=1: compute the figures every time (the page otherwise shares its body for a few minutes).
        url = "/analytics/dashboard/" + (query + "&" if query else "?") + "refresh=1"
        assert client.get(url).status_code == 200  # warm-up
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        results[label] = {"median": statistics.median(times), "p95": sorted(times)[int(0.95 * (len(times) - 1))],
                          "queries": len(ctx.captured_queries)}
        log(f"dashboard ({label}): median {results[label]['median']:.0f} ms, p95 {results[label]['p95']:.0f} ms, "
            f"{results[label]['queries']} queries")
    return results


def small_tenant_queries() -> int | None:
    """The dashboard's query count on a tiny tenant (the demo's size) for comparison."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from analytics.services.runs import health_compute
    from partners.models import Partner, PartnerType
    from prm.tenancy.models import Membership, Tenant
    from prm.tenancy.scoping import tenant_scope
    from prm.tenancy.sessions import bind_session

    tenant, _ = Tenant.objects.get_or_create(slug="bench-small", defaults={"name": "Small", "base_currency": "USD"})
    user, _ = get_user_model().objects.get_or_create(email="bench-exec@small.example", defaults={"full_name": "Small"})
    with tenant_scope(tenant):
        Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": "executive"})
        ptype, _ = PartnerType.objects.get_or_create(tenant=tenant, code="reseller", defaults={"name": "Reseller"})
        for i in range(3):
            Partner.objects.get_or_create(tenant=tenant, domain=f"small{i}.example",
                                          defaults={"name": f"Small {i}", "partner_type": ptype, "status": "active",
                                                    "regions": ["EMEA"]})
        health_compute(tenant=tenant, day=timezone.localdate())
    client = Client(HTTP_HOST=f"{tenant.slug}.{settings.PRM_BASE_DOMAIN}", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    bind_session(client.session, tenant)
    client.get("/analytics/dashboard/?refresh=1")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/analytics/dashboard/?refresh=1")  # computed, not the shared body
    return len(ctx.captured_queries)


def counts(tenant) -> dict:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for label, table in (("partners", "partners_partner"), ("events", "events_engagementevent"),
                             ("deals", "deals_dealregistration"), ("attributions", "deals_dealpartner")):
            cursor.execute(f"SELECT count(*) FROM {table} WHERE tenant_id = %s", [tenant.pk])
            out[label] = cursor.fetchone()[0]
    return out


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return "PostgreSQL " + cursor.fetchone()[0]
