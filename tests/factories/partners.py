import factory

from tests.factories.base import ScopedFactory

from partners.models import Partner, PartnerType, Tier
from tests.factories.core import TenantFactory

__all__ = ["PartnerTypeFactory", "TierFactory", "PartnerFactory"]


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
