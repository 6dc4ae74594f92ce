"""Suggestions while a partner types the customer on the registration form: the tenant's house
accounts (flagged before submitting) and the partner organisation's own earlier customers, never
another partner's or another tenant's; and the form's fields that appear only when relevant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import DealSettings
from deals.selectors import SUGGESTION_LIMIT, company_suggestions
from prm.tenancy.scoping import tenant_scope
from prm.tenancy.viewer import Viewer
from tests.factories import DealFactory, HouseAccountFactory, PartnerFactory, set_settings

pytestmark = pytest.mark.django_db

URL = reverse("deals:register_companies")


def suggest(client, text: str):
    return client.get(URL, {"customer_name": text}, HTTP_HX_REQUEST="true")


def options(response) -> list[str]:
    """The names offered, in order."""
    import re

    return re.findall(r'role="option"[^>]*data-name="([^"]*)"', response.content.decode())


@pytest.fixture
def partner_client(tenant, members, client_for):
    return client_for(tenant, members["partner_user"])


def test_house_accounts_are_suggested_with_their_warning(tenant, partner_client):
    HouseAccountFactory(tenant=tenant, name="Globodyne", domain="globodyne.com")
    response = suggest(partner_client, "glob")
    assert response.status_code == 200 and options(response) == ["Globodyne"]
    html = response.content.decode()
    assert "House account: registered deals go to the vendor" in html
    assert 'role="listbox"' in html and 'aria-selected="false"' in html
    assert "data-website" not in html  # a house account fills only the name


def test_the_partners_own_earlier_customers_come_with_website_and_country(tenant, partner, partner_client):
    DealFactory(tenant=tenant, partner=partner, customer_name="Initech, Inc.", website="https://www.initech.com",
                country="US")
    html = suggest(partner_client, "init").content.decode()
    assert 'data-name="Initech, Inc."' in html and 'data-website="https://www.initech.com"' in html
    assert 'data-country="US"' in html and "Your earlier customer · initech.com · United States" in html


def test_another_partners_customers_are_never_suggested(tenant, partner, partner_client):
    rival = PartnerFactory(tenant=tenant, name="Tailspin Integrators")
    DealFactory(tenant=tenant, partner=rival, customer_name="Wonka Industries", website="https://wonka.com")
    DealFactory(tenant=tenant, partner=partner, customer_name="Wonkavator Ltd", website="https://wonkavator.com")
    assert options(suggest(partner_client, "wonka")) == ["Wonkavator Ltd"]


def test_another_tenants_house_accounts_and_customers_are_never_suggested(tenant, other_tenant, partner_client):
    HouseAccountFactory(tenant=other_tenant, name="Oscorp Industries", domain="oscorp.com")
    DealFactory(tenant=other_tenant, customer_name="Oscorp Labs", website="https://oscorp-labs.com")
    response = suggest(partner_client, "oscorp")
    assert response.status_code == 200 and options(response) == []
    assert 'role="listbox"' in response.content.decode() and " hidden" in response.content.decode()


def test_a_colleagues_registrations_count_as_the_organisations_own(tenant, partner, members, partner_client):
    DealFactory(tenant=tenant, partner=partner, submitted_by=members["partner_admin"], customer_name="Hooli",
                website="https://hooli.com")
    assert options(suggest(partner_client, "hoo")) == ["Hooli"]


def test_one_character_suggests_nothing(tenant, partner, partner_client):
    HouseAccountFactory(tenant=tenant, name="Globodyne")
    DealFactory(tenant=tenant, partner=partner, customer_name="Gringotts Bank")
    assert options(suggest(partner_client, "g")) == [] and options(suggest(partner_client, "  g  ")) == []
    assert options(suggest(partner_client, "gr")) == ["Gringotts Bank"]


def test_a_customer_registered_twice_is_suggested_once_with_its_latest_details(tenant, partner, partner_client):
    now = timezone.now()
    DealFactory(tenant=tenant, partner=partner, customer_name="Hooli", website="https://hooli.com", country="US",
                submitted_at=now - timedelta(days=400))
    DealFactory(tenant=tenant, partner=partner, customer_name="Hooli Inc", website="https://hooli.com", country="CA",
                submitted_at=now - timedelta(days=3))
    html = suggest(partner_client, "hooli").content.decode()
    assert options(suggest(partner_client, "hooli")) == ["Hooli Inc"] and 'data-country="CA"' in html


def test_an_earlier_customer_that_is_now_a_house_account_shows_as_the_house_account(tenant, partner, partner_client):
    HouseAccountFactory(tenant=tenant, name="Massive Dynamic", domain="massivedynamic.com")
    DealFactory(tenant=tenant, partner=partner, customer_name="Massive Dynamic Inc",
                website="https://www.massivedynamic.com")
    response = suggest(partner_client, "massive")
    assert options(response) == ["Massive Dynamic"] and "House account" in response.content.decode()


def test_names_that_start_with_the_text_come_first_and_at_most_eight_are_offered(tenant, partner, partner_client):
    for n in range(12):
        DealFactory(tenant=tenant, partner=partner, customer_name=f"Blue Acme {n}", website=f"https://blue{n}.com")
    DealFactory(tenant=tenant, partner=partner, customer_name="Acme Analytics GmbH", website="https://acme-a.de")
    HouseAccountFactory(tenant=tenant, name="The Acme Corporation")
    names = options(suggest(partner_client, "acme"))
    assert len(names) == SUGGESTION_LIMIT
    assert names[:2] == ["The Acme Corporation", "Acme Analytics GmbH"]  # "The" and "GmbH" do not count


def test_punctuation_and_legal_forms_do_not_hide_a_customer(tenant, partner, partner_client):
    DealFactory(tenant=tenant, partner=partner, customer_name="Initech, Inc.", website="https://initech.com")
    assert options(suggest(partner_client, "initech inc")) == ["Initech, Inc."]


def test_the_selector_takes_the_viewer_and_scopes_by_its_partner(tenant, partner, members):
    from prm.tenancy.models import Membership

    rival = PartnerFactory(tenant=tenant)
    DealFactory(tenant=tenant, partner=rival, customer_name="Soylent")
    DealFactory(tenant=tenant, partner=partner, customer_name="Soylent Green")
    with tenant_scope(tenant):
        membership = Membership.objects.get(tenant=tenant, user=members["partner_user"])
        found = company_suggestions(Viewer.of(membership), "soylent")
    assert [s.name for s in found] == ["Soylent Green"] and not found[0].is_house_account


def test_the_number_of_queries_does_not_grow_with_the_registrations(tenant, partner, partner_client,
                                                                    django_assert_max_num_queries):
    HouseAccountFactory(tenant=tenant, name="Cyberdyne Holdings")
    DealFactory(tenant=tenant, partner=partner, customer_name="Cyberdyne Systems 0")
    suggest(partner_client, "cyber")  # warm up: per-session and per-tenant reads memoised
    with CaptureQueriesContext(connection) as few:
        assert len(options(suggest(partner_client, "cyber"))) == 2
    for n in range(1, 30):
        DealFactory(tenant=tenant, partner=partner, customer_name=f"Cyberdyne Systems {n}",
                    website=f"https://cyberdyne{n}.com")
    with django_assert_max_num_queries(len(few)):
        assert len(options(suggest(partner_client, "cyber"))) == SUGGESTION_LIMIT
    # Two of them are the suggestions (house accounts, registrations); the other four are every
    # request's tenant, session, user and membership.
    assert len(few) <= 6, [q["sql"][:100] for q in few.captured_queries]


def test_anonymous_visitors_are_sent_to_sign_in(tenant, client_for):
    response = suggest(client_for(tenant), "acme")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["channel_manager", "executive", "tenant_admin"])
def test_staff_get_the_same_403_as_on_the_registration_form(tenant, members, client_for, role):
    client = client_for(tenant, members[role])
    assert client.get(reverse("deals:register")).status_code == 403
    assert suggest(client, "acme").status_code == 403


def test_a_member_of_another_tenant_gets_no_suggestions_here(tenant, other_tenant, make_member, client_for):
    outsider = make_member(other_tenant, "partner_user")
    HouseAccountFactory(tenant=tenant, name="Globodyne")
    response = suggest(client_for(tenant, outsider), "glob")
    assert response.status_code in (403, 404) and b"Globodyne" not in response.content


def test_only_get_is_allowed(partner_client):
    assert partner_client.post(URL, {"customer_name": "acme"}).status_code == 405


# --- The form ------------------------------------------------------------------------------------


def test_the_customer_field_asks_for_suggestions_as_the_partner_types(partner_client):
    html = partner_client.get(reverse("deals:register")).content.decode()
    assert f'hx-get="{URL}"' in html and 'hx-trigger="input changed delay:250ms"' in html
    assert 'hx-target="#company-suggestions"' in html and 'id="company-suggestions"' in html
    assert 'data-combobox="company-suggestions"' in html and 'autocomplete="off"' in html
    assert "deals/register.js" in html and "<script>" not in html


def test_a_referrals_currency_waits_for_an_amount(tenant, members, client_for):
    html = client_for(tenant, members["partner_user"]).get(reverse("deals:refer")).content.decode()
    assert '<div data-reveal-when="#id_amount">' in html and 'name="currency"' in html
    deal = client_for(tenant, members["partner_user"]).get(reverse("deals:register")).content.decode()
    assert "data-reveal-when" not in deal  # a deal's amount is required: its currency always shows


def test_optional_contact_fields_open_with_a_checkbox(tenant, members, client_for):
    client = client_for(tenant, members["partner_user"])
    assert 'id="share-contact"' not in client.get(reverse("deals:register")).content.decode()  # required: always there
    set_settings(tenant, DealSettings, deal_contact_required=False)
    html = client.get(reverse("deals:register")).content.decode()
    assert '<label class="reveal-control" hidden><input type="checkbox" id="share-contact">' in html
    assert 'id="contact-fields" data-reveal-when="#share-contact" data-reveal-disable' in html
    assert 'name="contact_name"' in html  # without script the fields are simply there


def test_a_contact_already_typed_keeps_the_checkbox_ticked(tenant, members, product, client_for):
    set_settings(tenant, DealSettings, deal_contact_required=False)
    client = client_for(tenant, members["partner_user"])
    response = client.post(reverse("deals:register"), {"customer_name": "Initech", "contact_name": "Peter",
                                                       "nonce": "00000000-0000-0000-0000-000000000001"})
    assert response.status_code == 400
    assert 'id="share-contact" checked' in response.content.decode()
