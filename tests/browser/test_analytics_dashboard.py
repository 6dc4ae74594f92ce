"""An executive opens the analytics dashboard, filters it by region (htmx), downloads a table as CSV,
opens a partner at risk and prints the page; a partner sees the scorecard. The dashboard's layout: charts
drawn by Chart.js at a readable size under the CSP, sections side by side with jump links to each, and a
phone page that does not scroll sideways."""

import re
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

ALL_CHARTS_DRAWN = """() => {
  const canvases = [...document.querySelectorAll('canvas[data-chart]')];
  return window.Chart && canvases.length > 0 && canvases.every(c => Chart.getChart(c));
}"""
# Content-Security-Policy violations, as the page reports them (also logged to the console).
WATCH_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));"""


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
    page.wait_for_function(ALL_CHARTS_DRAWN)
    assert page.locator("#dashboard-body canvas[data-chart]").count() >= 5
    assert page.inner_text("#table-at-risk").count("Contoso Consulting") == 1
    assert shot(page, "analytics-01-dashboard").stat().st_size > 10_000

    # Filter by region: the body is swapped in place (htmx) and the URL keeps the filter.
    page.select_option("#filter-region", "EMEA")
    expect(page.locator("[data-kpi=partners]")).to_have_text("2")
    assert "region=EMEA" in page.url
    assert "Contoso Consulting" not in page.inner_text("#dashboard-body")
    # The new body's charts are drawn, and the old body's charts are let go.
    page.wait_for_function(ALL_CHARTS_DRAWN)
    assert page.evaluate("Object.keys(Chart.instances).length") == page.locator("canvas[data-chart]").count()
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
    page.wait_for_function(ALL_CHARTS_DRAWN)
    assert [(c["id"], c["height"] >= 200) for c in _charts(page)] == [("chart-score-weeks", True)]
    shot(page, "analytics-05-partner-scorecard")


def _problems(page) -> list[str]:
    """Console errors and uncaught exceptions from now on (a missing favicon is not the page's)."""
    found: list[str] = []
    page.on("console", lambda m: found.append(f"console.{m.type}: {m.text} ({m.location.get('url')})")
            if m.type == "error" and not (m.location.get("url") or "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: found.append(f"pageerror: {e}"))
    return found


def _charts(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('canvas[data-chart]')].map(c => {
        const r = c.getBoundingClientRect(), chart = Chart.getChart(c);
        return {id: c.dataset.chart, width: r.width, height: r.height, drawn: !!chart,
                label: c.getAttribute('aria-label'), colour: chart && chart.data.datasets[0].borderColor,
                animation: chart && chart.options.animation, locale: chart && chart.options.locale,
                ticks: chart ? Object.values(chart.scales).map(s => s.ticks.map(t => t.label).join('|')) : []};
    })""")


def test_the_dashboard_is_a_grid_of_readable_charts_with_jump_links(page, live, shot, tenant, program):
    from prm.tenancy.models import Tenant

    with scopes_disabled():
        Tenant.objects.filter(pk=tenant.pk).update(primary_colour="#0b7a53")
    problems = _problems(page)
    page.add_init_script(WATCH_CSP)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live, tenant, program["executive"].email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/analytics/dashboard/"))
    page.wait_for_function(ALL_CHARTS_DRAWN)

    # Every chart is drawn by Chart.js at a readable height, in the tenant's colour, without motion.
    charts = _charts(page)
    ids = {c["id"] for c in charts}
    assert {"chart-status", "chart-attribution", "chart-tiers", "chart-types", "chart-score-trend",
            "chart-active-trend", "chart-risk-trend"} <= ids
    for c in charts:
        assert c["drawn"] and c["width"] > 250 and c["height"] >= 200, c
        assert c["colour"] == "#0b7a53" and c["animation"] is False and c["locale"] == "en", c
        assert c["label"].strip(), c  # the text alternative (the figures table sits next to it, too)
    tiers = next(c for c in charts if c["id"] == "chart-tiers")
    assert any(re.search(r"\dK", axis) for axis in tiers["ticks"]), tiers["ticks"]  # 10K, 20K … in English
    assert page.evaluate("window.__csp") == [] and problems == []

    # Sections sit side by side (same top, different left) and each has a jump link.
    boxes = page.eval_on_selector_all("#dashboard-body section.dash-section", """sections => sections.map(s => {
        const r = s.getBoundingClientRect();
        return {id: s.getAttribute('aria-labelledby'), top: Math.round(r.top), left: Math.round(r.left)};
    })""")
    assert len(boxes) == 11  # ten sections and the vendor leads section
    pairs = [(a["id"], b["id"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
             if abs(a["top"] - b["top"]) <= 1 and a["left"] != b["left"]]
    assert ("h-status", "h-attr") in pairs and ("h-tier", "h-type") in pairs and len(pairs) >= 4, pairs
    toc = page.locator("nav.dash-toc")
    assert toc.locator("h2").inner_text().strip().lower() == "on this page"
    for box in boxes:
        assert toc.locator(f"a[href='#{box['id']}']").count() == 1, box["id"]
    # The page is about half as long as the one column it was (4,416 px with this CSS at 1366 px).
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3300, height  # eleven sections in two columns (the single column was 4,416 px)
    assert shot(page, "analytics-06-dashboard-grid").stat().st_size > 10_000

    # A jump link scrolls its heading into view, below the sticky links.
    toc.locator("a[href='#h-trends']").click()
    page.wait_for_function("() => location.hash === '#h-trends'")
    top = page.evaluate("document.getElementById('h-trends').getBoundingClientRect().top")
    toc_bottom = page.evaluate("document.querySelector('nav.dash-toc').getBoundingClientRect().bottom")
    assert page.evaluate("window.scrollY") > 1000 and toc_bottom <= top < 900, (top, toc_bottom)
    toc.locator("a[href='#h-sla']").click()
    top = page.evaluate("document.getElementById('h-sla').getBoundingClientRect().top")
    assert toc_bottom <= top < 900, top

    # The long tables are folded under their charts.
    assert not page.is_visible("#table-trends")
    page.click("#figures-trends summary")
    assert page.is_visible("#table-trends")

    # On a phone: one column, the charts still readable, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live.url(tenant, "/analytics/dashboard/"))
    page.wait_for_function(ALL_CHARTS_DRAWN)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for c in _charts(page):
        assert c["drawn"] and c["height"] >= 200 and 250 < c["width"] <= 390, c
    lefts = page.eval_on_selector_all("#dashboard-body section.dash-section",
                                      "s => new Set(s.map(x => Math.round(x.getBoundingClientRect().left))).size")
    assert lefts == 1
    page.locator("nav.dash-toc a[href='#h-risk']").click()
    top = page.evaluate("document.getElementById('h-risk').getBoundingClientRect().top")
    assert 0 <= top < 844, top
    shot(page, "analytics-07-dashboard-phone")
    assert page.evaluate("window.__csp") == [] and problems == []


def test_the_charts_speak_german_on_a_german_page(page, live, tenant, program):
    from prm.tenancy.models import Tenant

    with scopes_disabled():
        Tenant.objects.filter(pk=tenant.pk).update(default_language="de")
    problems = _problems(page)
    sign_in(page, live, tenant, program["executive"].email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/analytics/dashboard/"))
    page.wait_for_function(ALL_CHARTS_DRAWN)
    assert page.get_attribute("html", "lang") == "de"
    charts = {c["id"]: c for c in _charts(page)}
    assert all(c["locale"] == "de" for c in charts.values())
    assert any(re.search(r"\d\.\d{3}", axis) for axis in charts["chart-tiers"]["ticks"]), charts["chart-tiers"]["ticks"]
    assert problems == []
