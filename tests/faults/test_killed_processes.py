"""Fault injection: worker processes SIGKILLed in the middle of a job's transaction.

Each test starts a real worker process (tests/faults/victim.py) on the test database. It runs the
production job until a hook inside the job's open transaction, reports what it has written so far
and parks; the test kills it with SIGKILL (no handler, no rollback from the client) and then runs
the job again, as a redelivered task or the next nightly start would:

- nightly health run: killed after a chunk's snapshot upsert → resumed run, one snapshot per partner;
- SPIF nightly job: killed after an accrual's ledger entry → re-run, one accrual per deal and program;
- partner CSV import: killed after 1,000 of 2,000 rows → nothing imported, the redelivery imports all.

PostgreSQL (CI): the worker connects to the test database itself. While it is parked, the tests
also check what the rest of the system sees (nothing uncommitted, the job's locks respected).
SQLite (local default, an in-memory test database): the database is copied to a file for the
worker and copied back after the kill, so the worker's hot journal is rolled back by SQLite's own
crash recovery before the test looks at the data.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from prm.tenancy.scoping import tenant_scope

ROOT = Path(__file__).resolve().parents[2]
PARK_TIMEOUT = 60  # a busy 2-core CI machine; it normally parks within a few seconds

pytestmark = pytest.mark.django_db(transaction=True)  # the worker must see the committed set-up


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


class SharedDatabase:
    """The test database, as a worker process reaches it."""

    def __init__(self, directory: Path):
        self.copy: Path | None = None
        self.directory = directory

    def url_for_worker(self) -> str:
        db = connection.settings_dict
        if on_postgres():
            auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
            return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        if connection.vendor != "sqlite":
            # The project runs on PostgreSQL and SQLite only (settings, migrations and CI).
            raise RuntimeError(f"unsupported database backend for the kill tests: {connection.vendor}")
        if not connection.is_in_memory_db():
            return f"sqlite:///{db['NAME']}"
        self.copy = self.directory / "shared.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(self.copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return f"sqlite:///{self.copy}"

    def after_kill(self, seen: dict) -> None:
        if on_postgres():
            # The server notices the dead client and rolls its transaction back (releasing its locks)
            # asynchronously: wait until its backend is gone, so the next step does not race it.
            deadline = time.monotonic() + 10
            with connection.cursor() as cursor:
                while True:
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [seen["backend_pid"]])
                    if cursor.fetchone()[0] == 0:
                        return
                    if time.monotonic() > deadline:
                        pytest.fail("PostgreSQL still shows the killed worker's backend after 10 s")
                    time.sleep(0.02)
        if self.copy is not None:
            assert Path(f"{self.copy}-journal").exists()  # killed mid-transaction: a hot journal is left
            source = sqlite3.connect(self.copy)  # opening it rolls the hot journal back (crash recovery)
            try:
                source.backup(connection.connection)
            finally:
                source.close()


@pytest.fixture
def shared_db(tmp_path):
    return SharedDatabase(tmp_path)


@contextmanager
def parked_worker(shared_db: SharedDatabase, scenario: str, tenant, **args):
    """Start the worker; yield what it reports once parked inside its transaction (it is alive
    meanwhile); then SIGKILL it and wait until the database has dealt with its death."""
    signal_file = shared_db.directory / f"{scenario}.parked"
    log_file = shared_db.directory / f"{scenario}.log"
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}  # eager tasks, local cache
    env.update(DATABASE_URL=shared_db.url_for_worker(), DB_CONN_MAX_AGE="0", DJANGO_SETTINGS_MODULE="prm.settings",
               MEDIA_ROOT=str(settings.MEDIA_ROOT))
    payload = json.dumps({"tenant_id": str(tenant.pk), "signal": str(signal_file), **args})
    with open(log_file, "w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "tests.faults.victim", scenario, payload],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + PARK_TIMEOUT
        while not signal_file.exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                worker.kill()
                worker.wait(timeout=10)
                pytest.fail(f"the worker never reached its hook (exit {worker.returncode}):\n{log_file.read_text()}")
            time.sleep(0.02)
        seen = json.loads(signal_file.read_text())
        assert seen["pid"] == worker.pid
        yield seen
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL  # killed, not finished or crashed
        shared_db.after_kill(seen)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)


# --- 1. Nightly health run -------------------------------------------------------------------------


def test_health_worker_killed_mid_chunk_then_the_resumed_run_scores_every_partner_once(tenant, shared_db):
    from analytics.models import HealthRun, HealthRunChunk, PartnerHealthSnapshot
    from analytics.services.runs import health_chunk_run, health_run_drain, health_run_start
    from analytics.services.settings import STALE_AFTER
    from partners.models import Partner
    from tests.factories import PartnerFactory, TierFactory, events_at

    day = timezone.localdate()
    tier = TierFactory(tenant=tenant, rank=1)
    partners = [PartnerFactory(tenant=tenant, tier=tier, name=f"P{i}") for i in range(6)]
    with scopes_disabled():  # joined long ago, so today's run scores them
        Partner.objects.filter(tenant=tenant).update(joined_at=timezone.now() - timedelta(days=100))
    for i, p in enumerate(partners):
        events_at(tenant, p, "sign_in", list(range(1, 2 + i)), day=day)
    with tenant_scope(tenant):
        started = health_run_start(tenant=tenant, day=day, enqueue=False, chunk_size=2)
    assert started.status == "started" and len(started.chunk_ids) == 3

    def snapshot_partners():
        with scopes_disabled():
            return sorted(PartnerHealthSnapshot.objects.filter(tenant=tenant, date=day).values_list("partner_id", flat=True))

    def chunks():
        with scopes_disabled():
            return {c.seq: c for c in HealthRunChunk.objects.filter(run=started.run)}

    with parked_worker(shared_db, "health_chunks", tenant, chunk_ids=[str(c) for c in started.chunk_ids],
                       park_at_seq=1) as seen:
        assert seen["snapshots_in_my_transaction"] == 4  # chunk 0 committed + chunk 1 upserted, uncommitted
        if on_postgres():
            assert len(snapshot_partners()) == 2  # the others see chunk 0 only
            with tenant_scope(tenant):  # a second delivery of the chunk leaves it to the live worker
                assert health_chunk_run(tenant=tenant, chunk_id=started.chunk_ids[1]) == "busy"

    first_chunk = chunks()[0]
    assert {seq: c.status for seq, c in chunks().items()} == {0: "done", 1: "running", 2: "pending"}
    assert snapshot_partners() == sorted(p.pk for p in partners if first_chunk.first_id <= p.pk <= first_chunk.last_id)
    with scopes_disabled():
        run = HealthRun.objects.get(pk=started.run.pk)
    assert (run.status, run.chunks_done, run.partners_scored) == ("running", 1, 2)

    with tenant_scope(tenant):
        # Within STALE_AFTER the run still counts as in progress: no second run starts.
        assert health_run_start(tenant=tenant, day=day, enqueue=False).status == "running"
        later = timezone.now() + STALE_AFTER + timedelta(minutes=1)
        resumed = health_run_start(tenant=tenant, day=day, enqueue=False, now=later)
        assert resumed.status == "resumed" and resumed.run.pk == started.run.pk
        assert resumed.chunk_ids == started.chunk_ids[1:]  # only what is not done
        run = health_run_drain(tenant=tenant, run=resumed.run)

    assert run.status == "done" and run.attempts == 2
    assert (run.chunks_done, run.partners_scored, run.partners_total) == (3, 6, 6)
    assert snapshot_partners() == sorted(p.pk for p in partners)  # exactly one per partner and date
    with scopes_disabled():
        assert PartnerHealthSnapshot.objects.filter(tenant=tenant).count() == 6
        assert HealthRun.objects.filter(tenant=tenant).count() == 1
    assert {seq: (c.status, c.attempts) for seq, c in chunks().items()} == {
        0: ("done", 1), 1: ("done", 2), 2: ("done", 1)}


# --- 2. SPIF accruals ------------------------------------------------------------------------------


def test_spif_job_killed_mid_accrual_then_the_rerun_accrues_each_deal_once_per_program(tenant, shared_db):
    from incentives.models import Account, JournalEntry, JournalLine, SpifAccrual
    from incentives.services import ledger, spif_reevaluate
    from tests.factories import PartnerFactory, SpifProgramFactory, WonDealFactory

    partner = PartnerFactory(tenant=tenant)
    programs = {SpifProgramFactory(tenant=tenant, flat_amount=Decimal("500.00")): Decimal("500.00"),
                SpifProgramFactory(tenant=tenant, flat_amount=Decimal("250.00")): Decimal("250.00")}
    deals = [WonDealFactory(tenant=tenant, partner=partner, amount=Decimal("1000.00")) for _ in range(5)]

    def accruals():
        with scopes_disabled():
            return list(SpifAccrual.objects.filter(tenant=tenant).values_list("deal_id", "program_id", "pk"))

    def accrue_entries():
        with scopes_disabled():
            return Counter(JournalEntry.objects.filter(tenant=tenant, kind=JournalEntry.Kind.ACCRUE)
                           .values_list("object_id", flat=True))

    with parked_worker(shared_db, "spif_accruals", tenant, park_at_accrual=3) as seen:
        assert seen["accruals_in_my_transaction"] == 3
        assert seen["entries_in_my_transaction"] == 2 + 3  # two budget entries, three accruals
        if on_postgres():
            assert len(accruals()) == 2  # the third is not committed

    assert len(accruals()) == 2 and len(accrue_entries()) == 2  # the killed accrual left nothing
    with scopes_disabled():
        assert ledger.unbalanced_entries(tenant) == []

    with tenant_scope(tenant):
        assert spif_reevaluate(tenant=tenant) == {"accrued": 8, "reversed": 0}
        assert spif_reevaluate(tenant=tenant) == {"accrued": 0, "reversed": 0}  # and a re-run is a no-op

    rows = accruals()
    assert Counter((deal, program) for deal, program, _pk in rows) == Counter(
        {(d.pk, p.pk): 1 for d in deals for p in programs})  # exactly one per deal and program
    assert accrue_entries() == Counter({str(pk): 1 for _deal, _program, pk in rows})  # one ledger entry each
    with scopes_disabled():
        assert ledger.unbalanced_entries(tenant) == []
        totals = JournalLine.objects.filter(tenant=tenant).values_list("debit", "credit")
        assert sum(d for d, _c in totals) == sum(c for _d, c in totals)
        for program, amount in programs.items():
            assert ledger.balance(Account.SPIF_ACCRUED, program=program) == 5 * amount
            assert ledger.balance(Account.SPIF_AVAILABLE, program=program) == program.budget - 5 * amount


# --- 3. Partner CSV import -------------------------------------------------------------------------


def test_import_killed_half_way_leaves_nothing_and_the_redelivered_task_imports_each_row_once(
    tenant, shared_db, make_member
):
    from partners.models import Partner, PartnerImport, PartnerImportError, TierChange
    from partners.services.imports import partner_import_create, partner_import_run
    from partners.tasks import partner_import_task
    from partners.tests.test_imports import csv_bytes, upload
    from tests.factories import PartnerTypeFactory, TierFactory

    PartnerTypeFactory(tenant=tenant, code="reseller", name="Reseller")
    TierFactory(tenant=tenant, rank=1)
    manager = make_member(tenant, "channel_manager")
    rows = [{"name": f"Partner {i:04d}", "website": f"https://www.partner{i:04d}.com", "country": "DE",
             "partner_type": "reseller", "contact_email": f"sales@partner{i:04d}.com"} for i in range(2000)]
    with tenant_scope(tenant):
        imp = partner_import_create(tenant=tenant, upload=upload(csv_bytes(rows)), actor=manager)
    assert (imp.total_rows, imp.valid_rows) == (2000, 2000)
    with scopes_disabled():  # what partner_import_start does, without running the (eager) task here
        PartnerImport.objects.filter(pk=imp.pk).update(status="queued")

    def state():
        with scopes_disabled():
            return (PartnerImport.objects.get(pk=imp.pk).status, Partner.objects.filter(tenant=tenant).count(),
                    TierChange.objects.filter(tenant=tenant).count(),
                    PartnerImportError.objects.filter(tenant=tenant).count())

    with parked_worker(shared_db, "partner_import", tenant, import_id=str(imp.pk), batch_size=250,
                       park_after_batches=4) as seen:
        assert seen["partners_in_my_transaction"] == 1000
        if on_postgres():
            assert state() == ("running", 0, 0, 0)  # nothing visible while it runs
            with tenant_scope(tenant):  # a duplicate delivery leaves the file to the live worker
                assert partner_import_run(tenant=tenant, import_id=imp.pk).status == "running"
            assert state() == ("running", 0, 0, 0)

    assert state() == ("running", 0, 0, 0)  # killed half-way: nothing half-imported

    # The task is redelivered (acks_late, reject_on_worker_lost): it imports the whole file, once.
    assert partner_import_task.delay(str(imp.pk), tenant_id=str(tenant.pk)).get() == "done"
    assert partner_import_task.delay(str(imp.pk), tenant_id=str(tenant.pk)).get() == "done"  # and only once
    assert state() == ("done", 2000, 2000, 0)
    with scopes_disabled():
        imp.refresh_from_db()
        domains = Counter(Partner.objects.filter(tenant=tenant).values_list("domain", flat=True))
    assert (imp.processed_rows, imp.created_count, imp.updated_count, imp.error_rows) == (2000, 2000, 0, 0)
    assert domains == Counter({f"partner{i:04d}.com": 1 for i in range(2000)})
