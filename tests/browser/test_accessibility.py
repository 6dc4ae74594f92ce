"""axe-core's WCAG 2.1 A/AA rules find nothing on the demo portal's pages: on a desktop, every page
of a partner's and a tenant admin's menu and the pages they link to (a deal, a partner, a fund, a
course …), with the demo data that fills their tables, charts and forms; on a phone, the menu pages.

What axe checks includes colour contrast, labels and names of every control, heading and list
structure, and that a table wider than the screen, which scrolls in its own box, can be reached
and scrolled by keyboard."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_scopes import scopes_disabled

from prm.tenancy.demo import DEMO_PASSWORD, DEMO_TENANTS, seed_tenant
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
         "resultTypes": ["violations"]}
DESKTOP, PHONE = 1280, 390
LINKED_PAGES = 10  # pages reached from the menu pages' content, one per kind of address
SKIP = ("export", ".csv", "download", "/file", "preview", "/admin/", "logout")


@pytest.fixture
def demo(db):
    with scopes_disabled():
        return seed_tenant(DEMO_TENANTS[0], log=lambda *_: None)


def _links(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))")


def _pages_of(page, live, tenant) -> tuple[list[str], list[str]]:
    """The role's menu pages, and pages they link to: one address of each shape (ids as N)."""
    menu = list(dict.fromkeys(_links(page, ".compact-nav a")))
    shapes, linked = set(), []
    for path in menu:
        page.goto(live.url(tenant, path))
        for href in _links(page, "main a[href^='/']"):
            shape = re.sub(r"[0-9a-f-]{8,}|\d+", "N", href.split("?")[0])
            if shape in shapes or href in menu or any(s in href for s in SKIP):
                continue
            shapes.add(shape)
            linked.append(href)
    return menu, linked[:LINKED_PAGES]


def _violations(page) -> list[str]:
    found = Axe().run(page, options=RULES).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['nodes'][0]['failureSummary'][:160]}"
            for v in found]


def _check(page, live, tenant, path: str, width: int) -> list[str]:
    response = page.goto(live.url(tenant, path))
    assert response.status == 200, path
    page.wait_for_function("() => !document.querySelector('.htmx-request')")  # fragments loaded
    return [f"{path} at {width} px: {v}" for v in _violations(page)]


@pytest.mark.parametrize("local", ["partner", "admin"])
def test_no_wcag_violations_on_the_pages_of_each_role(page, live, demo, local):
    tenant = demo.tenant
    sign_in(page, live, tenant, f"{local}@{tenant.slug}.example", DEMO_PASSWORD)
    menu, linked = _pages_of(page, live, tenant)
    assert len(menu) >= 6 and len(linked) >= 5
    problems = []
    for path in menu + linked:
        problems += _check(page, live, tenant, path, DESKTOP)
    page.set_viewport_size({"width": PHONE, "height": 800})
    for path in menu:
        problems += _check(page, live, tenant, path, PHONE)
    assert not problems, "\n".join(problems)
