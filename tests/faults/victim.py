"""A worker process for test_killed_processes.py: it runs a real job and parks itself mid-transaction.

    python -m tests.faults.victim <scenario> <json arguments>

The job runs with the production code; one hook (a service's test hook or a wrapped internal
function) fires at the chosen point, *inside* the job's open transaction: it writes what the
worker sees at that moment as JSON to `signal` (its own uncommitted rows included, and its
PostgreSQL backend pid) and sleeps. The test then SIGKILLs the process: no exception handler,
no `finally`, no rollback issued by the client: the database has to cope on its own.

The database comes from DATABASE_URL (the test database, see SharedDatabase in the test).
"""

from __future__ import annotations

import json
import os
import sys
import time

PARK_SECONDS = 120  # far longer than any test waits: the test kills us before this ends


def park(signal: str, **seen) -> None:
    """Tell the test where we are (atomically: write, then rename) and wait to be killed."""
    from django.db import connection

    if connection.vendor == "postgresql":
        seen["backend_pid"] = connection.connection.info.backend_pid
    seen["pid"] = os.getpid()
    with open(signal + ".tmp", "w") as handle:
        json.dump(seen, handle)
    os.replace(signal + ".tmp", signal)
    time.sleep(PARK_SECONDS)
    sys.exit("victim: nobody killed me")


def health_chunks(tenant, args: dict) -> None:
    """Run the chunks in order (like bench.analytics.measure._worker); park inside chunk `park_at_seq`,
    after its snapshot upsert and before the transaction that would mark it done commits."""
    from analytics.models import HealthRunChunk, PartnerHealthSnapshot
    from analytics.services.runs import health_chunk_run

    def hook(chunk):
        if chunk.seq == args["park_at_seq"]:
            park(args["signal"], seq=chunk.seq, snapshots_in_my_transaction=PartnerHealthSnapshot.objects.filter(
                tenant=tenant, date=chunk.run.date).count())

    for chunk_id in HealthRunChunk.objects.filter(pk__in=args["chunk_ids"]).order_by("seq").values_list("pk", flat=True):
        health_chunk_run(tenant=tenant, chunk_id=chunk_id, fail_hook=hook)


def spif_accruals(tenant, args: dict) -> None:
    """The nightly SPIF job; park inside the n-th accrual, after its ledger entry and audit row."""
    from incentives.models import JournalEntry, SpifAccrual
    from incentives.services import spif, spif_reevaluate

    real_audit_log = spif.audit_log
    accruals = {"n": 0}

    def audit_log(**kwargs):
        real_audit_log(**kwargs)
        if kwargs.get("action") == "spif.accrue":
            accruals["n"] += 1
            if accruals["n"] == args["park_at_accrual"]:
                park(args["signal"], accruals_in_my_transaction=SpifAccrual.objects.filter(tenant=tenant).count(),
                     entries_in_my_transaction=JournalEntry.objects.filter(tenant=tenant).count())

    spif.audit_log = audit_log
    spif_reevaluate(tenant=tenant)


def partner_import(tenant, args: dict) -> None:
    """The import task; park after `park_after_batches` batches have been written."""
    from django.conf import settings

    from partners.models import Partner
    from partners.services import imports
    from partners.tasks import partner_import_task

    settings.PRM_IMPORT_BATCH_SIZE = args["batch_size"]
    real_batch = imports._import_batch
    batches = {"n": 0}

    def import_batch(*a, **kw):
        real_batch(*a, **kw)
        batches["n"] += 1
        if batches["n"] == args["park_after_batches"]:
            park(args["signal"], partners_in_my_transaction=Partner.objects.filter(tenant=tenant).count())

    imports._import_batch = import_batch
    partner_import_task(args["import_id"], tenant_id=str(tenant.pk))


SCENARIOS = {"health_chunks": health_chunks, "spif_accruals": spif_accruals, "partner_import": partner_import}


def main(scenario: str, raw_args: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
    import django

    django.setup()
    from prm.celery import app
    from prm.tenancy.models import Tenant
    from prm.tenancy.scoping import tenant_scope

    app.conf.task_always_eager = True  # whatever the job enqueues runs here (no broker needed)
    args = json.loads(raw_args)
    tenant = Tenant.objects.get(pk=args["tenant_id"])
    with tenant_scope(tenant):
        SCENARIOS[scenario](tenant, args)
    sys.exit("victim: the job finished without reaching its hook")


if __name__ == "__main__":
    main(*sys.argv[1:3])
