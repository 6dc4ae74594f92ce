from datetime import timedelta

import factory
from django.utils import timezone

from partners.models import (
    Agreement,
    IdealPartnerProfile,
    IdealProfileCriterion,
    OnboardingPath,
    OnboardingStep,
    Partner,
    PartnerApplication,
    PartnerSettings,
    PartnerType,
    Tier,
    content_hash,
)
from tests.factories.base import ScopedFactory
from tests.factories.core import TenantFactory

__all__ = [
    "PartnerTypeFactory", "TierFactory", "PartnerFactory", "PartnerApplicationFactory", "IdealPartnerProfileFactory",
    "CriterionFactory", "OnboardingPathFactory", "OnboardingStepFactory", "AgreementFactory",
]


class PartnerTypeFactory(ScopedFactory):
    class Meta:
        model = PartnerType
        django_get_or_create = ("tenant", "code")

    tenant = factory.SubFactory(TenantFactory)
    code = "reseller"
    name = factory.LazyAttribute(lambda o: o.code.title())


class TierFactory(ScopedFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("tenant", "rank")

    tenant = factory.SubFactory(TenantFactory)
    rank = 1
    name = factory.LazyAttribute(lambda o: {1: "Registered", 2: "Silver", 3: "Gold", 4: "Platinum"}.get(o.rank, f"Tier {o.rank}"))


class PartnerFactory(ScopedFactory):
    class Meta:
        model = Partner

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    domain = factory.Sequence(lambda n: f"partner{n}.example")
    website = factory.LazyAttribute(lambda o: f"https://www.{o.domain}")
    country = "US"
    # Related rows follow the partner's tenant, so a test cannot mix tenants by accident.
    partner_type = factory.LazyAttribute(lambda o: PartnerTypeFactory(tenant=o.tenant))
    tier = factory.LazyAttribute(lambda o: TierFactory(tenant=o.tenant))
    status = "active"


# --- Recruitment, onboarding, agreements ------------------------------------------------


class PartnerApplicationFactory(ScopedFactory):
    class Meta:
        model = PartnerApplication

    tenant = factory.SubFactory(TenantFactory)
    company = factory.Sequence(lambda n: f"Applicant {n}")
    domain = factory.Sequence(lambda n: f"applicant{n}.example")
    website = factory.LazyAttribute(lambda o: f"https://www.{o.domain}")
    country = "DE"
    regions = factory.LazyFunction(lambda: ["EMEA"])
    specialties = factory.LazyFunction(lambda: ["cloud"])
    partner_type = factory.LazyAttribute(lambda o: PartnerTypeFactory(tenant=o.tenant))
    employees = 50
    revenue_band = "1m-10m"
    contact_name = "Alex Applicant"
    contact_email = factory.LazyAttribute(lambda o: f"alex@{o.domain}")
    fit_score = 50


class IdealPartnerProfileFactory(ScopedFactory):
    class Meta:
        model = IdealPartnerProfile
        django_get_or_create = ("tenant",)

    tenant = factory.SubFactory(TenantFactory)
    base_score = 50


class CriterionFactory(ScopedFactory):
    class Meta:
        model = IdealProfileCriterion

    profile = factory.SubFactory(IdealPartnerProfileFactory)
    tenant = factory.LazyAttribute(lambda o: o.profile.tenant)
    kind = "region"
    region = "EMEA"
    points_match = 20
    points_miss = 0


class OnboardingPathFactory(ScopedFactory):
    class Meta:
        model = OnboardingPath

    tenant = factory.SubFactory(TenantFactory)
    partner_type = factory.LazyAttribute(lambda o: PartnerTypeFactory(tenant=o.tenant))
    name = factory.LazyAttribute(lambda o: f"{o.partner_type.name if o.partner_type else 'Default'} onboarding")
    stuck_after_days = 14


class OnboardingStepFactory(ScopedFactory):
    class Meta:
        model = OnboardingStep

    path = factory.SubFactory(OnboardingPathFactory)
    tenant = factory.LazyAttribute(lambda o: o.path.tenant)
    order = factory.Sequence(lambda n: n + 1)
    kind = "manual"
    title = factory.LazyAttribute(lambda o: dict(OnboardingStep.Kind.choices)[o.kind])


class AgreementFactory(ScopedFactory):
    """A published agreement by default (pass published_at=None for a draft)."""

    class Meta:
        model = Agreement

    tenant = factory.SubFactory(TenantFactory)
    partner_type = None
    version = 1
    title = "Partner program agreement"
    body = factory.Sequence(lambda n: f"Terms of the partner program, edition {n}.")
    published_at = factory.LazyFunction(timezone.now)
    content_hash = factory.LazyAttribute(lambda o: content_hash(o.title, o.body) if o.published_at else "")
    reacceptance_due_at = factory.LazyAttribute(
        lambda o: o.published_at + timedelta(days=PartnerSettings.for_tenant(o.tenant).agreement_grace_days) if o.published_at else None)
