"""Creating leads (the service the portal form, the import and the API call): validation with
messages per field, idempotent source references, duplicates of open leads, and customers that
already have an active registration held for the owner instead of being routed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from leads import services
from leads.dedupe import OpenLeads
from leads.models import Lead, LeadAssignment, LeadRule
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory, HouseAccountFactory

pytestmark = pytest.mark.django_db


def _create(tenant, **data):
    data.setdefault("company_name", "Pied Piper")
    with tenant_scope(tenant):
        return services.lead_create(tenant=tenant, data=data, route=data.pop("route", True))


def test_a_created_lead_is_normalised_and_routed(tenant, make_partner, make_rule, make_member):
    make_partner("Alder")
    make_rule(name="All", strategy=LeadRule.Strategy.ROUND_ROBIN)
    manager = make_member(tenant, "channel_manager")
    with tenant_scope(tenant):
        lead, created = services.lead_create(tenant=tenant, user=manager, data={
            "company_name": "Pied Piper, Inc.", "website": "https://www.piedpiper.com", "country": "us",
            "industry": "technology", "value_estimate": "12,500.50", "currency": "usd", "contact_email": "R@PiedPiper.com",
        })
    assert created and lead.status == "assigned" and lead.partner.name == "Alder"
    assert (lead.company_name_normalised, lead.domain, lead.country.code, lead.effective_region) == (
        "pied piper", "piedpiper.com", "US", "NA")
    assert (str(lead.value_estimate), lead.currency, lead.contact_email, lead.owner) == (
        "12500.50", "USD", "r@piedpiper.com", manager)


def test_bad_input_names_every_field_and_saves_nothing(tenant):
    with pytest.raises(ValidationError) as exc:
        _create(tenant, company_name="  ...  ", website="gmail.com", country="XX", region="MARS", industry="spaceflight",
                company_size="huge", value_estimate="-3", currency="JPY", contact_email="not-an-email", product="nope")
    assert set(exc.value.message_dict) == {"company_name", "website", "country", "region", "industry",
                                           "company_size", "value_estimate", "currency", "contact_email", "product"}
    assert "email provider" in exc.value.message_dict["website"][0]
    with tenant_scope(tenant):
        assert Lead.objects.count() == 0


def test_a_repeated_source_reference_returns_the_first_lead(tenant):
    first, created = _create(tenant, source_ref="crm-42", route=False)
    again, created_again = _create(tenant, source_ref="crm-42", company_name="Something else", route=False)
    assert created and not created_again and again.pk == first.pk


def test_an_open_lead_for_the_same_company_is_refused_unless_allowed(tenant):
    _create(tenant, company_name="Hooli", website="hooli.com", route=False)
    with pytest.raises(ValidationError) as exc:
        _create(tenant, company_name="Hooli Inc.", route=False)
    assert exc.value.message_dict["company_name"] == ["An open lead for this company already exists: Hooli (Unassigned)."]
    with pytest.raises(ValidationError):
        _create(tenant, company_name="Totally Different", website="https://shop.hooli.com", route=False)
    with tenant_scope(tenant):
        lead, created = services.lead_create(tenant=tenant, data={"company_name": "Hooli"}, route=False,
                                             allow_duplicate=True)
    assert created


def test_one_index_checks_a_whole_import_for_duplicates(tenant, django_assert_max_num_queries):
    _create(tenant, company_name="Initrode", route=False)
    with tenant_scope(tenant):
        index = OpenLeads(tenant)
        with django_assert_max_num_queries(0):
            assert index.matches("initrode", "")[0]["company"] == "Initrode"
            assert index.matches("globex", "") == []
        services.lead_create(tenant=tenant, data={"company_name": "Globex"}, route=False, open_leads=index)
        assert index.matches("globex", "")[0]["company"] == "Globex"


@pytest.mark.parametrize(("first", "second"), [
    ("Umbrella Corporation", "Umbrella Corporaton"),   # a typo once the legal word is stripped
    ("Jäger Maschinenbau GmbH", "Jaeger Maschinenbau"),  # transliterated umlaut
    ("Hooli", "Hooli Cloud Services"),                # a distinctive name with descriptive words
])
def test_dedupe_uses_the_deals_customer_rule(tenant, first, second):
    _create(tenant, company_name=first, route=False)
    with pytest.raises(ValidationError):
        _create(tenant, company_name=second, route=False)


def test_a_shared_generic_word_is_not_a_duplicate(tenant):
    _create(tenant, company_name="Sigma Consulting", route=False)
    _lead, created = _create(tenant, company_name="Omega Consulting", route=False)
    assert created


def test_a_customer_with_an_active_registration_is_held_for_the_owner(tenant, make_partner, make_rule, partner):
    make_partner("Alder")
    make_rule(name="All")
    DealFactory(tenant=tenant, partner=partner, customer_name="Aviato", website="https://aviato.com", status="approved")
    lead, _created = _create(tenant, company_name="Aviato", website="aviato.com")
    with tenant_scope(tenant):
        note = LeadAssignment.objects.get(lead=lead)
    assert lead.status == "unassigned" and note.reason == "customer_conflict"
    assert "Northwind Solutions has a registration for Aviato (approved (protected))" in note.why


def test_a_house_account_is_held_too(tenant, make_partner, make_rule):
    make_partner("Alder")
    make_rule(name="All")
    HouseAccountFactory(tenant=tenant, name="Massive Dynamic", domain="massivedynamic.com")
    lead, _created = _create(tenant, company_name="Massive Dynamic Labs", website="https://massivedynamic.com")
    with tenant_scope(tenant):
        assert "the customer is the house account Massive Dynamic" in LeadAssignment.objects.get(lead=lead).why
