"""Factories of the leads app: leads, routing rules and declared capacities (tenant-consistent)."""

import factory
from django.utils import timezone

from deals.normalise import customer_domain, normalise_company_name
from leads.models import Lead, LeadRule, PartnerLeadProfile
from tests.factories.base import ScopedFactory
from tests.factories.core import TenantFactory
from tests.factories.partners import PartnerFactory

__all__ = ["LeadFactory", "LeadRuleFactory", "PartnerLeadProfileFactory", "company_word"]

_SYLLABLES = ["ba", "ko", "ri", "ven", "tal", "mu", "zor", "pel", "qui", "nax", "do", "fer", "gil", "hu", "jas",
              "lem", "ny", "ost", "pra", "sek", "tiv", "ul", "wex", "yar", "zim", "cor", "dra", "esk", "fol", "gro"]


def company_word(n: int) -> str:
    """A made-up company word, different enough for every n that no two are the same customer."""
    word, x = "", n * 7919 + 104729
    for _ in range(4):
        x, digit = divmod(x, len(_SYLLABLES))
        word += _SYLLABLES[digit]
    return word.capitalize()


class LeadFactory(ScopedFactory):
    """A lead written directly (no routing): use the services in tests of behaviour."""

    class Meta:
        model = Lead

    tenant = factory.SubFactory(TenantFactory)
    company_name = factory.Sequence(lambda n: f"{company_word(n)} {company_word(n + 5000)}")
    website = factory.LazyAttribute(lambda o: f"https://www.{o.company_name.lower().replace(' ', '-')}.com")
    company_name_normalised = factory.LazyAttribute(lambda o: normalise_company_name(o.company_name))
    domain = factory.LazyAttribute(lambda o: customer_domain(website=o.website))
    country = "US"
    industry = "technology"
    contact_name = "Dana Prospect"
    contact_email = factory.LazyAttribute(lambda o: f"dana@{o.domain}")
    contact_phone = "+1 555 0100"
    contact_title = "Head of IT"
    source = Lead.Source.WEBSITE
    currency = "USD"
    created_at = factory.LazyFunction(timezone.now)
    status = Lead.Status.UNASSIGNED


class LeadRuleFactory(ScopedFactory):
    class Meta:
        model = LeadRule

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")
    position = factory.Sequence(lambda n: n)
    strategy = LeadRule.Strategy.ROUND_ROBIN


class PartnerLeadProfileFactory(ScopedFactory):
    class Meta:
        model = PartnerLeadProfile
        django_get_or_create = ("tenant", "partner")

    tenant = factory.SubFactory(TenantFactory)
    partner = factory.LazyAttribute(lambda o: PartnerFactory(tenant=o.tenant))
    max_open_leads = 5
