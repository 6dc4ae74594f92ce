"""A channel manager imports leads from a CSV file, the partner accepts one in its inbox (the
contact appears only then) and converts it into a protected deal, and the manager sees the
conversion on the lead page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from deals.models import DealRegistration
from leads.models import Lead
from prm.tenancy.scoping import tenant_scope
from tests.browser.conftest import sign_in
from tests.factories import TEST_PASSWORD, ProductFactory
from tests.factories.leads import LeadRuleFactory

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "company,website,country,contact_name,contact_email,value_estimate,currency\n"
    "Gringotts Bank,gringotts-bank.com,US,Griphook Goblin,griphook@gringotts-bank.com,42000,USD\n"
    "Ollivanders,ollivanders.com,US,Garrick Ollivander,garrick@ollivanders.com,12000,USD\n"
)


def test_manager_imports_partner_accepts_and_converts(page, live, shot, tenant, partner, make_member, tmp_path):
    ProductFactory(tenant=tenant, code="cloud-platform", name="Cloud Platform")
    LeadRuleFactory(tenant=tenant, name="Everything to Northwind", strategy="named", partner=partner)
    manager = make_member(tenant, "channel_manager", email="manager@acme.test")
    rep = make_member(tenant, "partner_admin", partner=partner, email="rep@northwind.example")
    upload = tmp_path / "leads.csv"
    upload.write_text(CSV)

    # 1. The manager uploads the file, checks the preview and starts the import.
    sign_in(page, live, tenant, manager.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/leads/imports/"))
    page.set_input_files("input[type=file]", str(upload))
    page.click("text=Upload and check")
    page.get_by_role("button", name="Import 2 valid rows").click()
    page.wait_for_function("() => document.body.innerText.includes('offered to partners')", timeout=30_000)
    shot(page, "leads-01-imported")
    with tenant_scope(tenant):
        lead = Lead.objects.get(company_name="Gringotts Bank")
    assert lead.status == "assigned" and lead.partner_id == partner.pk

    # 2. The partner sees the offer without the contact, accepts it in place, then sees the contact.
    page.context.clear_cookies()
    sign_in(page, live, tenant, rep.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/leads/"))
    page.wait_for_load_state("load")
    assert "Griphook" not in page.content()
    shot(page, "leads-02-inbox")
    page.get_by_role("button", name="Accept the lead Gringotts Bank").click()
    page.get_by_text("is yours").wait_for()
    page.goto(live.url(tenant, f"/leads/{lead.pk}/"))
    assert "griphook@gringotts-bank.com" in page.content()

    # 3. It converts the lead: the conflict check is clear, the deal is approved and protected.
    page.goto(live.url(tenant, f"/leads/{lead.pk}/convert/"))
    page.locator("[data-testid=conversion-clear]").wait_for()
    page.get_by_label("Expected close date").fill((timezone.localdate() + timedelta(days=45)).isoformat())
    page.check("text=Cloud Platform")
    page.get_by_role("button", name="Convert", exact=True).click()
    page.get_by_text("Protected until").wait_for()
    shot(page, "leads-03-converted-deal")
    with tenant_scope(tenant):
        deal = DealRegistration.objects.get(partner=partner)
    assert deal.status == "approved" and deal.origin == "vendor_lead"

    # 4. The manager sees the conversion on the lead page and in the list.
    page.context.clear_cookies()
    sign_in(page, live, tenant, manager.email, TEST_PASSWORD)
    page.goto(live.url(tenant, f"/leads/{lead.pk}/"))
    page.get_by_text("Converted to a deal registration on").wait_for()
    assert page.get_by_role("link", name="Open the deal registration").count() == 1
    page.goto(live.url(tenant, "/leads/?status=converted"))
    assert page.get_by_text("Gringotts Bank").count() >= 1
    shot(page, "leads-04-manager-sees-conversion")


def test_rule_form_shows_the_named_partner_only_for_that_strategy(page, live, tenant, partner, make_member):
    manager = make_member(tenant, "channel_manager", email="manager@acme.test")
    sign_in(page, live, tenant, manager.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/leads/rules/new/"))
    named_partner = page.get_by_label("Named partner", exact=True)
    assert not named_partner.is_visible()
    page.get_by_label("A named partner").check()
    assert named_partner.is_visible() and named_partner.is_enabled()
    page.get_by_label("Round robin among the eligible").check()
    assert not named_partner.is_visible()
