"""Partner pages: the statement (own organisation only, constant queries), MDF requests with htmx
inline validation, claims with uploads, and proof delivery behind an access check."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import DealRegistration
from incentives.models import MdfClaim, MdfRequest, ProofFile, SpifAccrual
from incentives.services import spif_reevaluate
from prm.tenancy.scoping import tenant_scope
from tests.factories import (
    DealFactory,
    MdfAllocationFactory,
    MdfRequestFactory,
    SpifProgramFactory,
    WonDealFactory,
    mdf_partner,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_partner_sees_only_its_own_statement(tenant, partner, members, client_for, make_member):
    SpifProgramFactory(tenant=tenant, name="Cloud push")
    rival = mdf_partner(tenant, name="Rival Reseller")
    mine = WonDealFactory(tenant=tenant, partner=partner, customer_name="Mine Corp")
    theirs = WonDealFactory(tenant=tenant, partner=rival, customer_name="Theirs Corp")
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)
    for role in ("partner_admin", "partner_user"):
        response = client_for(tenant, members[role]).get(reverse("incentives:home"))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Mine Corp" in body and "Theirs Corp" not in body
        assert str(theirs.pk) not in body and str(mine.pk) in body
    rival_user = make_member(tenant, "partner_admin", partner=rival)
    body = client_for(tenant, rival_user).get(reverse("incentives:home")).content.decode()
    assert "Theirs Corp" in body and "Mine Corp" not in body
    # Staff pages are not for partners; another partner's statement is not reachable at all.
    assert client_for(tenant, members["partner_admin"]).get(
        reverse("incentives:partner_statement", args=[rival.pk])).status_code == 403


def test_staff_see_any_partners_statement(tenant, partner, members, client_for):
    SpifProgramFactory(tenant=tenant)
    WonDealFactory(tenant=tenant, partner=partner, customer_name="Mine Corp")
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)
    for role in ("channel_manager", "executive", "tenant_admin"):
        response = client_for(tenant, members[role]).get(reverse("incentives:partner_statement", args=[partner.pk]))
        assert response.status_code == 200 and "Mine Corp" in response.content.decode()


def _statement_queries(tenant, partner, client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("incentives:home"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_statement_query_count_does_not_grow_with_the_data(tenant, partner, members, client_for, product):
    programs = [SpifProgramFactory(tenant=tenant, name=f"P{i}", budget=Decimal("10000000")) for i in range(2)]
    client = client_for(tenant, members["partner_admin"])
    MdfAllocationFactory(tenant=tenant, partner=partner)

    def add(n):
        for _i in range(n):
            WonDealFactory(tenant=tenant, partner=partner)
            DealFactory(tenant=tenant, partner=partner, status=DealRegistration.Status.APPROVED)  # open pipeline
        with tenant_scope(tenant):
            spif_reevaluate(tenant=tenant)

    add(3)
    _statement_queries(tenant, partner, client)  # warm-up: once-per-session writes (last seen…) happen here
    small = _statement_queries(tenant, partner, client)
    add(60)
    with tenant_scope(tenant):
        assert SpifAccrual.objects.filter(program__in=programs).count() == 126
    large = _statement_queries(tenant, partner, client)
    assert small == large, f"{small} queries with 6 accruals, {large} with 126"


def test_mdf_page_lists_allocations_and_requests(tenant, partner, members, client_for, allocation):
    MdfRequestFactory(tenant=tenant, allocation=allocation, title="Spring webinar")
    body = client_for(tenant, members["partner_user"]).get(reverse("incentives:mdf")).content.decode()
    assert "FY MDF" in body and "Spring webinar" in body and "Request MDF" in body


def _form_data(allocation, **overrides):
    start = timezone.localdate() + timedelta(days=10)
    data = {"allocation": str(allocation.pk), "activity_type": "webinar", "title": "Zero trust webinar",
            "description": "For 150 CISOs", "start_date": start.isoformat(), "end_date": start.isoformat(),
            "requested_amount": "2500.00", "expected_leads": "30", "nonce": "4a6e1c52-2f0b-4f5e-9d1a-1c2b3d4e5f60"}
    data.update(overrides)
    return data


def test_partner_requests_mdf_through_the_form(tenant, partner, members, client_for, allocation, manager):
    client = client_for(tenant, members["partner_admin"])
    assert client.get(reverse("incentives:mdf_request_new")).status_code == 200
    response = client.post(reverse("incentives:mdf_request_new"), _form_data(allocation))
    with tenant_scope(tenant):
        r = MdfRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incentives:mdf_request", args=[r.pk])
    assert r.submitted_by == members["partner_admin"] and r.requested_amount == Decimal("2500.00")
    # The same form posted again (double click) does not create a second request.
    client.post(reverse("incentives:mdf_request_new"), _form_data(allocation))
    with tenant_scope(tenant):
        assert MdfRequest.objects.count() == 1
        from prm.notifications.models import Notification

        assert Notification.objects.filter(user=manager, title__startswith="MDF request from").exists()


@pytest.mark.parametrize("overrides, message", [
    ({"requested_amount": "-10"}, "greater than zero"),
    ({"requested_amount": "0"}, "greater than zero"),
    ({"requested_amount": "10000.01"}, "Only 10,000.00 USD is left"),
    ({"requested_amount": "1.001"}, "at most 2 decimal places"),
    ({"start_date": "2001-01-01", "end_date": "2001-01-02"}, "cannot be in the past"),
])
def test_bad_request_input_shows_a_clear_error_and_saves_nothing(tenant, partner, members, client_for, allocation,
                                                                 overrides, message):
    client = client_for(tenant, members["partner_admin"])
    response = client.post(reverse("incentives:mdf_request_new"), _form_data(allocation, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    # htmx submissions get the form fragment back with the same error (200 so htmx swaps it).
    response = client.post(reverse("incentives:mdf_request_new"), _form_data(allocation, **overrides),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and message in response.content.decode()
    assert "<html" not in response.content.decode()
    with tenant_scope(tenant):
        assert not MdfRequest.objects.exists()


def test_inline_validation_only_reports_fields_already_filled(tenant, partner, members, client_for, allocation):
    client = client_for(tenant, members["partner_admin"])
    data = {"allocation": str(allocation.pk), "requested_amount": "-1", "nonce": "4a6e1c52-2f0b-4f5e-9d1a-1c2b3d4e5f60"}
    response = client.post(reverse("incentives:mdf_request_new") + "?check=1", data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "greater than zero" in body and "Name the activity" not in body and "This field is required" not in body
    with tenant_scope(tenant):
        assert not MdfRequest.objects.exists()


def test_partner_claims_with_an_upload_and_downloads_the_proof(tenant, partner, members, client_for, allocation,
                                                              make_member):
    yesterday = timezone.localdate() - timedelta(days=1)
    r = MdfRequestFactory(tenant=tenant, allocation=allocation, start_date=yesterday, end_date=yesterday,
                          today=yesterday, approve=True)
    client = client_for(tenant, members["partner_user"])
    page = client.get(reverse("incentives:mdf_request", args=[r.pk]))
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(reverse("incentives:mdf_claim_submit", args=[r.pk]), {
        "actual_cost": "1800.00", "leads_generated": "25", "results": "120 attendees",
        "files": [SimpleUploadedFile("Invoice 42.pdf", PDF, content_type="application/pdf")]})
    assert response.status_code == 302
    with tenant_scope(tenant):
        claim = MdfClaim.objects.get(mdf_request=r)
        proof = ProofFile.objects.get(claim=claim)
    assert proof.name == "Invoice-42.pdf"
    download = client.get(reverse("incentives:proof_download", args=[proof.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment") and download["Cache-Control"] == "private, no-store"
    for role in ("channel_manager", "executive"):
        assert client_for(tenant, members[role]).get(reverse("incentives:proof_download", args=[proof.pk])).status_code == 200
    # Another partner organisation of the same tenant: the request and its proof do not exist for it.
    outsider = make_member(tenant, "partner_admin", partner=mdf_partner(tenant))
    other = client_for(tenant, outsider)
    assert other.get(reverse("incentives:proof_download", args=[proof.pk])).status_code == 404
    assert other.get(reverse("incentives:mdf_request", args=[r.pk])).status_code == 404
    assert other.post(reverse("incentives:mdf_request_cancel", args=[r.pk])).status_code == 404


def test_claim_with_a_forbidden_file_shows_the_error_and_saves_nothing(tenant, partner, members, client_for,
                                                                      allocation):
    yesterday = timezone.localdate() - timedelta(days=1)
    r = MdfRequestFactory(tenant=tenant, allocation=allocation, start_date=yesterday, end_date=yesterday,
                          today=yesterday, approve=True)
    client = client_for(tenant, members["partner_admin"])
    response = client.post(reverse("incentives:mdf_claim_submit", args=[r.pk]), {
        "actual_cost": "1800.00", "leads_generated": "25", "results": "ok",
        "files": [SimpleUploadedFile("run.pdf", b"MZ" + b"\x00" * 100)]})
    assert response.status_code == 400 and "Executable files are not allowed" in response.content.decode()
    with tenant_scope(tenant):
        assert not MdfClaim.objects.exists() and not ProofFile.objects.exists()


def test_claim_on_a_rejected_request_is_refused_on_the_page(tenant, partner, members, client_for, allocation, manager):
    from incentives.services import mdf_request_decide

    yesterday = timezone.localdate() - timedelta(days=1)
    r = MdfRequestFactory(tenant=tenant, allocation=allocation, start_date=yesterday, end_date=yesterday,
                          today=yesterday)
    with tenant_scope(tenant):
        mdf_request_decide(tenant=tenant, mdf_request=r, actor=manager, approve=False, note="Out of scope")
    client = client_for(tenant, members["partner_admin"])
    page = client.get(reverse("incentives:mdf_request", args=[r.pk])).content.decode()
    assert "there is nothing to claim" in page and 'id="claim-form"' not in page
    response = client.post(reverse("incentives:mdf_claim_submit", args=[r.pk]), {
        "actual_cost": "100", "leads_generated": "1", "results": "x",
        "files": [SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")]})
    assert response.status_code == 400 and "there is nothing to claim" in response.content.decode()


def test_home_page_shows_the_incentive_widgets(tenant, partner, members, client_for, allocation):
    body = client_for(tenant, members["partner_admin"]).get("/").content.decode()
    assert "My incentives" in body and "of MDF available" in body
    body = client_for(tenant, members["channel_manager"]).get("/").content.decode()
    assert "MDF requests to decide" in body
