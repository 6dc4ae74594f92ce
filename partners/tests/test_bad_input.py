"""Every remaining form refuses bad input with a clear message and saves nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.models import Agreement, IdealProfileCriterion, Partner, PartnerApplication, PartnerImport
from prm.tenancy.scoping import tenant_scope
from tests.factories import IdealPartnerProfileFactory, PartnerApplicationFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(tenant, program):
    return PartnerApplicationFactory(tenant=tenant, partner_type=None)


def decide(client, application, data, htmx=True):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("partners:application_decide", args=[application.pk]), data, **extra)


def test_empty_question_decline_reason_and_missing_partner_type_are_refused(tenant, application, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    for data, message in [
        ({"action": "info", "info-question": ""}, "This field is required."),
        ({"action": "decline", "decline-reason": ""}, "This field is required."),
        ({"action": "approve", "approve-partner_type": ""}, "This field is required."),
        ({"action": "approve", "approve-partner_type": "not-a-uuid"}, "is not a valid UUID."),
        ({"action": "explode"}, "Unknown action."),
    ]:
        response = decide(client, application, data)
        assert response.status_code == 400 and message in response.content.decode(), data
        assert response.content.decode().lstrip().startswith('<section id="decision-panel"')
    with tenant_scope(tenant):
        application.refresh_from_db()
        assert application.status == "new" and not Partner.objects.filter(domain=application.domain).exists()


def test_applicant_answer_must_not_be_empty(tenant, client_for):
    application = PartnerApplicationFactory(tenant=tenant, status="info_requested", info_request="Why?")
    token = application.new_response_token()
    with scopes_disabled():
        application.save()
    response = client_for(tenant).post(reverse("partners:application_respond", args=[token]), {"answer": "  "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    with tenant_scope(tenant):
        application.refresh_from_db()
    assert application.status == "info_requested" and application.info_response == ""


def test_unknown_status_or_missing_reason_changes_nothing(tenant, partner, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    url = reverse("partners:staff_status", args=[partner.pk])
    for data in ({"status": "vanished", "reason": "x"}, {"status": "suspended", "reason": ""}):
        response = client.post(url, data, follow=True)
        assert "Choose a status and give a reason." in response.content.decode()
    with tenant_scope(tenant):
        partner.refresh_from_db()
    assert partner.status == "active"


def test_owner_must_be_a_manager_of_this_portal(tenant, other_tenant, partner, members, make_member, client_for):
    stranger = make_member(other_tenant, "channel_manager")
    response = client_for(tenant, members["channel_manager"]).post(
        reverse("partners:staff_owner", args=[partner.pk]), {"manager": str(stranger.pk)}, follow=True)
    assert "Choose a channel manager of this portal." in response.content.decode()
    with tenant_scope(tenant):
        partner.refresh_from_db()
    assert partner.owner_id is None


def test_import_form_needs_a_file(tenant, members, client_for):
    response = client_for(tenant, members["channel_manager"]).post(reverse("partners:import_list"), {})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    with tenant_scope(tenant):
        assert not PartnerImport.objects.exists()


def test_contact_invitation_without_an_email_explains_why(tenant, members, client_for):
    partner = PartnerFactory(tenant=tenant, contact_email="")
    response = client_for(tenant, members["channel_manager"]).post(
        reverse("partners:staff_invite_contact", args=[partner.pk]), follow=True)
    assert "no primary contact email" in response.content.decode()


@pytest.mark.parametrize("fields,message", [
    ({"kind": "region", "region": ""}, "Set this value"),
    ({"kind": "specialty", "region": "", "specialty": ""}, "Set this value"),
    ({"kind": "company_size", "region": ""}, "Set a minimum and/or a maximum"),
    ({"kind": "company_size", "region": "", "min_employees": 50, "max_employees": 10}, "must not be below"),
    ({"kind": "region", "region": "EMEA", "points_match": 0, "points_miss": 0}, "Give the criterion points"),
    ({"kind": "region", "region": "EMEA", "points_match": 500}, "less than or equal to 100"),
])
def test_ideal_profile_criteria_are_validated(tenant, fields, message):
    profile = IdealPartnerProfileFactory(tenant=tenant)
    criterion = IdealProfileCriterion(tenant=tenant, profile=profile, **{"points_match": 10, **fields})
    with tenant_scope(tenant), pytest.raises(ValidationError, match=message):
        criterion.full_clean()


def test_agreement_drafts_from_the_admin_get_the_next_version(tenant, program, members, client_for):
    client = client_for(tenant, members["tenant_admin"])
    for body in ("First", "Second"):
        response = client.post("/admin/partners/agreement/add/", {
            "partner_type": str(program["types"]["reseller"].pk), "title": "Reseller agreement", "body": body,
            "summary_of_changes": ""})
        assert response.status_code == 302
    response = client.post("/admin/partners/agreement/add/", {"partner_type": "", "title": "", "body": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    with tenant_scope(tenant):
        assert sorted(Agreement.objects.values_list("version", "body")) == [(1, "First"), (2, "Second")]
        assert not Agreement.objects.filter(published_at__isnull=False).exists()


def test_public_form_rejects_oversized_text(tenant, program, client_for):
    from partners.tests.test_applications import APPLY, form_data

    response = client_for(tenant).post(APPLY, form_data(program, message="x" * 4001, company="y" * 201))
    body = response.content.decode()
    assert response.status_code == 400 and "at most 4000 characters" in body and "at most 200 characters" in body
    with tenant_scope(tenant):
        assert not PartnerApplication.objects.exists()
