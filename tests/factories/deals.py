import uuid
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from deals.models import CurrencyRate, DealPartner, DealRegistration, HouseAccount, Product
from deals.normalise import customer_domain, customer_key, normalise_company_name
from deals.sla import add_business_days
from tests.factories.base import ScopedFactory
from tests.factories.core import TenantFactory
from tests.factories.partners import PartnerFactory

__all__ = ["ProductFactory", "CurrencyRateFactory", "HouseAccountFactory", "DealFactory"]


class ProductFactory(ScopedFactory):
    class Meta:
        model = Product
        django_get_or_create = ("tenant", "code")

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"product-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())


class CurrencyRateFactory(ScopedFactory):
    class Meta:
        model = CurrencyRate

    tenant = factory.SubFactory(TenantFactory)
    currency = "EUR"
    rate = Decimal("1.10")
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))


class HouseAccountFactory(ScopedFactory):
    class Meta:
        model = HouseAccount

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"House Customer {n}")
    domain = ""


class DealFactory(ScopedFactory):
    """A registration written directly (no service): identity fields are derived consistently.

    Use the services in tests that exercise behaviour; this factory builds background data.
    """

    class Meta:
        model = DealRegistration
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    partner = factory.LazyAttribute(lambda o: PartnerFactory(tenant=o.tenant))
    kind = DealRegistration.Kind.DEAL
    customer_name = factory.Sequence(lambda n: f"Customer {n} Holdings")
    website = factory.Sequence(lambda n: f"https://www.customer{n}.com")
    contact_name = "Casey Contact"
    contact_email = factory.LazyAttribute(lambda o: f"casey@{customer_domain(website=o.website) or 'example.com'}")
    customer_name_normalised = factory.LazyAttribute(lambda o: normalise_company_name(o.customer_name))
    customer_domain = factory.LazyAttribute(lambda o: customer_domain(website=o.website, email=o.contact_email))
    customer_key = factory.LazyAttribute(lambda o: customer_key(name_normalised=o.customer_name_normalised,
                                                                domain=o.customer_domain))
    amount = Decimal("10000.00")
    currency = "USD"
    base_amount = factory.LazyAttribute(lambda o: o.amount if o.currency == "USD" else None)
    expected_close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    status = DealRegistration.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    sla_due_at = factory.LazyAttribute(lambda o: add_business_days(o.submitted_at, 2))
    submission_nonce = factory.LazyFunction(uuid.uuid4)
    protected_until = factory.LazyAttribute(
        lambda o: timezone.localdate() + timedelta(days=90) if o.status == DealRegistration.Status.APPROVED else None)

    @factory.post_generation
    def sourced(obj, create, extracted, **kwargs):
        if create:
            from django_scopes import scopes_disabled

            with scopes_disabled():
                DealPartner.objects.get_or_create(tenant=obj.tenant, deal=obj, partner=obj.partner,
                                                  defaults={"role": DealPartner.Role.SOURCED})
