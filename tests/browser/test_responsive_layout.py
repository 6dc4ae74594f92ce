"""On a phone (320 CSS px, WCAG 1.4.10's reflow width) the role's links sit in a Menu and no page
scrolls sideways: wide tables scroll inside their own box, long names and addresses wrap. On a
desktop the links are shown in a row and the Menu is not there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import TEST_PASSWORD, DealFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 320, "height": 720}
LONG_NAME = "Supercalifragilisticexpialidocious International Holdings"
LONG_WEBSITE = "https://www.supercalifragilisticexpialidocious-international-holdings.example"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _sideways(page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it fits the screen)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _menu_links(page) -> list[str]:
    return page.eval_on_selector_all(".compact-nav a", "links => links.map(a => a.getAttribute('href'))")


def _check_pages_fit(page, live, tenant, paths) -> None:
    for path in paths:
        response = page.goto(live.url(tenant, path))
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert _sideways(page) == 0, f"{path} scrolls sideways on a phone"


def test_on_a_phone_the_links_are_in_a_menu_and_no_page_scrolls_sideways(phone, live, shot, tenant, partner,
                                                                            make_member):
    deal = DealFactory(tenant=tenant, partner=partner, customer_name=LONG_NAME, website=LONG_WEBSITE,
                       contact_email="procurement.department@supercalifragilisticexpialidocious.example")
    manager = make_member(tenant, "channel_manager", email="manager@acme.test")
    rep = make_member(tenant, "partner_user", partner=partner, email="rep@northwind.example")

    sign_in(phone, live, tenant, manager.email, TEST_PASSWORD)
    expect(phone.locator(".primary-nav")).to_be_hidden()
    phone.get_by_text("Menu", exact=True).click()
    menu = phone.locator(".compact-nav details ul")
    expect(menu.get_by_role("link", name="Review queue")).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box  # the open menu fits the screen
    shot(phone, "layout-01-phone-menu")
    menu.get_by_role("link", name="Deals").click()
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith("/deals/")
    expect(phone.locator(".compact-nav a[aria-current=page]")).to_have_text("Deals")
    # Every page of the manager's menu, and a deal with a long name, website and e-mail address.
    manager_pages = _menu_links(phone)
    assert len(manager_pages) >= 8
    _check_pages_fit(phone, live, tenant, [*manager_pages, f"/deals/{deal.pk}/"])
    shot(phone, "layout-02-phone-deal")
    # German labels are longer (the review clock, the bulk actions, the facts of a deal).
    phone.context.add_cookies([{"name": "django_language", "value": "de", "url": live.url(tenant)}])
    _check_pages_fit(phone, live, tenant, ["/deals/review/", f"/deals/{deal.pk}/", "/analytics/dashboard/"])
    expect(phone.locator(".compact-nav summary")).to_have_text("Menü")

    phone.context.clear_cookies()
    sign_in(phone, live, tenant, rep.email, TEST_PASSWORD)
    partner_pages = _menu_links(phone)
    assert "/deals/" in partner_pages and "/deals/review/" not in partner_pages  # the partner's own menu
    _check_pages_fit(phone, live, tenant, [*partner_pages, f"/deals/{deal.pk}/"])


def test_on_a_desktop_the_links_are_in_a_row_and_there_is_no_menu(page, live, tenant, make_member):
    manager = make_member(tenant, "channel_manager", email="manager@acme.test")
    sign_in(page, live, tenant, manager.email, TEST_PASSWORD)
    expect(page.locator(".primary-nav").get_by_role("link", name="Review queue")).to_be_visible()
    expect(page.locator(".compact-nav")).to_be_hidden()
    assert _sideways(page) == 0
