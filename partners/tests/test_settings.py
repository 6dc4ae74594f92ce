"""The partner program section of the Settings page: its rules live in PartnerSettings, and the book
rule reads its setting through partners.selectors.managers_confined_to_book only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.forms import PartnerSettingsForm
from partners.models import PartnerSettings
from partners.selectors import managers_confined_to_book
from prm.tenancy.app_settings import settings_sections
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db

PAGE = {"name": "Acme Cloud", "primary_colour": "#1f5fbf", "default_language": "en", "base_currency": "USD",
        "allowed_currencies": "USD", "deal_protection_days": 90, "deal_approval_sla_days": 2,
        "deal_contact_required": "on", "tier_downgrade_grace_days": 60, "agreement_grace_days": 30,
        "tier_evaluation": "propose"}


def test_partners_contribute_their_section_after_the_deals_one():
    keys = [s.key for s in settings_sections()]
    (section,) = [s for s in settings_sections() if s.key == "partners"]
    assert section.form_class is PartnerSettingsForm and str(section.heading) == "Partner program"
    assert keys.index("deals") < keys.index("partners")  # the page's order before the move


def test_the_settings_page_saves_the_program_rules_and_confines_managers(tenant, partner, members, client_for,
                                                                         settings_page_data):
    assert not managers_confined_to_book(tenant)
    data = {**settings_page_data(tenant), **PAGE, "tier_downgrade_grace_days": 0, "agreement_grace_days": 7, "tier_evaluation": "automatic",
            "restrict_managers_to_book": "on"}
    assert client_for(tenant, members["tenant_admin"]).post("/staff/settings/", data).status_code == 302
    with tenant_scope(tenant):
        row = PartnerSettings.objects.get(tenant=tenant)
    assert (row.tier_downgrade_grace_days, row.agreement_grace_days, row.tier_evaluation,
            row.restrict_managers_to_book) == (0, 7, "automatic", True)
    assert managers_confined_to_book(Tenant.objects.get(pk=tenant.pk))
    detail = client_for(tenant, members["tenant_admin"]).get(reverse("partners:staff_detail", args=[partner.pk]))
    assert "Channel managers see only partners they own or that are shared with them here." in detail.content.decode()


def test_an_unknown_tier_evaluation_is_refused_inline(tenant, members, client_for):
    response = client_for(tenant, members["tenant_admin"]).post(
        "/staff/settings/", {**PAGE, "tier_evaluation": "sometimes", "agreement_grace_days": 1})
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    assert PartnerSettings.for_tenant(tenant).agreement_grace_days == 30


def test_the_book_setting_costs_one_query_per_request_at_most(tenant, django_assert_num_queries):
    fresh = Tenant.objects.get(pk=tenant.pk)
    with django_assert_num_queries(1):
        assert [managers_confined_to_book(fresh) for _ in range(3)] == [False] * 3
