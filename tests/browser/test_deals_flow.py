"""A partner registers a deal (seeing inline validation and the neutral conflict hint), a channel
manager approves it from the review queue, and the partner marks it won."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deals.models import DealRegistration
from prm.tenancy.scoping import tenant_scope
from tests.browser.conftest import sign_in
from tests.factories import TEST_PASSWORD, DealFactory, PartnerFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_partner_registers_manager_approves_partner_marks_won(page, live, shot, tenant, partner, make_member):
    ProductFactory(tenant=tenant, code="cloud-platform", name="Cloud Platform")
    rival = PartnerFactory(tenant=tenant, name="Tailspin Integrators", domain="tailspin.example")
    DealFactory(tenant=tenant, partner=rival, customer_name="INITECH Corporation", website="https://initech.com")
    rep = make_member(tenant, "partner_user", partner=partner, email="rep@northwind.example")
    manager = make_member(tenant, "channel_manager", email="manager@acme.test")

    # 1. The partner registers; the form validates inline and hints (neutrally) at a conflict.
    sign_in(page, live, tenant, rep.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/deals/"))
    page.click("text=Register a deal")
    page.wait_for_load_state("load")  # htmx (deferred) must be bound before typing
    page.fill("#id_customer_name", "Initech, Inc.")
    page.fill("#id_website", "www.initech.com")
    page.press("#id_website", "Tab")
    hint = page.locator("[data-testid=conflict-hint]")
    hint.wait_for()
    assert "may already be registered" in hint.inner_text()
    assert "Tailspin" not in page.content()
    page.fill("#id_contact_name", "Peter Gibbons")
    page.fill("#id_contact_email", "peter@initech.com")
    page.check("text=Cloud Platform")
    page.fill("#id_amount", "-10")
    page.press("#id_amount", "Tab")
    page.locator("#id_amount_errors").get_by_text("greater than zero").wait_for()
    page.fill("#id_amount", "48000")
    page.press("#id_amount", "Tab")
    # No string evaluation in the page: the CSP forbids eval, which is the point.
    page.locator("#id_amount_errors").get_by_text("greater than zero").wait_for(state="detached")
    page.fill("#id_expected_close_date", (timezone.localdate() + timedelta(days=40)).isoformat())
    shot(page, "deals-01-register")
    page.click("#submit-registration")
    page.wait_for_selector("text=Registration received")
    assert page.locator("h1").inner_text().startswith("Initech, Inc.")
    shot(page, "deals-02-submitted")
    with tenant_scope(tenant):
        deal = DealRegistration.objects.get(partner=partner)
    assert deal.status == "submitted" and deal.amount == 48000

    # 2. The channel manager approves it from the review queue.
    page.context.clear_cookies()
    sign_in(page, live, tenant, manager.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/deals/review/"))
    page.wait_for_selector(f"#deal-{deal.pk}")
    assert page.locator(f"#deal-{deal.pk}").get_by_text("Tailspin Integrators").count() >= 1  # staff see evidence
    shot(page, "deals-03-queue")
    page.click(f"[data-testid=approve-{deal.pk}]")
    page.wait_for_selector("text=is protected")
    assert page.locator(f"#deal-{deal.pk}").count() == 0
    shot(page, "deals-04-approved")
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert deal.status == "approved" and deal.protected_until

    # 3. The partner marks the deal won with the final amount.
    page.context.clear_cookies()
    sign_in(page, live, tenant, rep.email, TEST_PASSWORD)
    page.goto(live.url(tenant, f"/deals/{deal.pk}/"))
    expect(page.get_by_text("Protected until")).to_be_visible()
    page.check("#outcome input[value=won]")
    page.fill("#outcome input[name=amount]", "51000")
    page.fill("#outcome input[name=closed_on]", timezone.localdate().isoformat())
    page.click("#save-outcome")
    page.wait_for_selector("text=recorded as won")
    shot(page, "deals-05-won")
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert deal.status == "won" and deal.won_amount == 51000
    history = page.locator("#history tbody tr")
    assert history.count() == 3  # registered, approved, won (the conflict evidence is staff-only)
