"""The back office on a laptop (1366 × 900): every change list a tenant admin can open, with the demo
data in it, keeps the page from scrolling sideways; its result table fits its box or scrolls inside
it, and with the demo data no column is cut off at all. Money columns read `12,500.00 USD`,
right-aligned (prm/tenancy/admin_display.py, static/css/admin.css)."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from prm.tenancy.demo import DEMO_PASSWORD, DEMO_TENANTS, seed_tenant
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 900}
MONEY = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)? [A-Z]{3}$")  # 12,500.00 USD · 1,250,000 JPY

# What a change list measures, in CSS pixels: the page's own sideways scroll, the result table, the
# box that holds it (Django's div.results), and any header cell whose right edge lies outside it.
MEASURE = """() => {
  const page = document.documentElement;
  const table = document.querySelector('#result_list');
  if (!table) return {pageWidth: page.scrollWidth, innerWidth: window.innerWidth, table: null};
  const box = table.parentElement;
  const boxRect = box.getBoundingClientRect();
  const cut = [...table.querySelectorAll('thead th')]
    .filter(th => th.getBoundingClientRect().right > boxRect.right + 1)
    .map(th => th.innerText.trim() || th.className);
  const money = [...table.querySelectorAll('td[class*="field-money_"]')].map(td => ({
    text: td.innerText.trim(), align: getComputedStyle(td).textAlign}));
  return {pageWidth: page.scrollWidth, innerWidth: window.innerWidth, table: table.scrollWidth,
          box: box.clientWidth, boxScrolls: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
          boxRight: boxRect.right, cut, money};
}"""


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(db):
    with scopes_disabled():
        return seed_tenant(DEMO_TENANTS[0], log=lambda *_: None)


def _changelists(page, live, tenant) -> list[str]:
    """The change lists the back office's index links to (the models this user may see)."""
    page.goto(live.url(tenant, "/admin/"))
    links = page.eval_on_selector_all("#content-main th[scope=row] a", "as => as.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(links))


def _problems(page, live, tenant, path: str) -> list[str]:
    response = page.goto(live.url(tenant, path))
    assert response.status == 200, path
    m = page.evaluate(MEASURE)
    problems = []
    if m["pageWidth"] > m["innerWidth"]:
        problems.append(f"{path}: the page scrolls sideways ({m['pageWidth']} px in {m['innerWidth']} px)")
    if m["table"] is None:
        return problems
    if m["table"] > m["box"] and not (m["boxScrolls"] and m["boxRight"] <= m["innerWidth"]):
        problems.append(f"{path}: the table ({m['table']} px) neither fits its box ({m['box']} px) nor scrolls in it")
    if m["cut"]:
        problems.append(f"{path}: columns cut off at {LAPTOP['width']} px: {m['cut']}")
    for cell in m["money"]:
        if cell["text"] != "-" and (not MONEY.match(cell["text"]) or cell["align"] != "right"):
            problems.append(f"{path}: money shown as {cell['text']!r}, aligned {cell['align']}")
    return problems


def test_every_change_list_fits_a_laptop_screen_and_formats_money(laptop, live, shot, demo):
    tenant = demo.tenant
    sign_in(laptop, live, tenant, f"admin@{tenant.slug}.example", DEMO_PASSWORD)
    changelists = _changelists(laptop, live, tenant)
    assert len(changelists) >= 25, changelists
    assert {"/admin/deals/dealregistration/", "/admin/incentives/mdfrequest/", "/admin/incentives/payoutbatch/",
            "/admin/incentives/spifaccrual/", "/admin/incentives/mdffund/"} <= set(changelists)
    problems = []
    for path in changelists:
        problems += _problems(laptop, live, tenant, path)
    assert not problems, "\n".join(problems)

    laptop.goto(live.url(tenant, "/admin/incentives/mdfrequest/"))
    amounts = laptop.locator("#result_list td.field-money_requested_amount")
    assert amounts.count() >= 3
    assert all(MONEY.match(text) for text in amounts.all_inner_texts())
    shot(laptop, "admin-01-mdf-requests-1366")
    laptop.goto(live.url(tenant, "/admin/deals/dealregistration/"))
    shot(laptop, "admin-02-deal-registrations-1366")


def test_a_change_list_wider_than_its_box_scrolls_inside_it_not_the_page(laptop, live, demo):
    """Narrower than a laptop, the same tables no longer fit: they scroll in their own box."""
    tenant = demo.tenant
    sign_in(laptop, live, tenant, f"admin@{tenant.slug}.example", DEMO_PASSWORD)
    laptop.set_viewport_size({"width": 1024, "height": 800})
    laptop.goto(live.url(tenant, "/admin/incentives/mdfrequest/"))
    m = laptop.evaluate(MEASURE)
    assert m["table"] > m["box"], m  # the case this test is about
    assert m["boxScrolls"] and m["boxRight"] <= m["innerWidth"], m
    assert m["pageWidth"] <= m["innerWidth"], m
