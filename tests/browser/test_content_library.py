"""A partner finds an asset by search, downloads it, completes a course and sees the certificate."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import sign_in
from tests.factories import (
    TEST_PASSWORD,
    AssetFactory,
    ChoiceFactory,
    CourseFactory,
    ModuleFactory,
    PartnerFactory,
    QuestionFactory,
    TierFactory,
    file_asset,
    make_pdf_bytes,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_searches_downloads_completes_a_course_and_sees_the_certificate(page, live, shot, tenant, make_member):
    silver = TierFactory(tenant=tenant, rank=2, name="Silver")
    gold = TierFactory(tenant=tenant, rank=3, name="Gold")
    partner = PartnerFactory(tenant=tenant, name="Northwind Solutions", tier=silver)
    user = make_member(tenant, "partner_user", partner=partner, email="rita@northwind.example")
    file_asset(tenant, title="Cloud migration playbook", co_brand=True, tags="migration, playbook",
               description="Step-by-step migration guide for customers.", content=make_pdf_bytes("Migration steps"))
    AssetFactory(tenant=tenant, title="Retail case study", description="A customer story.")
    AssetFactory(tenant=tenant, title="Gold migration pricing", min_tier=gold)
    course = CourseFactory(tenant=tenant, title="Migration fundamentals", passing_score=100, validity_months=12)
    ModuleFactory(course=course, order=1, title="Why migrate", body="Customers migrate to move faster.")
    ModuleFactory(course=course, order=2, title="Planning", body="Every plan needs a rollback.")
    question = QuestionFactory(course=course, order=1, text="What must every migration plan include?")
    ChoiceFactory(question=question, text="A rollback plan", is_correct=True)
    ChoiceFactory(question=question, text="A press release")

    sign_in(page, live, tenant, user.email, TEST_PASSWORD)

    # Find the asset by search; the results update in place (htmx) as the partner types.
    page.click("nav >> text=Content")
    # htmx binds its listeners once the deferred scripts have run: typing before that would be lost.
    page.wait_for_load_state("load")
    page.fill("#lib-q", "migration")
    page.wait_for_selector("#library-results h2:has-text('Results for')")
    results = page.locator("#library-results .asset-card h3")
    assert results.all_inner_texts() == ["Cloud migration playbook"]  # the Gold asset never shows
    assert "q=migration" in page.url
    shot(page, "content-01-search")

    # Open it and download: a co-branded PDF with the partner's name.
    page.click("#library-results >> text=Cloud migration playbook")
    page.wait_for_selector("h1:has-text('Cloud migration playbook')")
    with page.expect_download() as download_info:
        page.click("a[data-download]")
    download = download_info.value
    assert download.suggested_filename == "Cloud-migration-playbook-Northwind-Solutions.pdf"
    text = PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages[0].extract_text()
    assert "Northwind Solutions" in text and "Migration steps" in text
    shot(page, "content-02-asset")

    # Take the course: both modules, then the quiz.
    page.click("nav >> text=Training")
    page.click("text=Migration fundamentals")
    page.click("text=1. Why migrate")
    page.click("text=Mark as complete and continue")
    page.wait_for_selector("h1:has-text('Planning')")
    page.click("text=Mark as complete and continue")
    page.wait_for_selector("text=Take the quiz")
    shot(page, "content-03-course")
    page.click("text=Take the quiz")
    page.check("text=A rollback plan")
    page.click("text=Submit answers")

    # The certificate.
    page.wait_for_selector("h1:has-text('Certificate of completion')")
    certificate = page.locator(".certificate").inner_text()
    assert user.get_full_name() in certificate
    assert "Northwind Solutions" in certificate and "Migration fundamentals" in certificate
    assert page.locator(".messages").inner_text().startswith("You passed with 100%")
    shot(page, "content-04-certificate")

    page.click("nav >> text=Training")
    expect(page.locator("text=My certifications")).to_be_visible()
    expect(page.locator("table >> text=Migration fundamentals")).to_be_visible()
