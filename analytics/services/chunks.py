"""Partner-id ranges a health run (and the churn training sample) is split into (a leaf)."""

from __future__ import annotations

from django.db.models import F, Window
from django.db.models.functions import Mod, RowNumber

from analytics.services.features import MAX_UUID, MIN_UUID

# Partners per chunk: a chunk takes seconds (well under the broker's 3600 s visibility timeout).
# On PostgreSQL a chunk is one statement (sql_chunk); 10,000 partners per statement cost about a
# sixth less per partner than 5,000 (fewer, larger index range scans and upserts, half the planning).
CHUNK_SIZE = 10000


def chunk_bounds(tenant, size: int) -> list[tuple]:
    """Contiguous [first, last] partner-id ranges covering the whole id space, `size` partners each."""
    from partners.models import Partner

    # The database numbers the ids and returns every size-th one (reading all 100,000 ids of a large
    # tenant into Python took 0.3 s of the run's start, before any chunk could begin).
    numbered = Partner.objects.filter(tenant=tenant).annotate(n=Window(RowNumber(), order_by=F("id").asc()))
    starts = list(numbered.annotate(offset=Mod(F("n") - 1, size)).filter(offset=0).order_by("id")
                  .values_list("id", flat=True)) or [MIN_UUID]
    bounds = []
    for i, _start in enumerate(starts):
        first = MIN_UUID if i == 0 else starts[i]
        last = MAX_UUID if i == len(starts) - 1 else type(MIN_UUID)(int=starts[i + 1].int - 1)
        bounds.append((first, last))
    return bounds
