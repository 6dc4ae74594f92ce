"""On a phone (320 CSS px, WCAG 1.4.10's reflow width) the role's links sit in a Menu and no page
scrolls sideways: wide tables scroll inside their own box, long names and addresses wrap. On a
desktop the links are shown in a row and the Menu is not there. The lists used every day (deals,
the review queue, the incentive statement) become stacked cards on a phone and stay tables on a
desktop."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from incentives.services import spif_reevaluate
from prm.tenancy.scoping import tenant_scope
from tests.browser.conftest import sign_in
from tests.factories import TEST_PASSWORD, DealFactory, PartnerFactory, SpifProgramFactory, WonDealFactory

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


# --- List tables as cards on a phone --------------------------------------------------------------
# The lists a partner and a channel manager use daily opt in with <table class="cards">
# (static/css/cards.css): up to 640 px wide every row is a card with the row's main link as its
# title and a "label  value" line per cell; above that they are tables.

CARD_PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# A row of a card table as the browser lays it out: the row's display, and per cell its column
# header, its data-label, the label drawn by ::before (the first string of `content`, whose
# alternative text is empty), its display and its box.
ROW_LAYOUT = """row => {
  const table = row.closest('table');
  const headers = [...table.tHead.rows[0].cells].map(th => th.textContent.trim());
  const drawn = content => { const m = /^"((?:[^"\\\\]|\\\\.)*)"/.exec(content); return m ? m[1] : null; };
  return {
    display: getComputedStyle(row).display,
    theadDisplay: getComputedStyle(table.tHead).display,
    theadWidth: table.tHead.getBoundingClientRect().width,
    cells: [...row.cells].map(cell => {
      const box = cell.getBoundingClientRect();
      return {tag: cell.tagName.toLowerCase(), header: headers[cell.cellIndex], label: cell.dataset.label ?? null,
              before: drawn(getComputedStyle(cell, '::before').content), display: getComputedStyle(cell).display,
              text: cell.textContent.trim(), top: box.top, left: box.left, right: box.right};
    }),
  };
}"""


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def _within_viewport(page, locator) -> None:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box and box["width"] > 0, "the amount is not on the card"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"the amount sits off-screen: {box}"


def _assert_card(page, row, *, title: str) -> dict:
    """The row is a card: the row header is its title, on top; every other cell that has something
    in it draws its column header as its label; an empty cell is left out, label and all."""
    layout = row.evaluate(ROW_LAYOUT)
    assert layout["display"] in ("block", "grid"), layout["display"]
    assert layout["theadDisplay"] != "none" and layout["theadWidth"] <= 1  # in the DOM, out of sight
    heads = [c for c in layout["cells"] if c["tag"] == "th"]
    assert len(heads) == 1 and title in heads[0]["text"] and heads[0]["before"] is None
    shown = [c for c in layout["cells"] if c["display"] != "none"]
    assert min(c["top"] for c in shown) == heads[0]["top"], "the title is not at the top of the card"
    for cell in layout["cells"]:
        if cell["tag"] == "th":
            continue
        assert cell["label"] == cell["header"], cell  # the column header's own (translated) words
        if cell["text"]:
            assert cell["before"] == cell["label"], cell
        else:
            assert cell["display"] == "none", f"an empty cell prints a lone label: {cell}"
    assert all(c["left"] >= 0 and c["right"] <= page.viewport_size["width"] for c in shown)
    return layout


def _assert_table(row) -> None:
    layout = row.evaluate(ROW_LAYOUT)
    assert layout["display"] == "table-row"
    assert layout["theadDisplay"] == "table-header-group" and layout["theadWidth"] > 300
    assert all(c["display"] == "table-cell" and c["before"] is None for c in layout["cells"])


@pytest.fixture
def daily_lists(tenant, partner, make_member):
    """A partner's deal list with a long name and a large amount, a look-alike registration of
    another partner in the review queue, and a SPIF statement line with its deal."""
    SpifProgramFactory(tenant=tenant, name="Cloud Platform push", flat_amount=Decimal("1250.00"))
    WonDealFactory(tenant=tenant, partner=partner, customer_name="Gringotts Bank", amount=Decimal("64000.00"))
    DealFactory(tenant=tenant, partner=partner, customer_name=LONG_NAME, website=LONG_WEBSITE,
                amount=Decimal("1234567.89"))
    rival = PartnerFactory(tenant=tenant, name="Tailspin Integrators")
    DealFactory(tenant=tenant, partner=rival, customer_name=LONG_NAME, website=LONG_WEBSITE,
                amount=Decimal("987654.32"))
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)
    return {
        "manager": make_member(tenant, "channel_manager", email="manager@acme.test"),
        "partner": make_member(tenant, "partner_admin", partner=partner, email="admin@northwind.example"),
    }


def _open_cards(page, live, tenant, path: str) -> None:
    response = page.goto(live.url(tenant, path))
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")


def _partner_deal_list(page, live, tenant):
    _open_cards(page, live, tenant, "/deals/")
    row = page.locator("#deal-table table.cards > tbody > tr", has_text=LONG_NAME)
    return row, row.locator("td.num .amount")


def _review_queue(page, live, tenant):
    _open_cards(page, live, tenant, "/deals/review/")
    item = page.locator(".queue-item").filter(has=page.locator(".queue-item-head", has_text="Tailspin Integrators"))
    item.locator("summary", has_text="Evidence").click()
    return item, item.locator("table.cards > tbody > tr").first, item.locator(".queue-item-head .amount")


def _statement(page, live, tenant):
    _open_cards(page, live, tenant, "/incentives/")
    line = page.locator("article.program-line", has_text="Cloud Platform push").first
    line.locator("summary").click()
    row = line.locator("details table.cards > tbody > tr", has_text="Gringotts Bank")
    return line, row


def test_on_a_phone_the_daily_lists_are_cards_and_on_a_desktop_tables(browser, live, shot, tenant, daily_lists):
    context = browser.new_context(viewport=CARD_PHONE, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()

    sign_in(page, live, tenant, daily_lists["partner"].email, TEST_PASSWORD)
    row, amount = _partner_deal_list(page, live, tenant)
    assert _fits(page), "the deal list scrolls sideways"
    layout = _assert_card(page, row, title=LONG_NAME)
    products = next(c for c in layout["cells"] if c["label"] == "Products")
    assert products["display"] == "none"  # the deal has no products: no "Products" line at all
    expect(amount).to_have_text("1,234,567.89 USD")
    _within_viewport(page, amount)
    # The table is still a table to assistive technology: its column headers are there.
    expect(page.get_by_role("columnheader", name="Amount")).to_have_count(1)
    expect(row.get_by_role("rowheader")).to_contain_text(LONG_NAME)
    shot(page, "layout-03-phone-deal-cards")

    line, row = _statement(page, live, tenant)
    assert _fits(page), "the incentive statement scrolls sideways"
    _assert_card(page, row, title="Gringotts Bank")
    figures = line.locator("table.cards").first.locator("tbody > tr")
    assert figures.evaluate("r => getComputedStyle(r).display") in ("block", "grid")
    for label in ("Deal value", "Amount"):
        _within_viewport(page, row.locator(f"td[data-label='{label}']"))
    _within_viewport(page, figures.locator("td[data-label='Earned']"))
    expect(row.locator("td[data-label='Amount']")).to_contain_text("1,250.00 USD")
    shot(page, "layout-04-phone-statement-cards")

    context.clear_cookies()
    sign_in(page, live, tenant, daily_lists["manager"].email, TEST_PASSWORD)
    item, evidence, amount = _review_queue(page, live, tenant)
    assert _fits(page), "the review queue scrolls sideways"
    assert item.evaluate("el => getComputedStyle(el).display") in ("block", "grid")
    _assert_card(page, evidence, title=LONG_NAME)
    expect(amount).to_have_text("987,654.32 USD")
    _within_viewport(page, amount)
    # The bulk selection stays usable: a finger-sized checkbox that ticks and counts for the bulk form.
    checkbox = item.locator("input[type=checkbox][form=bulk-form]")
    box = checkbox.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    _within_viewport(page, checkbox)
    checkbox.check()
    assert page.evaluate("() => new FormData(document.getElementById('bulk-form')).getAll('deals').length") == 1
    shot(page, "layout-05-phone-queue-cards")

    page.set_viewport_size(DESKTOP)
    item, evidence, _amount = _review_queue(page, live, tenant)
    _assert_table(evidence)
    context.clear_cookies()
    sign_in(page, live, tenant, daily_lists["partner"].email, TEST_PASSWORD)
    row, amount = _partner_deal_list(page, live, tenant)
    _assert_table(row)
    assert amount.evaluate("el => getComputedStyle(el.closest('td')).textAlign") == "right"  # figures line up
    _line, row = _statement(page, live, tenant)
    _assert_table(row)
    assert _fits(page)
    context.close()
