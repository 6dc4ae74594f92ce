"""A small hand-built program whose scores are worked out by hand in test_health_scores.py.

Day D is today. Tiers: Registered (rank 1, no requirements), Silver (rank 2: USD 50,000 won in 12
months and one active certification; 10 % discount).

Northwind (active, Registered, joined 200 days ago)
  events: 4 sign-ins (3, 8, 15, 25 days ago) + 6 content views (1, 2, 4, 6, 10, 20 days ago) → 10 in 30 days
          5 content views 35–55 days ago → 5 in the 30 days before
  deals:  registered 10 and 50 days ago (2 in 90 days); won 20 days ago (USD 30,000); lost 40 days ago;
          an open one registered 100 days ago (USD 12,000, approved)
  onboarding: 3 of 4 steps done; one active certification; MDF USD 10,000 allocated, 2,500 used
Contoso (active, Silver, joined 300 days ago)
  events: sign-ins 45 and 50 days ago, 2 content views 40 days ago → 0 in 30 days, 4 in the 30 before
  nothing else
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.factories import (
    CertificationFactory,
    CourseFactory,
    DealFactory,
    OnboardingPathFactory,
    OnboardingStepFactory,
    PartnerFactory,
    PartnerTypeFactory,
    TierFactory,
    at_days_ago,
    events_at,
    mdf_allocation,
)


@pytest.fixture
def day():
    return timezone.localdate()


@pytest.fixture
def program(tenant, day, make_member):
    from partners.models import Partner, PartnerOnboarding, StepCompletion

    registered = TierFactory(tenant=tenant, rank=1, name="Registered")
    silver = TierFactory(tenant=tenant, rank=2, name="Silver", min_won_revenue_12m=Decimal("50000"),
                         min_active_certifications=1, discount_percent=Decimal("10"))
    reseller = PartnerTypeFactory(tenant=tenant, code="reseller", name="Reseller")
    northwind = PartnerFactory(tenant=tenant, name="Northwind", tier=registered, partner_type=reseller,
                               regions=["EMEA"])
    contoso = PartnerFactory(tenant=tenant, name="Contoso", tier=silver, partner_type=reseller, regions=["NA"])
    with scopes_disabled():
        Partner.objects.filter(pk=northwind.pk).update(joined_at=at_days_ago(day, 200))
        Partner.objects.filter(pk=contoso.pk).update(joined_at=at_days_ago(day, 300))
    user = make_member(tenant, "partner_admin", partner=northwind)

    events_at(tenant, northwind, "sign_in", [3, 8, 15, 25], day=day, user=user)
    events_at(tenant, northwind, "content_viewed", [1, 2, 4, 6, 10, 20], day=day, user=user)
    events_at(tenant, northwind, "content_viewed", [35, 40, 45, 50, 55], day=day, user=user)
    events_at(tenant, contoso, "sign_in", [45, 50], day=day)
    events_at(tenant, contoso, "content_viewed", [40, 40], day=day)

    DealFactory(tenant=tenant, partner=northwind, submitted_at=at_days_ago(day, 10))
    DealFactory(tenant=tenant, partner=northwind, submitted_at=at_days_ago(day, 50), status="won",
                amount=Decimal("30000"), won_amount=Decimal("30000"), won_base_amount=Decimal("30000"),
                closed_on=day - timedelta(days=20), decided_at=at_days_ago(day, 49))
    DealFactory(tenant=tenant, partner=northwind, submitted_at=at_days_ago(day, 120), status="lost",
                closed_on=day - timedelta(days=40), decided_at=at_days_ago(day, 119), lost_reason="Budget")
    DealFactory(tenant=tenant, partner=northwind, submitted_at=at_days_ago(day, 100), status="approved",
                amount=Decimal("12000"), decided_at=at_days_ago(day, 99))

    path = OnboardingPathFactory(tenant=tenant, partner_type=reseller)
    steps = [OnboardingStepFactory(path=path, order=i) for i in range(1, 5)]
    with scopes_disabled():
        onboarding = PartnerOnboarding.objects.create(tenant=tenant, partner=northwind, path=path,
                                                      started_at=at_days_ago(day, 190),
                                                      last_progress_at=at_days_ago(day, 100))
        for step in steps[:3]:
            StepCompletion.objects.create(tenant=tenant, onboarding=onboarding, step=step,
                                          completed_at=at_days_ago(day, 150))
    course = CourseFactory(tenant=tenant, title="Cloud fundamentals")
    CertificationFactory(course=course, user=user, partner=northwind, issued_at=at_days_ago(day, 30))
    CourseFactory(tenant=tenant, title="Security specialist")
    mdf_allocation(tenant, northwind, amount=Decimal("10000"), used=Decimal("2500"), day=day)
    return {"northwind": northwind, "contoso": contoso, "registered": registered, "silver": silver, "user": user,
            "course": course}


@pytest.fixture
def bigger(tenant, program, day):
    """Two more partners: a new MSP in APAC activated within 90 days, and a suspended one."""
    from deals.models import DealPartner
    from partners.models import Partner

    msp = PartnerTypeFactory(tenant=tenant, code="msp", name="MSP")
    fabrikam = PartnerFactory(tenant=tenant, name="Fabrikam", tier=program["silver"], partner_type=msp,
                              regions=["APAC"], status="onboarding")
    lucerne = PartnerFactory(tenant=tenant, name="Lucerne", tier=program["registered"], partner_type=msp,
                             regions=["EMEA", "APAC"], status="suspended")
    with scopes_disabled():
        Partner.objects.filter(pk=fabrikam.pk).update(joined_at=at_days_ago(day, 20))
        Partner.objects.filter(pk=lucerne.pk).update(joined_at=at_days_ago(day, 400))
    events_at(tenant, fabrikam, "content_downloaded", [2, 3], day=day)
    events_at(tenant, fabrikam, "course_completed", [5], day=day)
    # Approved 5 days after joining, inside the SLA; a later one decided late; Lucerne's old won deal.
    DealFactory(tenant=tenant, partner=fabrikam, submitted_at=at_days_ago(day, 16), status="approved",
                decided_at=at_days_ago(day, 15), amount=Decimal("7000"))
    late = DealFactory(tenant=tenant, partner=fabrikam, submitted_at=at_days_ago(day, 12), status="rejected",
                       amount=Decimal("3000"))
    with scopes_disabled():
        from deals.models import DealRegistration

        DealRegistration.objects.filter(pk=late.pk).update(decided_at=late.sla_due_at + timedelta(hours=5))
        won = DealRegistration.objects.get(partner=program["northwind"], status="won")
        DealPartner.objects.create(tenant=tenant, deal=won, partner=fabrikam, role="influenced")
    DealFactory(tenant=tenant, partner=lucerne, submitted_at=at_days_ago(day, 300), status="won",
                won_amount=Decimal("5000"), won_base_amount=Decimal("5000"), closed_on=day - timedelta(days=200),
                decided_at=at_days_ago(day, 299))
    return {**program, "fabrikam": fabrikam, "lucerne": lucerne, "msp": msp}
