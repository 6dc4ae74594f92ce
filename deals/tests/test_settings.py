"""The deals section of the Settings page: the deal registration rules live in DealSettings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deals.forms import DealSettingsForm
from deals.models import DealSettings
from prm.tenancy.app_settings import settings_sections
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db

PAGE = {"name": "Acme Cloud", "primary_colour": "#1f5fbf", "default_language": "en", "base_currency": "USD",
        "allowed_currencies": "USD", "deal_protection_days": 90, "deal_approval_sla_days": 2,
        "deal_contact_required": "on", "tier_downgrade_grace_days": 60, "agreement_grace_days": 30,
        "tier_evaluation": "propose"}


def test_deals_contribute_their_section_to_the_settings_page():
    (section,) = [s for s in settings_sections() if s.key == "deals"]
    assert section.form_class is DealSettingsForm and section.model is DealSettings
    assert str(section.heading) == "Deal registration"


def test_the_settings_page_saves_the_deal_rules_and_the_deal_pages_follow_them(tenant, members, client_for,
                                                                             settings_page_data):
    admin = client_for(tenant, members["tenant_admin"])
    data = {**settings_page_data(tenant), **PAGE, "deal_protection_days": 120, "deal_approval_sla_days": 5, "auto_approve_on_sla_breach": "on"}
    del data["deal_contact_required"]
    assert admin.post("/staff/settings/", data).status_code == 302
    with tenant_scope(tenant):
        row = DealSettings.objects.get(tenant=tenant)
    assert (row.deal_protection_days, row.deal_approval_sla_days, row.auto_approve_on_sla_breach,
            row.deal_contact_required) == (120, 5, True, False)
    queue = client_for(tenant, members["channel_manager"]).get(reverse("deals:queue")).content.decode()
    assert "must be decided within 5 business days" in queue
    register = client_for(tenant, members["partner_user"]).get(reverse("deals:register")).content.decode()
    assert "Optional: you may register without sharing the customer" in register


def test_a_protection_period_out_of_range_is_refused_inline_and_nothing_is_saved(tenant, members, client_for):
    response = client_for(tenant, members["tenant_admin"]).post(
        "/staff/settings/", {**PAGE, "name": "Renamed", "deal_protection_days": 0, "deal_approval_sla_days": 31})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ensure this value is greater than or equal to 1." in body
    assert "Ensure this value is less than or equal to 30." in body
    tenant.refresh_from_db()
    assert tenant.name == "Acme Cloud"
    assert DealSettings.for_tenant(tenant).deal_protection_days == 90
