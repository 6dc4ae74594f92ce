"""Demo analytics: engagement history, then real health runs for the last 12 weeks and today.

Runs after the other apps' seeders (INSTALLED_APPS order). Idempotent: history is added once
(marked {"demo": true}), and a date that already has a finished run is not computed again.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from analytics.models import HealthRun
from analytics.services.backfill import backfill_events
from analytics.services.runs import health_compute
from analytics.services.settings import analytics_settings
from prm.events.models import EngagementEvent
from prm.tenancy.demo import DemoContext

WEEKS = 12
# Days since joining by status (the partners demo creates everyone "now").
JOINED_DAYS = {"active": (200, 420), "onboarding": (20, 45), "prospect": (5, 15), "suspended": (250, 320),
               "churned": (330, 400)}
# Sign-in pattern per status: (first day ago, last day ago, average gap in days).
SIGN_INS = {"active": (150, 1, 4), "onboarding": (40, 2, 6), "suspended": (300, 110, 10), "churned": (380, 150, 12)}
FADING = (3, 6)  # these active partners (by position) stopped engaging five weeks ago: they show up at risk


def _age_partners(ctx: DemoContext, rng: random.Random) -> None:
    """Spread the demo partners' join dates over the past year (they were all created just now)."""
    from partners.models import Partner

    now = timezone.now()
    for partner in ctx.extra.get("partners", []):
        if partner.joined_at < now - timedelta(days=1):
            continue  # already aged by an earlier seed
        low, high = JOINED_DAYS.get(partner.status, (30, 60))
        joined = now - timedelta(days=rng.randint(low, high))
        Partner.objects.filter(pk=partner.pk).update(joined_at=joined)
        partner.joined_at = joined


def _sign_ins(ctx: DemoContext, rng: random.Random) -> None:
    tenant = ctx.tenant
    if EngagementEvent.objects.filter(tenant=tenant, kind="sign_in", data__demo=True).exists():
        return
    from prm.tenancy.models import Membership

    users = {}
    for m in Membership.objects.filter(tenant=tenant, partner__isnull=False).order_by("created_at"):
        users.setdefault(m.partner_id, []).append(m.user_id)
    now = timezone.now()
    events = []
    active_seen = 0
    for partner in ctx.extra.get("partners", []):
        pattern = SIGN_INS.get(partner.status)
        if pattern is None:
            continue
        first, last, gap = pattern
        if partner.status == "active":
            active_seen += 1
            if active_seen in FADING:
                last = 35  # fading partner: nothing in the last five weeks
        day = first
        while day >= last:
            who = users.get(partner.pk) or [None]
            events.append(EngagementEvent(
                tenant=tenant, partner=partner, user_id=rng.choice(who), kind="sign_in", data={"demo": True},
                occurred_at=now - timedelta(days=day, hours=rng.randint(0, 10))))
            if rng.random() < 0.5:
                events.append(EngagementEvent(
                    tenant=tenant, partner=partner, kind="content_viewed", data={"demo": True},
                    occurred_at=now - timedelta(days=day, hours=rng.randint(0, 10), minutes=5)))
            day -= max(1, int(rng.expovariate(1 / gap)))
    EngagementEvent.objects.bulk_create(events, batch_size=1000)


def seed(ctx: DemoContext) -> None:
    tenant = ctx.tenant
    rng = random.Random(f"analytics-{tenant.slug}")
    analytics_settings(tenant)
    _age_partners(ctx, rng)
    backfill_events(tenant=tenant)
    _sign_ins(ctx, rng)
    today = timezone.localdate()
    done = set(HealthRun.objects.filter(tenant=tenant, status=HealthRun.Status.DONE).values_list("date", flat=True))
    # The real computation, oldest date first (each run's churn model only sees the past), then today.
    for weeks_ago in range(WEEKS - 1, 0, -1):
        day = today - timedelta(weeks=weeks_ago)
        if day not in done:
            health_compute(tenant=tenant, day=day, trigger=HealthRun.Trigger.BACKFILL)
    if today not in done:
        health_compute(tenant=tenant, day=today, trigger=HealthRun.Trigger.SCHEDULE)
