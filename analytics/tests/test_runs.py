"""Nightly runs: idempotent re-runs, one run at a time per tenant, resuming killed or failed runs,
and the Celery fan-out (one task per tenant, one per chunk, enqueued after commit)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from analytics.models import HealthRun, HealthRunChunk, PartnerHealthSnapshot
from analytics.services import compute, sql_chunk
from analytics.services.chunks import chunk_bounds
from analytics.services.runs import health_compute, health_run_start
from analytics.services.settings import STALE_AFTER
from partners.models import Partner
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory, TierFactory, events_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(tenant):
    tier = TierFactory(tenant=tenant, rank=1)
    made = [PartnerFactory(tenant=tenant, tier=tier, name=f"P{i}") for i in range(5)]
    with scopes_disabled():  # joined long ago, so yesterday's run scores them too
        Partner.objects.filter(pk__in=[p.pk for p in made]).update(joined_at=timezone.now() - timedelta(days=100))
    for i, p in enumerate(made):
        events_at(tenant, p, "sign_in", list(range(1, 2 + i)), day=timezone.localdate())
    return made


def _snapshots(tenant, day):
    with scopes_disabled():
        return list(PartnerHealthSnapshot.objects.filter(tenant=tenant, date=day).order_by("partner_id"))


def test_chunks_cover_every_partner_id_in_contiguous_ranges(tenant, partners):
    with tenant_scope(tenant):
        bounds = chunk_bounds(tenant, 2)
    assert len(bounds) == 3
    assert bounds[0][0].int == 0 and bounds[-1][1].int == 2**128 - 1
    for (_first, last), (next_first, _last) in zip(bounds, bounds[1:], strict=False):
        assert last.int + 1 == next_first.int
    ids = sorted(p.pk for p in partners)
    assert [sum(1 for i in ids if first <= i <= last) for first, last in bounds] == [2, 2, 1]


def test_rerunning_a_date_replaces_its_snapshots_instead_of_adding_rows(tenant, partners):
    day = timezone.localdate()
    with tenant_scope(tenant):
        first = health_compute(tenant=tenant, day=day, chunk_size=2)
    before = {s.partner_id: (s.pk, s.events_30) for s in _snapshots(tenant, day)}
    assert len(before) == 5 and first.run.chunks_total == 3
    events_at(tenant, partners[0], "content_viewed", [1, 2, 3], day=day)  # new data between the runs
    with tenant_scope(tenant):
        second = health_compute(tenant=tenant, day=day, chunk_size=2)
    after = {s.partner_id: (s.pk, s.events_30) for s in _snapshots(tenant, day)}
    assert second.status == "started" and second.run.pk != first.run.pk
    assert set(after) == set(before)                       # one row per partner and date
    assert all(after[p][0] == before[p][0] for p in after)  # updated in place (upsert)
    assert after[partners[0].pk][1] == before[partners[0].pk][1] + 3
    with scopes_disabled():
        assert PartnerHealthSnapshot.objects.filter(tenant=tenant).count() == 5
        assert HealthRun.objects.filter(tenant=tenant, status="done").count() == 2


def test_a_second_start_while_a_run_is_in_progress_is_refused(tenant, partners):
    day = timezone.localdate()
    with tenant_scope(tenant):
        first = health_run_start(tenant=tenant, day=day, enqueue=False, chunk_size=2)
        second = health_run_start(tenant=tenant, day=day, enqueue=False, chunk_size=2)
        other_day = health_run_start(tenant=tenant, day=day - timedelta(days=1), enqueue=False)
    assert first.status == "started"
    assert second.status == "running" and second.run.pk == first.run.pk and second.chunk_ids == []
    assert other_day.status == "running"  # one run per tenant at a time, whatever the date
    with scopes_disabled():
        assert HealthRun.objects.filter(tenant=tenant).count() == 1


def test_the_database_refuses_a_second_running_run_for_a_tenant(tenant):
    now = timezone.now()
    with scopes_disabled():
        HealthRun.objects.create(tenant=tenant, date=now.date(), started_at=now, heartbeat_at=now)
        with pytest.raises(IntegrityError), transaction.atomic():
            HealthRun.objects.create(tenant=tenant, date=now.date(), started_at=now, heartbeat_at=now)


def test_other_tenants_runs_do_not_block(tenant, other_tenant, partners):
    day = timezone.localdate()
    PartnerFactory(tenant=other_tenant)
    with tenant_scope(tenant):
        assert health_run_start(tenant=tenant, day=day, enqueue=False).status == "started"
    with tenant_scope(other_tenant):
        assert health_run_start(tenant=other_tenant, day=day, enqueue=False).status == "started"


def test_a_failed_chunk_fails_the_run_and_a_rerun_redoes_only_that_chunk(tenant, partners, monkeypatch):
    day = timezone.localdate()
    victim = sorted(p.pk for p in partners)[2]  # in the second chunk of three
    original = compute.write_chunk

    def dies_after_writing(ctx, snapshots):
        counts = original(ctx, snapshots)  # the snapshots are written inside the chunk's transaction…
        if any(s["partner_id"] == victim for s in snapshots):
            raise RuntimeError("worker killed")  # …and rolled back with it
        return counts

    monkeypatch.setattr(compute, "write_chunk", dies_after_writing)
    # PostgreSQL computes and writes a chunk in one statement (sql_chunk): it dies the same way there.
    original_sql = sql_chunk.write_chunk

    def sql_dies_after_writing(ctx, run, first_id, last_id):
        written = original_sql(ctx, run, first_id, last_id)
        if first_id <= victim <= last_id:
            raise RuntimeError("worker killed")
        return written

    monkeypatch.setattr(sql_chunk, "write_chunk", sql_dies_after_writing)
    with tenant_scope(tenant):
        result = health_compute(tenant=tenant, day=day, chunk_size=2)
    run = result.run
    assert run.status == "failed" and "worker killed" in run.error
    with scopes_disabled():
        chunks = {c.seq: c for c in HealthRunChunk.objects.filter(run=run)}
    assert [chunks[i].status for i in range(3)] == ["done", "failed", "done"]
    kept = {s.partner_id: s.computed_at for s in _snapshots(tenant, day)}
    assert len(kept) == 3 and victim not in kept  # nothing half-written from the failed chunk

    monkeypatch.setattr(compute, "write_chunk", original)
    monkeypatch.setattr(sql_chunk, "write_chunk", original_sql)
    with tenant_scope(tenant):
        again = health_compute(tenant=tenant, day=day, chunk_size=2)
    assert again.status == "resumed" and again.run.pk == run.pk and again.run.status == "done"
    assert again.run.attempts == 2 and again.run.partners_scored == 5
    snapshots = _snapshots(tenant, day)
    assert sorted(s.partner_id for s in snapshots) == sorted(p.pk for p in partners)  # exactly one each
    assert all(s.computed_at == kept[s.partner_id] for s in snapshots if s.partner_id in kept)  # not redone
    with scopes_disabled():
        attempts = dict(HealthRunChunk.objects.filter(run=run).values_list("seq", "attempts"))
    assert attempts == {0: 1, 1: 2, 2: 1}


def test_a_run_whose_worker_died_is_resumed_once_it_is_stale(tenant, partners, django_capture_on_commit_callbacks):
    day = timezone.localdate()
    with tenant_scope(tenant):
        started = health_run_start(tenant=tenant, day=day, enqueue=False, chunk_size=2)
        # The first chunk completes; the worker dies while holding the second (claimed, never finished).
        from analytics.services.runs import health_chunk_run

        health_chunk_run(tenant=tenant, chunk_id=started.chunk_ids[0])
        HealthRunChunk.objects.filter(pk=started.chunk_ids[1]).update(status="running", attempts=1)
        assert health_run_start(tenant=tenant, day=day, enqueue=False).status == "running"  # not stale yet
        HealthRun.objects.filter(pk=started.run.pk).update(heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            resumed = health_run_start(tenant=tenant, day=day)  # through Celery (eager in tests)
    assert resumed.status == "resumed" and resumed.run.pk == started.run.pk
    assert resumed.chunk_ids == started.chunk_ids[1:]
    with scopes_disabled():
        run = HealthRun.objects.get(pk=started.run.pk)
    assert run.status == "done" and run.partners_scored == 5
    assert sorted(s.partner_id for s in _snapshots(tenant, day)) == sorted(p.pk for p in partners)


def test_computing_a_date_first_finishes_another_dates_abandoned_run_then_computes_it(tenant, partners):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    with tenant_scope(tenant):
        abandoned = health_run_start(tenant=tenant, day=yesterday, enqueue=False, chunk_size=2)
        HealthRun.objects.filter(pk=abandoned.run.pk).update(heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))
        result = health_compute(tenant=tenant, day=today)
        assert result.status == "started" and result.run.date == today and result.run.status == "done"
        assert HealthRun.objects.get(pk=abandoned.run.pk).status == "done"
        assert len(_snapshots(tenant, today)) == len(partners) == len(_snapshots(tenant, yesterday))


def test_a_redelivered_chunk_task_is_a_no_op(tenant, partners):
    from analytics.services.runs import health_chunk_run

    day = timezone.localdate()
    with tenant_scope(tenant):
        started = health_run_start(tenant=tenant, day=day, enqueue=False, chunk_size=10)
        assert health_chunk_run(tenant=tenant, chunk_id=started.chunk_ids[0]) == "done"
        assert health_chunk_run(tenant=tenant, chunk_id=started.chunk_ids[0]) == "skipped"
    assert len(_snapshots(tenant, day)) == 5


def test_nightly_job_fans_out_one_task_per_tenant_after_commit(tenant, other_tenant, partners,
                                                                 django_capture_on_commit_callbacks):
    from analytics.tasks import health_nightly

    PartnerFactory(tenant=other_tenant)
    yesterday = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert health_nightly() == 2
    assert len(callbacks) == 2  # nothing is sent before the surrounding transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        health_nightly()
    with scopes_disabled():
        runs = list(HealthRun.objects.filter(date=yesterday).values_list("tenant__slug", "status", "trigger"))
        assert sorted(runs) == [("acme", "done", "schedule"), ("globex", "done", "schedule")]
        assert PartnerHealthSnapshot.objects.filter(tenant=tenant, date=yesterday).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_create_one_run(tenant, partners):
    """Two workers start the same tenant's run at the same moment: the row lock lets one through."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SQLite serialises writers itself)")
    from django.db import connections

    day = timezone.localdate()
    barrier = threading.Barrier(2)
    results = []

    def start():
        try:
            barrier.wait()
            with tenant_scope(tenant):
                results.append(health_run_start(tenant=tenant, day=day, enqueue=False).status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) in (["locked", "started"], ["running", "started"])
    with scopes_disabled():
        assert HealthRun.objects.filter(tenant=tenant).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_start_while_another_holds_the_tenant_lock_answers_locked(tenant, partners):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's FOR UPDATE NOWAIT")
    from django.db import connections

    from analytics.models import AnalyticsSettings
    from analytics.services.settings import analytics_settings

    with tenant_scope(tenant):
        analytics_settings(tenant)
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with tenant_scope(tenant), transaction.atomic():
                list(AnalyticsSettings.objects.select_for_update().filter(tenant=tenant))
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        with tenant_scope(tenant):
            assert health_run_start(tenant=tenant, day=timezone.localdate(), enqueue=False).status == "locked"
    finally:
        release.set()
        holder.join()
    with scopes_disabled():
        assert not HealthRun.objects.filter(tenant=tenant).exists()


def test_deleting_a_run_tier_or_type_clears_it_on_the_snapshots(tenant, partners):
    """The snapshot's run, tier and type references have no database constraint (a deferred check
    per row at every chunk's commit); Django's on_delete still keeps them from dangling."""
    from partners.models import PartnerType, Tier

    day = timezone.localdate()
    with tenant_scope(tenant):
        run = health_compute(tenant=tenant, day=day, chunk_size=10).run
        kind = PartnerType.objects.create(tenant=tenant, code="isv", name="ISV")  # a type they had then
        PartnerHealthSnapshot.objects.filter(tenant=tenant).update(partner_type=kind)
        snapshots = _snapshots(tenant, day)
        assert all(s.run_id == run.pk and s.tier_id and s.partner_type_id == kind.pk for s in snapshots)
        Partner.objects.filter(pk__in=[p.pk for p in partners]).update(tier=None)
        Tier.objects.filter(tenant=tenant).delete()
        kind.delete()
        HealthRun.objects.filter(pk=run.pk).delete()
    after = _snapshots(tenant, day)
    assert len(after) == 5
    assert all(s.run_id is None and s.tier_id is None and s.partner_type_id is None
               and s.recommended_tier_id is None and s.next_tier_id is None for s in after)
