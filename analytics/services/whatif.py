"""Tier what-if: which partners would move with other thresholds, and what it would cost.

Set-based: the latest snapshots already hold each partner's won revenue (12 months), active
certifications and health score, so the tier every partner would reach is one SQL CASE ladder
(climb from the entry tier while each tier's requirements are met), and the movers are counted
with one grouped query per scenario. The cost of benefits is the tier discount % × the partner's
won revenue (12 months), and the number of partners who gain or lose MDF eligibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from analytics.models import PartnerHealthSnapshot

ZERO = Decimal("0")


@dataclass(frozen=True)
class Thresholds:
    tier_id: object
    rank: int
    name: str
    min_won_revenue_12m: Decimal
    min_active_certifications: int
    min_health_score: int | None
    discount_percent: Decimal
    mdf_eligible: bool

    @classmethod
    def of(cls, tier, **changes) -> Thresholds:
        values = {"min_won_revenue_12m": tier.min_won_revenue_12m,
                  "min_active_certifications": tier.min_active_certifications,
                  "min_health_score": tier.min_health_score}
        values.update({k: v for k, v in changes.items() if k in values})
        return cls(tier.pk, tier.rank, tier.name, discount_percent=tier.discount_percent,
                   mdf_eligible=tier.mdf_eligible, **values)

    def met(self) -> Q:
        """The same rules as partners.services.tiers (a zero/empty requirement is not set)."""
        q = Q()
        if self.min_won_revenue_12m and self.min_won_revenue_12m > 0:
            q &= Q(won_revenue_12m__gte=self.min_won_revenue_12m)
        if self.min_active_certifications:
            q &= Q(active_certifications__gte=self.min_active_certifications)
        if self.min_health_score:
            q &= Q(score__gte=self.min_health_score)
        return q


def reached_rank(ladder: list[Thresholds]):
    """CASE WHEN met(t1) AND … AND met(t4) THEN 4 … WHEN met(t1) AND met(t2) THEN 2 ELSE 1: climbing
    from the entry tier, a partner reaches a tier when it meets that tier and every tier below."""
    whens = []
    for top in range(len(ladder) - 1, 0, -1):
        condition = Q()
        for t in ladder[: top + 1]:
            condition &= t.met()
        whens.append(When(condition, then=Value(ladder[top].rank)))
    return Case(*whens, default=Value(ladder[0].rank), output_field=IntegerField())


@dataclass
class Mover:
    partner_id: object
    name: str
    current: str
    proposed: str
    revenue: Decimal
    discount_change: Decimal


@dataclass
class WhatIf:
    """Movements are relative to each partner's actual tier on the snapshot date."""

    day: object
    partners: int = 0
    up: int = 0
    down: int = 0
    same: int = 0
    baseline_up: int = 0      # with the current thresholds (what the nightly evaluation recommends)
    baseline_down: int = 0
    cost_now: Decimal = ZERO
    cost_then: Decimal = ZERO
    mdf_gain: int = 0
    mdf_lose: int = 0
    matrix: list = field(default_factory=list)
    movers: list = field(default_factory=list)

    @property
    def cost_change(self) -> Decimal:
        return self.cost_then - self.cost_now


