"""What routing knows about the tenant's partners, loaded set-based: eight queries however many
partners or leads (partners, tiers, capacities, open leads, offers decided, leads won, the fairness
ledger and the last offer per partner), held in numpy arrays so each lead's choice is a few vector
operations over its eligible partners instead of a query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Count, Max, Sum

from leads.models import Lead, LeadAssignment, LeadSettings, LeadShare, PartnerLeadProfile
from partners.models import Partner, Tier

# Win rates are measured over a year of offers (long enough to mean something, short enough to move).
PERFORMANCE_DAYS = 365
# The program's rate before it has any outcome: the prior's centre for everybody.
DEFAULT_RATE = 0.2
DECIDED = ("accepted", "declined", "expired")


@dataclass(frozen=True)
class RoutingConfig:
    accept_hours: int
    business_hours: bool
    floor: float
    window_days: int
    prior_strength: float
    default_capacity: int

    @classmethod
    def for_tenant(cls, tenant) -> RoutingConfig:
        s = LeadSettings.for_tenant(tenant)
        return cls(accept_hours=s.lead_accept_hours, business_hours=s.lead_business_hours,
                   floor=float(s.lead_fairness_floor), window_days=s.lead_window_days,
                   prior_strength=float(s.lead_prior_strength), default_capacity=s.lead_default_capacity)


class PartnerPool:
    """The tenant's active partners (in name order) and their routing figures. Mutable: routing a
    batch updates open leads, received and due as it goes, so lead 2 sees lead 1's assignment."""

    def __init__(self, tenant, *, now: datetime, config: RoutingConfig):
        self.tenant, self.now, self.config = tenant, now, config
        rows = list(Partner.objects.filter(tenant=tenant, status=Partner.Status.ACTIVE).order_by("name", "pk")
                    .values_list("pk", "name", "partner_type_id", "tier_id", "country", "regions", "specialties"))
        self.ids = [r[0] for r in rows]
        self.names = [r[1] for r in rows]
        self.index = {pk: i for i, pk in enumerate(self.ids)}
        n = len(rows)
        ranks = dict(Tier.objects.filter(tenant=tenant).values_list("pk", "rank"))
        self.tier_ranks = ranks
        self.type_ids = np.array([r[2] for r in rows], dtype=object)
        self.tier_rank = np.array([ranks.get(r[3], 0) for r in rows], dtype=np.int32)
        self.countries = np.array([r[4] or "" for r in rows], dtype=object)
        self._regions = [set(r[5] or []) for r in rows]
        self._specialties = [set(r[6] or []) for r in rows]
        self._region_masks: dict[str, np.ndarray] = {}
        self._specialty_masks: dict[str, np.ndarray] = {}

        self.capacity = np.full(n, config.default_capacity, dtype=np.int64)
        for pk, cap in PartnerLeadProfile.objects.filter(tenant=tenant).values_list("partner_id", "max_open_leads"):
            if pk in self.index:
                self.capacity[self.index[pk]] = cap
        self.open = np.zeros(n, dtype=np.int64)
        self._fill(self.open, Lead.objects.filter(tenant=tenant).held().values("partner_id")
                   .annotate(v=Count("pk")).values_list("partner_id", "v"))

        since = now - timedelta(days=PERFORMANCE_DAYS)
        self.trials = np.zeros(n, dtype=np.int64)
        self._fill(self.trials, LeadAssignment.objects.filter(
            tenant=tenant, partner__isnull=False, outcome__in=DECIDED, created_at__gte=since,
        ).values("partner_id").annotate(v=Count("pk")).values_list("partner_id", "v"))
        self.won = np.zeros(n, dtype=np.int64)
        self._fill(self.won, Lead.objects.filter(
            tenant=tenant, deal_outcome=Lead.DealOutcome.WON, won_at__gte=since, partner__isnull=False,
        ).values("partner_id").annotate(v=Count("pk")).values_list("partner_id", "v"))
        self.won = np.minimum(self.won, self.trials)  # a win whose offer is older than the year
        total_trials, total_won = int(self.trials.sum()), int(self.won.sum())
        self.prior_rate = min(max(total_won / total_trials, 0.01), 0.99) if total_trials else DEFAULT_RATE
        strength = config.prior_strength
        # Beta(a, b) prior centred on the program's rate; the posterior mean is the partner's weight.
        a, b = self.prior_rate * strength, (1 - self.prior_rate) * strength
        denominator = self.trials + a + b
        self.weight = np.where(denominator > 0, (self.won + a) / np.where(denominator > 0, denominator, 1),
                               self.prior_rate)

        window_start = (now - timedelta(days=config.window_days)).date()
        self.received = np.zeros(n, dtype=np.float64)
        self.due = np.zeros(n, dtype=np.float64)
        for pk, received, due in (LeadShare.objects.filter(tenant=tenant, day__gt=window_start)
                                  .values("partner_id").annotate(r=Sum("received"), d=Sum("due"))
                                  .values_list("partner_id", "r", "d")):
            if pk in self.index:
                self.received[self.index[pk]] = received or 0
                self.due[self.index[pk]] = due or 0.0
        # What this batch adds, written to the ledger afterwards.
        self.received_delta = np.zeros(n, dtype=np.float64)
        self.due_delta = np.zeros(n, dtype=np.float64)

        self.last = np.full(n, -np.inf)
        for pk, at in (LeadAssignment.objects.filter(tenant=tenant, partner__isnull=False, created_at__gte=since)
                       .values("partner_id").annotate(v=Max("created_at")).values_list("partner_id", "v")):
            if pk in self.index:
                self.last[self.index[pk]] = at.timestamp()
        # Offers made in this batch are later than anything before, in the order they were made.
        self.clock = max(now.timestamp(), float(self.last.max()) if n else 0.0)

    def _fill(self, array: np.ndarray, pairs) -> None:
        for pk, value in pairs:
            i = self.index.get(pk)
            if i is not None:
                array[i] = value

    def __len__(self) -> int:
        return len(self.ids)

    # --- Eligibility masks, computed once per distinct condition -------------------------------------

    def region_mask(self, region: str) -> np.ndarray:
        if region not in self._region_masks:
            self._region_masks[region] = np.array([region in rs for rs in self._regions], dtype=bool)
        return self._region_masks[region]

    def specialty_mask(self, specialty: str) -> np.ndarray:
        if specialty not in self._specialty_masks:
            self._specialty_masks[specialty] = np.array([specialty in s for s in self._specialties], dtype=bool)
        return self._specialty_masks[specialty]

    def territory_mask(self, country: str, region: str) -> np.ndarray:
        mask = np.zeros(len(self), dtype=bool)
        if country:
            mask |= self.countries == country
        if region:
            mask |= self.region_mask(region)
        return mask

    def record_offer(self, i: int) -> None:
        """Partner i received a lead (in this batch)."""
        self.received[i] += 1
        self.received_delta[i] += 1
        self.open[i] += 1
        self.clock += 0.001
        self.last[i] = self.clock

    def accrue_due(self, members: np.ndarray) -> float:
        """Each of the k partners that could have taken a lead was due 1/k of it."""
        share = 1.0 / members.size
        self.due[members] += share
        self.due_delta[members] += share
        return share
