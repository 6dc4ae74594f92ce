"""A channel manager invites a partner user; the invitee joins and lands in the branded portal."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_invites_partner_user_who_joins_the_branded_portal(page, live, shot, tenant, partner, make_member):
    tenant.primary_colour = "#aa3300"
    tenant.save()
    manager = make_member(tenant, "channel_manager", email="manager@acme.test")

    sign_in(page, live, tenant, manager.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/staff/people/"))
    page.fill("input[name=email]", "new.rep@northwind.example")
    page.select_option("select[name=role]", "partner_user")
    page.select_option("select[name=partner]", label=partner.name)
    page.click("#invite-panel button[type=submit]")
    page.wait_for_selector("text=Invitation sent")
    shot(page, "invitation-01-sent")

    # The link arrives by email (delivered from the outbox after commit).
    message = next(m for m in mail.outbox if "new.rep@northwind.example" in m.to)
    link = re.search(r"http://\S+/invite/\S+/", message.body).group(0)
    assert link.startswith(live.url(tenant, "/invite/"))

    page.context.clear_cookies()
    page.goto(link)
    page.fill("input[name=full_name]", "Nora Newrep")
    page.fill("input[name=password1]", "a-Str0ng-passphrase")
    page.fill("input[name=password2]", "a-Str0ng-passphrase")
    shot(page, "invitation-02-accept")
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")

    # Signed in, on the acme portal, with acme's branding.
    assert page.locator("header .brand").inner_text().strip() == tenant.name
    expect(page.locator("text=Welcome, Nora")).to_be_visible()
    theme = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--prm-brand').trim()")
    assert theme == "#aa3300"
    shot(page, "invitation-03-portal")

    # Single use: the same link now refuses with a clear message.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.locator("text=already been used")).to_be_visible()
