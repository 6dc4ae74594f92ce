"""The routing decision for one lead at a time, in memory over a PartnerPool (no query per lead).

Rules are tried in order; the first whose lead conditions match and that finds a partner with
capacity routes the lead. Within a rule:
- named partner: that partner, if active, not already tried for this lead and with capacity;
- round robin: the eligible partner whose last offer is the oldest (never offered first);
- performance-weighted: a partner below the fairness floor (received < floor × due over the
  rolling window, by half a lead or more) first, the one furthest below; otherwise the highest win-rate weight per lead
  already received (weight / (received + 1)), which hands out leads in proportion to the weights.
Everything a decision considered is kept for its explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from leads.models import LeadAssignment, LeadRule
from leads.routing.pool import PartnerPool, RoutingConfig

EPS = 1e-9
# A partner counts as below the fairness floor once it is owed at least half a lead (floor × due −
# received ≥ ½): never more than half a lead short, without every cold start reading "fairness".
FLOOR_SLACK = 0.5
TOP = 5  # candidates kept in each explanation
Strategy = LeadAssignment.Strategy


@dataclass
class Decision:
    lead: Any
    partner_id: Any = None
    partner_name: str = ""
    rule: LeadRule | None = None
    strategy: str = ""
    reason: str = ""
    reason_data: dict = field(default_factory=dict)
    candidates: dict = field(default_factory=dict)

    @property
    def assigned(self) -> bool:
        return self.partner_id is not None

    @property
    def why(self) -> str:
        from leads.routing.explain import explain

        return explain(self.reason, self.reason_data)


class Router:
    def __init__(self, pool: PartnerPool, rules: list[LeadRule], config: RoutingConfig, now: datetime):
        self.pool, self.config, self.now = pool, config, now
        self.rules = [r for r in rules if r.is_active]
        self._groups: dict[tuple, np.ndarray] = {}

    # --- Who may receive the lead under a rule -------------------------------------------------------

    def _partner_mask(self, rule: LeadRule) -> np.ndarray:
        pool = self.pool
        mask = np.ones(len(pool), dtype=bool)
        if rule.partner_type_id:
            mask &= pool.type_ids == rule.partner_type_id
        if rule.min_tier_id:
            mask &= pool.tier_rank >= pool.tier_ranks.get(rule.min_tier_id, 10**6)
        if rule.specialty:
            mask &= pool.specialty_mask(rule.specialty)
        return mask

    def _members(self, rule: LeadRule, lead) -> tuple[np.ndarray, str]:
        """Indices of the partners eligible under the rule (capacity aside), or a problem code."""
        if rule.strategy == LeadRule.Strategy.NAMED:
            i = self.pool.index.get(rule.partner_id)
            return (np.array([i]), "") if i is not None else (np.array([], dtype=np.int64), "named_inactive")
        country = lead.country.code if lead.country else ""
        region = lead.effective_region
        if rule.match_territory and not (country or region):
            return np.array([], dtype=np.int64), "no_territory"
        key = (rule.pk or id(rule), country, region) if rule.match_territory else (rule.pk or id(rule),)
        if key not in self._groups:
            mask = self._partner_mask(rule)
            if rule.match_territory:
                mask &= self.pool.territory_mask(country, region)
            self._groups[key] = np.flatnonzero(mask)
        members = self._groups[key]
        return members, ("" if members.size else "no_eligible")

    # --- One lead ----------------------------------------------------------------------------------

    def route(self, lead, excluded=frozenset()) -> Decision:
        """Choose a partner for `lead`, never one in `excluded` (partners already offered it)."""
        if not self.rules:
            return Decision(lead, reason="no_rules")
        tried: list[dict] = []
        matched = False
        pool = self.pool
        excluded_idx = np.array([pool.index[p] for p in excluded if p in pool.index], dtype=np.int64)
        for rule in self.rules:
            if not rule.matches(lead):
                continue
            matched = True
            members, problem = self._members(rule, lead)
            if problem:
                tried.append({"rule": rule.name, "why": problem})
                continue
            eligible = int(members.size)
            if excluded_idx.size:
                members = members[~np.isin(members, excluded_idx)]
                if not members.size:
                    tried.append({"rule": rule.name, "why": "all_tried", "n": eligible})
                    continue
            available = members[pool.open[members] < pool.capacity[members]]
            if not available.size:
                tried.append({"rule": rule.name, "why": "at_capacity", "n": int(members.size)})
                continue
            return self._choose(lead, rule, members, available, tried, eligible - int(members.size))
        if not matched:
            country = lead.country.code if lead.country else ""
            return Decision(lead, reason="no_rule", reason_data={
                "country": country, "region": lead.effective_region, "industry": lead.industry,
                "size": lead.company_size, "product": str(lead.product_id or "")})
        return Decision(lead, reason="unassigned", reason_data={"tried": tried, "excluded": int(excluded_idx.size)})

    def _choose(self, lead, rule: LeadRule, members, available, tried, n_excluded) -> Decision:
        pool, floor = self.pool, self.config.floor
        pool.accrue_due(available)
        received, due, last = pool.received[available], pool.due[available], pool.last[available]
        deficit = floor * due - received
        behind = deficit >= FLOOR_SLACK - EPS
        below = int(behind.sum()) if rule.strategy == LeadRule.Strategy.PERFORMANCE and floor > 0 else 0
        if rule.strategy == LeadRule.Strategy.NAMED:
            order, strategy, reason = np.arange(available.size), Strategy.NAMED, "named_partner"
        elif rule.strategy == LeadRule.Strategy.ROUND_ROBIN:
            # Oldest last offer first; never-offered partners (-inf) lead, in name order.
            order, strategy, reason = np.lexsort((np.arange(available.size), last)), Strategy.ROUND_ROBIN, "round_robin"
        elif below:
            # Furthest below the floor first; among equals, the one waiting longest.
            order, strategy, reason = np.lexsort((last, -np.round(deficit, 9))), Strategy.PERFORMANCE, "fairness_floor"
        else:
            score = pool.weight[available] / (received + 1)
            order, strategy, reason = np.lexsort((last, -np.round(score, 12))), Strategy.PERFORMANCE, "performance"
        chosen = int(available[order[0]])
        data = self._figures(chosen)
        data.update(rule=rule.name, floor=floor, available=int(available.size))
        top = [self._candidate(int(available[j]), chosen) for j in order[:TOP]]
        candidates = {
            "eligible": int(members.size) + n_excluded, "available": int(available.size),
            "at_capacity": int(members.size - available.size), "excluded": n_excluded, "below_floor": below,
            "prior_rate": round(pool.prior_rate, 4), "prior_strength": self.config.prior_strength,
            "top": top, "tried": tried,
        }
        pool.record_offer(chosen)
        return Decision(lead, partner_id=pool.ids[chosen], partner_name=pool.names[chosen], rule=rule,
                        strategy=strategy, reason=reason, reason_data=data, candidates=candidates)

    def _figures(self, i: int) -> dict:
        pool = self.pool
        return {
            "partner": pool.names[i], "weight": round(float(pool.weight[i]), 4), "won": int(pool.won[i]),
            "trials": int(pool.trials[i]), "received": int(round(pool.received[i])),
            "due": round(float(pool.due[i]), 2), "open": int(pool.open[i]), "capacity": int(pool.capacity[i]),
            "last_offer": (datetime.fromtimestamp(pool.last[i], tz=UTC).isoformat() if np.isfinite(pool.last[i]) else None),
        }

    def _candidate(self, i: int, chosen: int) -> dict:
        return {"partner_id": str(self.pool.ids[i]), "chosen": i == chosen, **self._figures(i)}
