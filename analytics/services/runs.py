"""Health runs: start (one at a time per tenant), chunks (resumable, idempotent), finish.

Concurrency and failure rules
- Starting takes the tenant's lock row (AnalyticsSettings, `select_for_update(nowait=True)` on
  PostgreSQL) and then checks for a running run; a partial unique index allows at most one
  `running` run per tenant on every backend, so even two racing starts on SQLite cannot overlap.
- A run is split into partner-id ranges (`HealthRunChunk`). A chunk's snapshots, its tier changes
  and its `done` mark are written in one transaction: a killed worker leaves the chunk undone and
  nothing half-written. Chunk tasks are idempotent (a done chunk is skipped; the snapshot write
  is an upsert on (tenant, partner, date)).
- A run with no progress for STALE_AFTER (its worker died) is resumed by the next start, which
  re-enqueues only the chunks that are not done. A failed run of the same date is resumed too.
  A completed date that is started again is recomputed in full, replacing its snapshots.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from analytics.models import AnalyticsSettings, HealthRun, HealthRunChunk
from analytics.services import churn
from analytics.services.chunks import CHUNK_SIZE, chunk_bounds
from analytics.services.session import check_constraints_now, tune_session
from analytics.services.settings import STALE_AFTER, analytics_settings

logger = logging.getLogger(__name__)

ERROR_LIMIT = 4000


@dataclass
class StartResult:
    status: str  # started | resumed | running | locked
    run: HealthRun | None
    chunk_ids: list

    @property
    def ok(self) -> bool:
        return self.status in ("started", "resumed")


def _lock(tenant) -> None:
    """Row lock on the tenant's settings row; raises DatabaseError at once if another start holds it."""
    list(AnalyticsSettings.objects.select_for_update(nowait=True).filter(tenant=tenant).values_list("pk"))


def health_run_start(*, tenant, day: date, trigger: str = HealthRun.Trigger.SCHEDULE, user=None,
                     chunk_size: int = CHUNK_SIZE, enqueue: bool = True, now=None) -> StartResult:
    """Start (or resume) the run for `day`. With enqueue=True its chunks go to Celery after commit;
    otherwise the caller runs them (health_run_drain)."""
    now = now or timezone.now()
    settings = analytics_settings(tenant)
    try:
        with transaction.atomic():
            try:
                _lock(tenant)
            except DatabaseError:
                return StartResult("locked", None, [])
            active = HealthRun.objects.filter(tenant=tenant, status=HealthRun.Status.RUNNING).first()
            if active is not None:
                if now - active.heartbeat_at < STALE_AFTER:
                    return StartResult("running", active, [])
                result = _resume(active, now)
            else:
                failed = (HealthRun.objects.filter(tenant=tenant, date=day, status=HealthRun.Status.FAILED)
                          .order_by("-started_at").first())
                newer_done = failed is not None and HealthRun.objects.filter(
                    tenant=tenant, date=day, status=HealthRun.Status.DONE, started_at__gt=failed.started_at).exists()
                if failed is not None and not newer_done:
                    result = _resume(failed, now)
                else:
                    result = _create(tenant, day, trigger, user, settings, chunk_size, now)
            if enqueue:
                _enqueue(result)
            return result
    except IntegrityError:
        # Another start won the race between our check and insert (the one-running index refused us).
        return StartResult("running", HealthRun.objects.filter(tenant=tenant, status=HealthRun.Status.RUNNING).first(), [])


def _create(tenant, day, trigger, user, settings, chunk_size, now) -> StartResult:
    tune_session()  # the churn training set sorts a large tenant's partners by a hash (no spill to disk)
    bounds = chunk_bounds(tenant, max(1, chunk_size))
    run = HealthRun(tenant=tenant, date=day, trigger=trigger, triggered_by=user if getattr(user, "pk", None) else None,
                    started_at=now, heartbeat_at=now, chunks_total=len(bounds))
    from partners.models import Partner

    run.partners_total = Partner.objects.filter(tenant=tenant).count()
    run.churn_model = churn.train(tenant, before=day, horizon=settings.churn_horizon_days)
    run.save(force_insert=True)
    chunks = HealthRunChunk.objects.bulk_create([
        HealthRunChunk(tenant=tenant, run=run, seq=i, first_id=first, last_id=last)
        for i, (first, last) in enumerate(bounds)
    ])
    return StartResult("started", run, [c.pk for c in chunks])


def _resume(run: HealthRun, now) -> StartResult:
    run.status = HealthRun.Status.RUNNING
    run.heartbeat_at = now
    run.finished_at = None
    run.error = ""
    run.attempts += 1
    run.save(update_fields=["status", "heartbeat_at", "finished_at", "error", "attempts"])
    undone = HealthRunChunk.objects.filter(run=run).exclude(status=HealthRunChunk.Status.DONE)
    ids = list(undone.order_by("seq").values_list("pk", flat=True))
    undone.update(status=HealthRunChunk.Status.PENDING)
    return StartResult("resumed", run, ids)


