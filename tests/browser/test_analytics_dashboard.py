"""An executive opens the analytics dashboard, filters it by region (htmx), downloads a table as CSV,
opens a partner at risk and prints the page; a partner sees the scorecard."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from analytics.services.runs import health_compute
from prm.tenancy.scoping import tenant_scope
from tests.browser.conftest import sign_in
from tests.factories import (
    TEST_PASSWORD,
    DealFactory,
    PartnerFactory,
    PartnerTypeFactory,
    TierFactory,
    at_days_ago,
    events_at,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def program(tenant, make_member):
    from partners.models import Partner

    day = timezone.localdate()
    registered = TierFactory(tenant=tenant, rank=1, name="Registered")
    gold = TierFactory(tenant=tenant, rank=2, name="Gold", min_won_revenue_12m=Decimal("40000"),
                       discount_percent=Decimal("15"))
    reseller = PartnerTypeFactory(tenant=tenant, code="reseller", name="Reseller")
    northwind = PartnerFactory(tenant=tenant, name="Northwind Solutions", tier=registered, partner_type=reseller,
                               regions=["EMEA"])
    contoso = PartnerFactory(tenant=tenant, name="Contoso Consulting", tier=gold, partner_type=reseller,
                             regions=["NA"])
    tailspin = PartnerFactory(tenant=tenant, name="Tailspin Integrators", tier=registered, partner_type=reseller,
                              regions=["EMEA"])
    with scopes_disabled():
        Partner.objects.filter(tenant=tenant).update(joined_at=at_days_ago(day, 200))
    events_at(tenant, northwind, "sign_in", [1, 4, 9, 16, 22], day=day)
    events_at(tenant, northwind, "content_downloaded", [2, 3, 5, 8, 12, 19, 26], day=day)
    events_at(tenant, contoso, "sign_in", [48, 55], day=day)
    events_at(tenant, tailspin, "sign_in", [6, 40], day=day)
    DealFactory(tenant=tenant, partner=northwind, submitted_at=at_days_ago(day, 30), status="won",
                won_amount=Decimal("32000"), won_base_amount=Decimal("32000"), closed_on=day - timedelta(days=4),
                decided_at=at_days_ago(day, 29))
    DealFactory(tenant=tenant, partner=tailspin, submitted_at=at_days_ago(day, 8))
    with tenant_scope(tenant):
        health_compute(tenant=tenant, day=day)
    executive = make_member(tenant, "executive", email="eve@acme.example")
    partner_user = make_member(tenant, "partner_admin", partner=northwind, email="paula@northwind.example")
    return {"executive": executive, "partner_user": partner_user}


def test_executive_dashboard_filters_exports_prints_and_drills_down(page, live, shot, tenant, program):
    sign_in(page, live, tenant, program["executive"].email, TEST_PASSWORD)
    page.click("nav >> text=Analytics")
    page.wait_for_selector("h1:has-text('Partner ecosystem')")
    page.wait_for_load_state("load")  # htmx (deferred) must be bound before the filters change
    assert page.inner_text("[data-kpi=partners]") == "3"
    assert page.locator("#dashboard-body svg").count() >= 5  # server-side SVG charts, no chart library
    assert page.inner_text("#table-at-risk").count("Contoso Consulting") == 1
    assert shot(page, "analytics-01-dashboard").stat().st_size > 10_000

    # Filter by region: the body is swapped in place (htmx) and the URL keeps the filter.
    page.select_option("#filter-region", "EMEA")
    expect(page.locator("[data-kpi=partners]")).to_have_text("2")
    assert "region=EMEA" in page.url
    assert "Contoso Consulting" not in page.inner_text("#dashboard-body")
    shot(page, "analytics-02-dashboard-emea")

    # Every table exports to CSV (with the filters).
    with page.expect_download() as download_info:
        page.click("section[aria-labelledby=h-status] a.export")
    download = download_info.value
    assert download.suggested_filename.startswith("partner-analytics-status-")
    text = open(download.path(), encoding="utf-8-sig").read()
    assert "Active,2" in text.replace("\r", "")

    # The printed page drops navigation, filters and export links.
    page.emulate_media(media="print")
    assert not page.is_visible("#dashboard-filters") and not page.is_visible("header.site-header")
    exports = page.locator("#dashboard-body a.export")
    assert exports.count() >= 5 and not any(exports.nth(i).is_visible() for i in range(exports.count()))
    assert page.is_visible("#table-status") and page.is_visible("[data-kpi=partners]")  # the figures stay
    assert shot(page, "analytics-03-dashboard-print").stat().st_size > 10_000
    page.emulate_media(media="screen")

    # Drill down into a partner at risk from the unfiltered dashboard.
    page.goto(live.url(tenant, "/analytics/dashboard/"))
    page.click("#table-at-risk >> text=Contoso Consulting")
    page.wait_for_selector("h1:has-text('Contoso Consulting')")
    assert "Health score breakdown" in page.inner_text("main")
    shot(page, "analytics-04-partner-360")


def test_partner_sees_the_scorecard(page, live, shot, tenant, program):
    sign_in(page, live, tenant, program["partner_user"].email, TEST_PASSWORD)
    page.click("nav >> text=Scorecard")
    page.wait_for_selector("#scorecard-score")
    assert "USD 8,000 more won revenue to reach Gold" in page.inner_text("#tier-progress")
    assert "engagements in the last 30 days" in page.inner_text("#scorecard-components")
    # The tier gap is the one thing to do: it is suggested (with a link), not "nothing needs your attention".
    assert page.inner_text("#scorecard-actions").strip() == "USD 8,000 more won revenue to reach Gold"
    assert page.locator("#scorecard-actions a").count() == 1
    shot(page, "analytics-05-partner-scorecard")
