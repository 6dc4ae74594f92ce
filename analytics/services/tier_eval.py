"""Tier evaluation for a chunk of partners through the partners app's requirement check.

`partners.services.tiers.tier_requirements_check` asks every registered metric provider once for
the whole chunk (won revenue from deals, certifications from content, health score from us).
The health score of the partners being scored is not stored yet when their tiers are evaluated,
so our provider answers from `chunk_scores` while a chunk is computed.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Iterator

_chunk_scores: contextvars.ContextVar[dict | None] = contextvars.ContextVar("analytics_chunk_scores", default=None)


@contextmanager
def chunk_scores(scores: dict) -> Iterator[None]:
    token = _chunk_scores.set(scores)
    try:
        yield
    finally:
        _chunk_scores.reset(token)


def health_score_provider(tenant, partner_ids: list, as_of: date) -> dict:
    """partners.metrics HEALTH_SCORE: the score of the latest snapshot up to `as_of` (two queries),
    or the scores being computed right now for the chunk in progress."""
    import uuid

    from analytics.models import PartnerHealthSnapshot

    pending = _chunk_scores.get()
    keys = {pid: (pid if isinstance(pid, uuid.UUID) else uuid.UUID(str(pid))) for pid in partner_ids}
    if pending is not None and all(k in pending for k in keys.values()):
        return {pid: pending[k] for pid, k in keys.items()}
    from prm.tenancy.scoping import tenant_scope

    with tenant_scope(tenant):
        snapshots = PartnerHealthSnapshot.objects.filter(tenant=tenant, date__lte=as_of,
                                                         date__gt=as_of - timedelta(days=31))
        latest = snapshots.order_by("-date").values_list("date", flat=True).first()
        scores = dict(snapshots.filter(date=latest, partner_id__in=list(keys.values())).values_list("partner_id", "score")) \
            if latest else {}
    if pending:
        scores.update(pending)
    return {pid: scores.get(k) for pid, k in keys.items()}


@dataclass
class TierEval:
    recommendation: str                 # promote | demote | keep | none
    recommended_tier_id: object = None
    missing: list = field(default_factory=list)        # requirements of the current tier not met (demote)
    next_tier_id: object = None
    next_tier_name: str = ""
    next_missing: list = field(default_factory=list)   # what the tier above the current one still needs


def _missing(check) -> list[dict]:
    out = []
    for r in check.missing:
        item = r.as_dict()
        item.pop("label", None)  # labels are translated when shown
        out.append(item)
    return out


def evaluate(tenant, *, day: date, partners: Iterable[dict], tiers: list, scores: dict) -> dict:
    """{partner_id: TierEval} for partners given as dicts with partner_id and tier_id."""
    from partners.services.tiers import tier_requirements_check

    partners = list(partners)
    if not tiers:
        return {p["partner_id"]: TierEval("none") for p in partners}
    by_id = {t.pk: t for t in tiers}
    with chunk_scores(scores):
        checks = tier_requirements_check(tenant=tenant, partner_ids=[p["partner_id"] for p in partners],
                                         as_of=day, tiers=tiers)
    result = {}
    for p in partners:
        tier_checks = checks[p["partner_id"]]
        reached = tier_checks[0].tier
        for check in tier_checks:
            if not check.met:
                break
            reached = check.tier
        current = by_id.get(p["tier_id"])
        if current is None or reached.rank > current.rank:
            recommendation = "promote"
        elif reached.rank < current.rank:
            recommendation = "demote"
        else:
            recommendation = "keep"
        evaluation = TierEval(recommendation, reached.pk)
        if recommendation == "demote":
            current_check = next(c for c in tier_checks if c.tier.pk == current.pk)
            evaluation.missing = _missing(current_check)
        above = current.rank if current is not None else 0
        next_check = next((c for c in tier_checks if c.tier.rank > max(above, reached.rank)), None)
        if next_check is not None:
            evaluation.next_tier_id = next_check.tier.pk
            evaluation.next_tier_name = next_check.tier.name
            evaluation.next_missing = _missing(next_check)
        result[p["partner_id"]] = evaluation
    return result