def _enqueue(result: StartResult) -> None:
    from analytics.tasks import health_chunk_task
    from prm.tenancy.tasks import enqueue_on_commit

    for chunk_id in result.chunk_ids:
        enqueue_on_commit(health_chunk_task, str(chunk_id), tenant_id=result.run.tenant_id)
    if not result.chunk_ids and result.run is not None:
        transaction.on_commit(lambda: health_run_finish(tenant=result.run.tenant, run_id=result.run.pk))


# --- Chunks ---------------------------------------------------------------------------------


def health_chunk_run(*, tenant, chunk_id, fail_hook=None) -> str:
    """Compute one chunk (idempotent: a done chunk is skipped). Returns what happened."""
    from analytics.services import sql_chunk
    from analytics.services.compute import RunContext, compute_rows, write_chunk
    from analytics.services.summary import chunk_summary

    now = timezone.now()
    with transaction.atomic():
        # of=self: lock the chunk row only. Locking the joined run row too would make skip_locked skip
        # this chunk whenever another worker is updating the run's progress.
        chunk = (HealthRunChunk.objects.select_for_update(skip_locked=True, of=("self",)).select_related("run")
                 .filter(tenant=tenant, pk=chunk_id).first())
        if chunk is None:
            return "busy"  # missing, or another worker holds it right now
        if chunk.status == HealthRunChunk.Status.DONE:
            return "skipped"
        if chunk.run.status != HealthRun.Status.RUNNING:
            return "not-running"
        chunk.status = HealthRunChunk.Status.RUNNING
        chunk.attempts += 1
        chunk.started_at = now
        chunk.error = ""
        chunk.save(update_fields=["status", "attempts", "started_at", "error"])
    run = chunk.run
    # PostgreSQL computes and writes the chunk in one set-based statement (sql_chunk); elsewhere the
    # Python reference path computes the rows here and writes them below.
    set_based = sql_chunk.enabled()
    try:
        with transaction.atomic():
            tune_session(parallel=False)
            ctx = RunContext.load(run, analytics_settings(tenant))
            snapshots = None if set_based else compute_rows(ctx, run, chunk.first_id, chunk.last_id)
        with transaction.atomic():
            locked = HealthRunChunk.objects.select_for_update().get(pk=chunk.pk)
            if locked.status == HealthRunChunk.Status.DONE:
                return "skipped"  # a duplicate delivery finished it meanwhile
            if set_based:  # the statement also sums up what it wrote
                tune_session(parallel=False)
                partners, counts, locked.summary = sql_chunk.write_chunk(ctx, run, chunk.first_id, chunk.last_id)
            else:
                counts = write_chunk(ctx, snapshots)
                partners = len(snapshots)
                locked.summary = chunk_summary(tenant, run, chunk.first_id, chunk.last_id,
                                               proposed=bool(counts.get("proposed")))
            check_constraints_now()
            if fail_hook is not None:
                fail_hook(chunk)  # tests: simulate a worker dying after the writes, before the commit
            locked.status = HealthRunChunk.Status.DONE
            locked.partners = partners
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "partners", "finished_at", "summary"])
            HealthRun.objects.filter(pk=run.pk).update(
                chunks_done=F("chunks_done") + 1, partners_scored=F("partners_scored") + partners,
                heartbeat_at=timezone.now())
            if any(counts.values()):
                _add_tier_counts(run.pk, counts)
    except Exception as exc:
        logger.exception("health chunk %s failed", chunk_id)
        HealthRunChunk.objects.filter(pk=chunk.pk).exclude(status=HealthRunChunk.Status.DONE).update(
            status=HealthRunChunk.Status.FAILED, error=_error_text(exc), finished_at=timezone.now())
        health_run_finish(tenant=tenant, run_id=run.pk)
        raise
    health_run_finish(tenant=tenant, run_id=run.pk)
    return "done"


def _error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()[:ERROR_LIMIT]


def _add_tier_counts(run_id, counts: dict) -> None:
    run = HealthRun.objects.select_for_update().get(pk=run_id)
    merged = dict(run.tier_changes or {})
    for key, value in counts.items():
        merged[key] = merged.get(key, 0) + value
    run.tier_changes = merged
    run.save(update_fields=["tier_changes"])


