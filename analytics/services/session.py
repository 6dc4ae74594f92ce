"""PostgreSQL session settings for the statements of a health run (a leaf; no-ops elsewhere)."""

from __future__ import annotations

from django.db import transaction


def tune_session(*, parallel: bool = True) -> None:
    """PostgreSQL, for the reads of this transaction only: no JIT compilation (it costs a few hundred
    milliseconds per aggregate query here and saves nothing on index-only scans of one chunk), and
    enough sort memory that grouping a chunk's deals (or sorting the churn training set) never
    spills to disk. Chunks run with parallel=False: every worker runs one at once, so a parallel
    plan inside a chunk only takes the CPU from another chunk (alternating
    whole nights on the benchmark: chunks 4.66-4.69 s with it, 4.48-4.55 s without)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
            if not parallel:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def check_constraints_now() -> None:
    """PostgreSQL: run the deferred foreign-key checks of the chunk's rows now (a tenth of a chunk),
    before its last statements update the run's progress: until the commit that row stays locked,
    and the other workers finishing a chunk would wait for these checks too."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