def _actual_rank(tiers: list):
    whens = [When(tier_id=t.pk, then=Value(t.rank)) for t in tiers]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def simulate(tenant, *, tiers: list, proposed: list[Thresholds], day=None, limit: int = 50) -> WhatIf:
    """Each active or onboarding partner's actual tier against the tier it would reach with the
    current and with the proposed thresholds, over the latest snapshots (two queries)."""
    from analytics.selectors.dashboard import latest_run

    if day is None:
        run = latest_run(tenant)
        day = run.date if run else None
    result = WhatIf(day=day)
    if day is None or not tiers:
        return result
    current = [Thresholds.of(t) for t in tiers]
    nobody = Thresholds(None, 0, "—", ZERO, 0, None, ZERO, False)
    actual_by_rank = {0: nobody, **{t.rank: t for t in current}}
    then_by_rank = {t.rank: t for t in proposed}
    snapshots = PartnerHealthSnapshot.objects.filter(tenant=tenant, date=day, status__in=("active", "onboarding"))
    annotated = snapshots.annotate(rank_actual=_actual_rank(tiers), rank_now=reached_rank(current),
                                   rank_then=reached_rank(proposed))
    cells = (annotated.values("rank_actual", "rank_now", "rank_then")
             .annotate(n=Count("id"), revenue=Sum("won_revenue_12m")).order_by())
    matrix: dict = {}
    for cell in cells:
        actual, then = actual_by_rank[cell["rank_actual"]], then_by_rank[cell["rank_then"]]
        revenue, n = cell["revenue"] or ZERO, cell["n"]
        result.partners += n
        direction = (cell["rank_then"] > cell["rank_actual"]) - (cell["rank_then"] < cell["rank_actual"])
        result.up += n if direction > 0 else 0
        result.down += n if direction < 0 else 0
        result.same += n if direction == 0 else 0
        result.baseline_up += n if cell["rank_now"] > cell["rank_actual"] else 0
        result.baseline_down += n if cell["rank_now"] < cell["rank_actual"] else 0
        result.cost_now += revenue * actual.discount_percent / 100
        result.cost_then += revenue * then.discount_percent / 100
        if then.mdf_eligible and not actual.mdf_eligible:
            result.mdf_gain += n
        elif actual.mdf_eligible and not then.mdf_eligible:
            result.mdf_lose += n
        key = (cell["rank_actual"], cell["rank_then"])
        entry = matrix.setdefault(key, {"from": actual.name, "to": then.name, "partners": 0, "revenue": ZERO,
                                        "direction": direction})
        entry["partners"] += n
        entry["revenue"] += revenue
    result.matrix = sorted(matrix.values(), key=lambda c: (-c["direction"], c["from"], c["to"]))
    result.cost_now = result.cost_now.quantize(Decimal("0.01"))
    result.cost_then = result.cost_then.quantize(Decimal("0.01"))
    movers = (annotated.exclude(rank_actual=F("rank_then")).select_related("partner")
              .order_by("-won_revenue_12m", "partner__name")[:limit])
    for s in movers:
        actual, then = actual_by_rank[s.rank_actual], then_by_rank[s.rank_then]
        result.movers.append(Mover(s.partner_id, s.partner.name, actual.name, then.name, s.won_revenue_12m,
                                   then.discount_percent - actual.discount_percent))
    return result


def tier_thresholds_save(*, tenant, tiers: list, proposed: list[Thresholds], actor, request=None) -> int:
    """Save the simulated thresholds on the tiers (validated, audited). Returns how many changed."""
    from partners.models import Tier
    from prm.audit.services import audit_log

    by_id = {t.tier_id: t for t in proposed}
    changed = 0
    with transaction.atomic():
        for tier in Tier.objects.select_for_update().filter(tenant=tenant, pk__in=[t.pk for t in tiers]):
            new = by_id[tier.pk]
            before = {"min_won_revenue_12m": Decimal(tier.min_won_revenue_12m),
                      "min_active_certifications": tier.min_active_certifications,
                      "min_health_score": tier.min_health_score}
            tier.min_won_revenue_12m = new.min_won_revenue_12m
            tier.min_active_certifications = new.min_active_certifications
            tier.min_health_score = new.min_health_score
            after = {"min_won_revenue_12m": Decimal(tier.min_won_revenue_12m),
                     "min_active_certifications": tier.min_active_certifications,
                     "min_health_score": tier.min_health_score}
            if before == after:  # numerically: 0 and 0.00 are the same requirement
                continue
            try:
                tier.full_clean()
            except ValidationError as exc:
                raise ValidationError({tier.name: exc.messages}) from exc
            tier.save(update_fields=list(after))
            audit_log(tenant=tenant, actor=actor, action="tier.thresholds", obj=tier, request=request,
                      changes={"before": {**before, "min_won_revenue_12m": str(before["min_won_revenue_12m"])},
                               "after": {**after, "min_won_revenue_12m": str(after["min_won_revenue_12m"])}})
            changed += 1
    return changed