def health_run_finish(*, tenant, run_id) -> HealthRun | None:
    """Close the run once every chunk is done or failed (idempotent; the first caller wins)."""
    from analytics.services.summary import combine_chunk_summaries, notify_new_proposals, write_summary

    with transaction.atomic():
        run = HealthRun.objects.select_for_update().filter(tenant=tenant, pk=run_id).first()
        if run is None or run.status != HealthRun.Status.RUNNING:
            return run
        chunks = HealthRunChunk.objects.filter(run=run)
        if chunks.exclude(status__in=[HealthRunChunk.Status.DONE, HealthRunChunk.Status.FAILED]).exists():
            return run
        failed = list(chunks.filter(status=HealthRunChunk.Status.FAILED).values_list("seq", "error"))
        run.finished_at = timezone.now()
        run.heartbeat_at = run.finished_at
        if failed:
            run.status = HealthRun.Status.FAILED
            run.error = "\n".join(f"chunk {seq}: {error}" for seq, error in failed)[:ERROR_LIMIT]
        else:
            run.status = HealthRun.Status.DONE
            groups, new_proposals = combine_chunk_summaries(list(chunks.values_list("summary", flat=True)))
            write_summary(tenant, run.date, groups)
            _refresh_statistics()
            if (run.tier_changes or {}).get("proposed"):
                notify_new_proposals(tenant, run, new_proposals)
            chunks.update(summary=None)  # only closing the run needs them (a failed run keeps its own)
        run.save(update_fields=["status", "finished_at", "heartbeat_at", "error"])
    return run


def _refresh_statistics() -> None:
    """PostgreSQL: re-sample the snapshot table's date statistics once a date is written. A night
    adds one date's rows, too few for autovacuum to re-analyse a table holding months of them, and
    until then the planner believes the new date is empty and picks the wrong index for every
    "today's snapshots" page (measured: 250 ms instead of 0.1 ms for one partner's snapshot).

    Only the date column (and the row count): that is what a new date changes. Its statistics
    target is 20 (analytics migration 0006), so the sample is 6,000 rows: 0.25 s on the
    100,000-partner benchmark, where the tenant and date columns at the default target took
    1.3–1.9 s and all ninety columns about 6 s."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        from analytics.models import PartnerHealthSnapshot

        meta = PartnerHealthSnapshot._meta
        column = connection.ops.quote_name(meta.get_field("date").column)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(meta.db_table)} ({column})")


def health_run_drain(*, tenant, run: HealthRun) -> HealthRun:
    """Run a run's unfinished chunks here and now, in order (command line, demo, benchmark).

    Like separate Celery tasks, a failing chunk does not stop the others: it is marked failed (with
    its error), the run ends failed, and the next start of that date redoes only that chunk."""
    for chunk_id in (HealthRunChunk.objects.filter(run=run).exclude(status=HealthRunChunk.Status.DONE)
                     .order_by("seq").values_list("pk", flat=True)):
        try:
            health_chunk_run(tenant=tenant, chunk_id=chunk_id)
        except Exception:  # already logged and recorded on the chunk
            continue
    run.refresh_from_db()
    return run


def health_compute(*, tenant, day: date, trigger: str = HealthRun.Trigger.COMMAND, user=None,
                   chunk_size: int = CHUNK_SIZE) -> StartResult:
    """Start or resume the run for `day` and compute it synchronously. A start may resume another
    date's abandoned run first (its worker died); that one is finished, then `day` is computed."""
    for _attempt in range(2):
        result = health_run_start(tenant=tenant, day=day, trigger=trigger, user=user, chunk_size=chunk_size,
                                  enqueue=False)
        if result.ok:
            result.run = health_run_drain(tenant=tenant, run=result.run)
            if result.run.status == HealthRun.Status.RUNNING:
                result.run = health_run_finish(tenant=tenant, run_id=result.run.pk)
        if not result.ok or result.run.date == day:
            break
    return result


def health_backfill(*, tenant, days: int, end: date | None = None, user=None, log=None) -> list[StartResult]:
    """Compute the last `days` dates up to `end` (oldest first, so each churn model sees its past)."""
    end = end or timezone.localdate()
    results = []
    for offset in range(days - 1, -1, -1):
        day = end - timedelta(days=offset)
        result = health_compute(tenant=tenant, day=day, trigger=HealthRun.Trigger.BACKFILL, user=user)
        if log:
            log(day, result)
        results.append(result)
        if not result.ok:
            break
    return results


def last_runs(tenants) -> dict:
    """{tenant_id: its latest run} for the operations page (one query)."""
    from django.db.models import OuterRef, Subquery

    from prm.tenancy.scoping import scopes_disabled

    with scopes_disabled():
        latest = HealthRun.objects.filter(tenant=OuterRef("tenant")).order_by("-started_at").values("pk")[:1]
        runs = HealthRun.objects.filter(tenant__in=tenants, pk=Subquery(latest))
        return {r.tenant_id: r for r in runs}
