"""A company applies on the public page, a channel manager approves it, the invited contact signs
up from the email, works through the onboarding checklist and the partner becomes active."""

import re

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from partners.models import Partner, PartnerApplication
from tests.browser.conftest import sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgreementFactory,
    CriterionFactory,
    IdealPartnerProfileFactory,
    OnboardingPathFactory,
    OnboardingStepFactory,
    PartnerTypeFactory,
    TierFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_application_to_approval_to_invitation_to_onboarding_to_active(page, live, shot, tenant, make_member):
    reseller = PartnerTypeFactory(tenant=tenant, code="reseller", name="Reseller")
    TierFactory(tenant=tenant, rank=1)
    CriterionFactory(profile=IdealPartnerProfileFactory(tenant=tenant), kind="region", region="EMEA", points_match=25)
    path = OnboardingPathFactory(tenant=tenant, partner_type=reseller, name="Reseller onboarding")
    for order, kind in enumerate(["accept_agreement", "complete_profile", "invite_colleague"], start=1):
        OnboardingStepFactory(path=path, order=order, kind=kind)
    AgreementFactory(tenant=tenant, title="Reseller agreement", body="Be excellent to each other.")
    manager = make_member(tenant, "channel_manager", email="max@acme.test")

    # 1. A visitor applies on the public recruitment page (no account).
    page.goto(live.url(tenant, "/partners/apply/"))
    page.fill("input[name=company]", "Initech GmbH")
    page.fill("input[name=website]", "https://www.initech.de")
    page.select_option("select[name=country]", "DE")
    page.check("input[name=regions][value=EMEA]")
    page.fill("input[name=specialties]", "cloud, security")
    page.select_option("select[name=partner_type]", label="Reseller")
    page.fill("input[name=employees]", "120")
    page.select_option("select[name=revenue_band]", "10m-50m")
    page.fill("input[name=contact_name]", "Peter Gibbons")
    page.fill("input[name=contact_email]", "peter@initech.de")
    shot(page, "partners-onboarding-01-apply")
    page.click("form button[type=submit]")
    page.wait_for_selector("text=Thank you for applying")
    assert any(m.to == ["peter@initech.de"] for m in mail.outbox)

    # 2. The channel manager sees it in the queue with its fit score and approves it (htmx).
    sign_in(page, live, tenant, manager.email, TEST_PASSWORD)
    page.goto(live.url(tenant, "/partners/staff/applications/"))
    row = page.locator("#application-table tr", has_text="Initech GmbH")
    assert row.locator(".pill").inner_text().strip() == "75"
    row.locator("a", has_text="Initech GmbH").click()
    page.wait_for_selector("text=Serves Europe, Middle East and Africa")
    shot(page, "partners-onboarding-02-review")
    page.click("#decision-panel form:has(input[value=approve]) button[type=submit]")
    page.wait_for_selector("#decision-panel >> text=now a partner in onboarding")
    shot(page, "partners-onboarding-03-approved")
    with scopes_disabled():
        partner = Partner.objects.get(domain="initech.de")
        assert partner.status == "onboarding"
        assert PartnerApplication.objects.get(domain="initech.de").status == "approved"

    # 3. The invitation arrives by email; the contact sets a password and lands on the checklist.
    invite = next(m for m in mail.outbox if m.to == ["peter@initech.de"] and "invited" in m.subject)
    link = re.search(r"http://\S+/invite/\S+/", invite.body).group(0)
    page.context.clear_cookies()
    page.goto(link)
    page.fill("input[name=full_name]", "Peter Gibbons")
    page.fill("input[name=password1]", "a-Str0ng-passphrase")
    page.fill("input[name=password2]", "a-Str0ng-passphrase")
    page.click("form button[type=submit]")
    page.wait_for_selector("#onboarding-checklist")
    assert "0 of 3 steps done" in page.locator("#onboarding-checklist").inner_text()
    shot(page, "partners-onboarding-04-checklist")

    # 4. Accept the agreement.
    page.click("#onboarding-checklist a:has-text('Review the agreement')")
    page.check("input[name=accept]")
    page.click("form button[type=submit]:has-text('Accept the agreement')")
    page.wait_for_selector("text=The agreement is accepted")

    # 5. Complete the profile.
    page.goto(live.url(tenant, "/partners/profile/"))
    page.fill("textarea[name=description]", "Initech resells cloud and security software across Europe.")
    page.check("input[name=regions][value=NA]")
    page.click("form button[type=submit]:has-text('Save profile')")
    page.wait_for_selector("text=Your organisation profile was saved.")
    page.goto(live.url(tenant, "/"))
    assert "2 of 3 steps done" in page.locator("#onboarding-checklist").inner_text()
    shot(page, "partners-onboarding-05-progress")

    # 6. Invite a colleague from the team page: the last step; the partner becomes active.
    page.click("#onboarding-checklist a:has-text('Invite a colleague')")
    page.fill("input[name=email]", "samir@initech.de")
    page.select_option("select[name=role]", "partner_user")
    page.click("form button[type=submit]:has-text('Send invitation')")
    page.wait_for_selector("text=Invitation sent to samir@initech.de")
    page.goto(live.url(tenant, "/"))
    assert page.locator("#onboarding-checklist").count() == 0  # finished: the checklist gives way
    page.goto(live.url(tenant, "/partners/onboarding/"))
    page.wait_for_selector("text=Onboarding completed on")
    assert page.locator(".page-header .pill").inner_text().strip() == "Active"
    shot(page, "partners-onboarding-06-active")
    with scopes_disabled():
        partner.refresh_from_db()
    assert partner.status == "active" and partner.activated_at is not None
