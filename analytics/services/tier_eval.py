"""Tier evaluation for a chunk of partners, by the partners app's tier requirement rules, and the
HEALTH_SCORE metric provider we register for those rules (partners.metrics).

While a chunk is computed its health scores are not stored yet; the provider answers from
`chunk_scores` then, so a requirement check made meanwhile sees the scores being computed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

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


def _missing(results) -> list[dict]:
    return [{"metric": metric, "required": _plain(required), "actual": _plain(actual), "met": False}
            for metric, required, actual, met in results if not met]


def _plain(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value


def evaluate(tenant, *, day: date, partners: Iterable[dict], tiers: list, scores: dict) -> dict:
    """{partner_id: TierEval} for partners given as feature dicts (partner_id, tier_id, won_revenue_12m,
    active_certifications).

    The rules are partners.services.tiers': each tier's requirements come from its `tier_requirements`
    (read once per tier, not once per partner), a requirement is met when the value is known and at
    least the threshold, and a partner reaches a tier when it meets that tier and every tier below
    (the entry tier at least). The values are the same metrics the partners app's providers compute
    (won revenue of the last 12 months credited to the registering partner, certifications in force
    at the end of the day, the health score), taken from the chunk's features instead of being
    queried again: test_tier_evaluation_agrees_with_the_partners_requirement_check pins the parity
    with `tier_requirements_check`, which does the same per partner but is too slow for 100,000 of
    them (it builds every label and result object for every partner and tier).
    """
    from partners import metrics
    from partners.services.tiers import tier_requirements

    partners = list(partners)
    if not tiers:
        return {p["partner_id"]: TierEval("none") for p in partners}
    by_id = {t.pk: t for t in tiers}
    ladder = [(t, [(metric, required) for metric, _label, required in tier_requirements(t)]) for t in tiers]
    result = {}
    for p in partners:
        pid = p["partner_id"]
        values = {metrics.WON_REVENUE_12M: p["won_revenue_12m"], metrics.ACTIVE_CERTIFICATIONS: p["active_certifications"],
                  metrics.HEALTH_SCORE: scores.get(pid)}
        checks = []
        for tier, requirements in ladder:
            results = []
            for metric, required in requirements:
                actual = values.get(metric)
                results.append((metric, required, actual, actual is not None and actual >= required))
            checks.append((tier, results))
        reached = checks[0][0]
        for tier, results in checks:
            if not all(r[3] for r in results):
                break
            reached = tier
        current = by_id.get(p["tier_id"])
        if current is None or reached.rank > current.rank:
            recommendation = "promote"
        elif reached.rank < current.rank:
            recommendation = "demote"
        else:
            recommendation = "keep"
        evaluation = TierEval(recommendation, reached.pk)
        if recommendation == "demote":
            evaluation.missing = _missing(next(r for t, r in checks if t.pk == current.pk))
        above = current.rank if current is not None else 0
        nxt = next(((t, r) for t, r in checks if t.rank > max(above, reached.rank)), None)
        if nxt is not None:
            evaluation.next_tier_id = nxt[0].pk
            evaluation.next_tier_name = nxt[0].name
            evaluation.next_missing = _missing(nxt[1])
        result[pid] = evaluation
    return result
