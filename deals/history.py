"""Tamper-evident deal history: every entry carries the hash of the previous one.

The hash covers the entry's content (deal, sequence number, who, when, action, from → to, reason,
details) and the previous hash; the deal row stores the newest hash and the entry count. Editing,
deleting or re-ordering an entry, or dropping the newest ones, breaks `verify_chain`.
Appends happen while the caller holds the deal's row lock, so entries never race.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from deals.models import DealHistory, DealRegistration


def entry_hash(*, deal_id, seq: int, actor_id, actor_label: str, action: str, from_status: str, to_status: str,
               reason: str, changes: dict, internal: bool, created_at: datetime, prev_hash: str) -> str:
    payload = {
        "deal": str(deal_id), "seq": seq, "actor": str(actor_id or ""), "actor_label": actor_label,
        "action": action, "from": from_status, "to": to_status, "reason": reason, "changes": changes,
        "internal": internal, "at": created_at.astimezone(UTC).isoformat(), "prev": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hash_of(entry: DealHistory) -> str:
    return entry_hash(
        deal_id=entry.deal_id, seq=entry.seq, actor_id=entry.actor_id, actor_label=entry.actor_label,
        action=entry.action, from_status=entry.from_status, to_status=entry.to_status, reason=entry.reason,
        changes=entry.changes, internal=entry.internal, created_at=entry.created_at, prev_hash=entry.prev_hash,
    )


def _actor_label(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return (actor.get_full_name() or actor.email)[:200]


def _jsonable(changes: dict | None) -> dict:
    # Round-trip through JSON now, so the hash is computed over exactly what the database returns.
    return json.loads(json.dumps(changes or {}, default=str))


def build_entry(deal: DealRegistration, *, action: str, actor=None, from_status: str = "", to_status: str = "",
                reason: str = "", changes: dict | None = None, internal: bool = False,
                at: datetime | None = None) -> DealHistory:
    """The next entry of `deal`'s chain (unsaved); advances the deal's head in memory."""
    at = at or timezone.now()
    actor = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    entry = DealHistory(
        tenant_id=deal.tenant_id, deal=deal, seq=deal.history_count + 1, actor=actor,
        actor_label=_actor_label(actor), action=action, from_status=from_status, to_status=to_status,
        reason=reason or "", changes=_jsonable(changes), internal=internal, created_at=at,
        prev_hash=deal.history_head,
    )
    entry.hash = _hash_of(entry)
    deal.history_head = entry.hash
    deal.history_count = entry.seq
    return entry


def record(deal: DealRegistration, **kwargs) -> DealHistory:
    """Append one entry and persist the deal's new head (caller holds the deal's row lock)."""
    entry = build_entry(deal, **kwargs)
    entry.save(force_insert=True)
    DealRegistration.objects.filter(pk=deal.pk).update(history_head=deal.history_head, history_count=deal.history_count)
    return entry


@dataclass
class ChainProblem:
    deal_id: object
    seq: int | None
    message: str


def verify_chain(deal: DealRegistration, entries: Iterable[DealHistory]) -> list[ChainProblem]:
    """Problems found in one deal's chain (empty list = intact)."""
    problems: list[ChainProblem] = []
    prev = ""
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(ChainProblem(deal.pk, entry.seq, _("expected entry #%(expected)d, found #%(found)d") % {
                "expected": expected_seq, "found": entry.seq}))
            expected_seq = entry.seq
        if entry.prev_hash != prev:
            problems.append(ChainProblem(deal.pk, entry.seq, _("link to the previous entry broken")))
        if _hash_of(entry) != entry.hash:
            problems.append(ChainProblem(deal.pk, entry.seq, _("content does not match its hash (edited)")))
        prev = entry.hash
        expected_seq += 1
    if expected_seq - 1 != deal.history_count or prev != deal.history_head:
        problems.append(ChainProblem(deal.pk, None, _(
            "the deal records %(count)d entries ending in %(head)s, the chain has %(found)d ending in %(last)s "
            "(entries removed, or added outside the service)") % {
            "count": deal.history_count, "head": deal.history_head[:12], "found": expected_seq - 1, "last": prev[:12]}))
    return problems


def verify_deal(deal: DealRegistration) -> list[ChainProblem]:
    return verify_chain(deal, DealHistory.objects.filter(deal=deal).order_by("seq"))


def verify_tenant(tenant, *, chunk: int = 2000) -> tuple[int, list[ChainProblem]]:
    """(deals checked, problems) for every deal of the tenant, streaming entries in deal order."""
    problems: list[ChainProblem] = []
    checked = 0
    deals = DealRegistration.objects.filter(tenant=tenant).order_by("pk").only("pk", "history_head", "history_count")
    ids = list(deals.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        batch = {d.pk: d for d in deals.filter(pk__in=ids[start:start + chunk])}
        grouped: dict = {pk: [] for pk in batch}
        for entry in DealHistory.objects.filter(tenant=tenant, deal_id__in=list(batch)).order_by("deal_id", "seq").iterator(chunk_size=chunk):
            grouped[entry.deal_id].append(entry)
        for pk, deal in batch.items():
            problems.extend(verify_chain(deal, grouped[pk]))
            checked += 1
    return checked, problems
