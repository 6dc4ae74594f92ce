"""Before/after screenshots of the four pages a new user judges the portal by — the partner home,
the deal form, the review queue and the executive dashboard — on a desktop and a phone, saved with
the CI artifacts (artifacts/screenshots/after-*.png beside the committed before-*.png from
docs/screenshots/before/, taken on the demo before the visual system of issue [9]).

Each page is also checked as a person would look at it: it loads, shows its heading, does not
scroll sideways, and the browser reports no script error or CSP violation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from prm.tenancy.demo import DEMO_PASSWORD, DEMO_TENANTS, seed_tenant
from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "before"
PAGES = [
    ("partner", "partner-home", "/"),
    ("partner", "deal-form", "/deals/register/"),
    ("manager", "review-queue", "/deals/review/"),
    ("exec", "dashboard", "/analytics/dashboard/"),
]
WIDTHS = {"desktop": 1366, "phone": 390}


@pytest.fixture
def demo(db):
    with scopes_disabled():
        return seed_tenant(DEMO_TENANTS[0], log=lambda *_: None)


def test_before_and_after_screenshots_of_the_pages_a_new_user_sees(browser, live, demo):
    tenant = demo.tenant
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for before in sorted(BEFORE.glob("*.png")):
        shutil.copyfile(before, ARTIFACTS / f"before-{before.name}")
    saved, problems = [], []
    for local in dict.fromkeys(role for role, _n, _p in PAGES):
        context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900}, locale="en-GB",
                                      reduced_motion="reduce")  # charts drawn at once, not mid-animation
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        sign_in(page, live, tenant, f"{local}@{tenant.slug}.example", DEMO_PASSWORD)
        for role, name, path in PAGES:
            if role != local:
                continue
            for tag, width in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(live.url(tenant, path))
                page.wait_for_load_state("networkidle")
                where = f"{name} at {width} px"
                if response.status != 200:
                    problems.append(f"{where}: HTTP {response.status}")
                    continue
                if not page.locator("main h1").first.is_visible():
                    problems.append(f"{where}: no visible heading")
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    problems.append(f"{where}: scrolls sideways by {overflow} px")
                target = ARTIFACTS / f"after-{name}-{tag}.png"
                page.screenshot(path=str(target), full_page=True)
                saved.append(target)
        problems += [f"{local}: browser error: {e}" for e in errors]
        context.close()
    assert not problems, "\n".join(problems)
    assert len(saved) == len(PAGES) * len(WIDTHS)
    assert all(p.stat().st_size > 10_000 for p in saved)  # a real page, not a blank one
    assert len(list(ARTIFACTS.glob("before-*.png"))) == len(PAGES) * len(WIDTHS)
