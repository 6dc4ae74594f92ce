"""Analytics test data: events at chosen ages, MDF rows written directly, and snapshots in bulk."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django_scopes import scopes_disabled

from analytics.models import AnalyticsSettings, HealthRun, PartnerHealthSnapshot
from prm.events.models import EngagementEvent
from tests.factories.base import ScopedFactory
from tests.factories.core import TenantFactory
from tests.factories.partners import PartnerFactory

__all__ = ["AnalyticsSettingsFactory", "SnapshotFactory", "events_at", "at_days_ago", "mdf_allocation",
           "HealthRunFactory"]


def at_days_ago(day: date, days: int, hour: int = 12) -> datetime:
    """Noon, `days` days before `day` (so windows counted in whole days are unambiguous)."""
    return timezone.make_aware(datetime.combine(day - timedelta(days=days), time(hour)))


def events_at(tenant, partner, kind: str, days_ago: list[int], *, day: date, user=None) -> list[EngagementEvent]:
    """One event of `kind` for each age in days before `day`."""
    with scopes_disabled():
        return EngagementEvent.objects.bulk_create([
            EngagementEvent(tenant=tenant, partner=partner, user=user, kind=kind, occurred_at=at_days_ago(day, d))
            for d in days_ago
        ])


def mdf_allocation(tenant, partner, *, amount: Decimal, used: Decimal = Decimal("0"), currency: str = "USD",
                   day: date | None = None):
    """A current-period MDF allocation and (when used > 0) one pre-approved request, written directly."""
    from incentives.models import MdfAllocation, MdfFund, MdfRequest

    day = day or timezone.localdate()
    with scopes_disabled():
        fund = MdfFund.objects.create(tenant=tenant, name=f"Fund {uuid.uuid4().hex[:6]}", currency=currency,
                                      start_date=day - timedelta(days=30), end_date=day + timedelta(days=60),
                                      budget=Decimal("1000000"))
        allocation = MdfAllocation.objects.create(tenant=tenant, fund=fund, partner=partner, currency=currency,
                                                  amount=amount, rate=Decimal("1"), fund_amount=amount,
                                                  created_at=at_days_ago(day, 20))
        if used:
            MdfRequest.objects.create(
                tenant=tenant, allocation=allocation, fund=fund, partner=partner, activity_type="webinar",
                title="Webinar", description="A webinar.", start_date=day, end_date=day, currency=currency,
                requested_amount=used, approved_amount=used, status="approved",
                campaign_code=uuid.uuid4().hex[:10].upper(), submitted_at=at_days_ago(day, 10))
    return allocation


class AnalyticsSettingsFactory(ScopedFactory):
    class Meta:
        model = AnalyticsSettings
        django_get_or_create = ("tenant",)

    tenant = factory.SubFactory(TenantFactory)


class HealthRunFactory(ScopedFactory):
    class Meta:
        model = HealthRun

    tenant = factory.SubFactory(TenantFactory)
    date = factory.LazyFunction(timezone.localdate)
    status = HealthRun.Status.DONE
    started_at = factory.LazyFunction(timezone.now)
    heartbeat_at = factory.LazyAttribute(lambda o: o.started_at)
    finished_at = factory.LazyAttribute(lambda o: o.started_at if o.status != HealthRun.Status.RUNNING else None)


class SnapshotFactory(ScopedFactory):
    """A stored snapshot with chosen features (for churn training data and page tests)."""

    class Meta:
        model = PartnerHealthSnapshot

    tenant = factory.SubFactory(TenantFactory)
    partner = factory.LazyAttribute(lambda o: PartnerFactory(tenant=o.tenant))
    date = factory.LazyFunction(timezone.localdate)
    status = "active"
    score = 50
    churn_risk = 0.1
    computed_at = factory.LazyFunction(timezone.now)
