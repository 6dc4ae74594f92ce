"""Public recruitment form, duplicate and spam protection, and the channel managers' decisions."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.models import Partner, PartnerApplication, PartnerOnboarding, TierChange
from prm.accounts.models import Invitation
from prm.audit.models import AuditEntry
from prm.tenancy.scoping import tenant_scope
from tests.factories import CriterionFactory, IdealPartnerProfileFactory, PartnerApplicationFactory, PartnerFactory

pytestmark = pytest.mark.django_db

APPLY = "/partners/apply/"


def form_data(program, **overrides):
    data = {
        "company": "Initech GmbH", "website": "https://www.initech.de", "country": "DE",
        "regions": ["EMEA"], "specialties": "Cloud, Security", "partner_type": str(program["types"]["reseller"].pk),
        "employees": "120", "revenue_band": "10m-50m", "contact_name": "Peter Gibbons",
        "contact_email": "peter@initech.de", "message": "We resell cloud services.", "nickname": "",
    }
    data.update(overrides)
    return data


def test_visitor_applies_without_an_account_and_gets_a_confirmation(tenant, program, client_for, on_commit):
    with scopes_disabled():
        CriterionFactory(profile=IdealPartnerProfileFactory(tenant=tenant), kind="region", region="EMEA", points_match=20)
    client = client_for(tenant)
    assert client.get(APPLY).status_code == 200
    with on_commit():
        response = client.post(APPLY, form_data(program))
    assert response.status_code == 200
    assert "Thank you for applying" in response.content.decode()
    with tenant_scope(tenant):
        application = PartnerApplication.objects.get()
    assert application.domain == "initech.de"
    assert application.specialties == ["cloud", "security"]
    assert application.fit_score == 70 and application.fit_reasons[0]["kind"] == "region"
    assert application.status == "new"
    assert application.submitted_ip == "127.0.0.1"
    assert [m.to for m in mail.outbox] == [["peter@initech.de"]]
    assert "received your application" in mail.outbox[0].subject


def test_application_page_does_not_exist_on_the_base_domain(client_for):
    assert client_for(None).get(APPLY).status_code == 404


@pytest.mark.parametrize("field,value,message", [
    ("contact_email", "peter@", "Enter a valid email address."),
    ("country", "XX", "Select a valid choice."),
    ("website", "https://localhost", "Enter a website with a domain name"),
    ("website", "not a website", "Enter a website with a domain name"),
    ("regions", [], "This field is required."),
    ("employees", "-3", "greater than or equal to 1"),
    ("specialties", ",".join(f"s{i}" for i in range(13)), "at most 12 specialties"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(tenant, program, client_for, field, value, message):
    response = client_for(tenant).post(APPLY, form_data(program, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_scope(tenant):
        assert not PartnerApplication.objects.exists()


def test_partner_type_of_another_tenant_is_not_a_valid_choice(tenant, other_tenant, program, client_for):
    from tests.factories import PartnerTypeFactory

    foreign = PartnerTypeFactory(tenant=other_tenant, code="reseller")
    response = client_for(tenant).post(APPLY, form_data(program, partner_type=str(foreign.pk)))
    assert response.status_code == 400
    with tenant_scope(tenant):
        assert not PartnerApplication.objects.exists()


def test_second_application_for_the_same_domain_is_refused_politely(tenant, program, client_for):
    client = client_for(tenant)
    client.post(APPLY, form_data(program))
    response = client.post(APPLY, form_data(program, website="https://shop.initech.de/partners",
                                            contact_email="bill@initech.de"))
    assert response.status_code == 200
    assert "already have an application from your company" in response.content.decode()
    with tenant_scope(tenant):
        assert PartnerApplication.objects.count() == 1


def test_existing_partner_cannot_apply_again(tenant, program, client_for):
    PartnerFactory(tenant=tenant, domain="initech.de", partner_type=program["types"]["reseller"])
    response = client_for(tenant).post(APPLY, form_data(program))
    assert "already part of our partner program" in response.content.decode()
    with tenant_scope(tenant):
        assert not PartnerApplication.objects.exists()


def test_declined_company_may_apply_again(tenant, program, client_for):
    PartnerApplicationFactory(tenant=tenant, domain="initech.de", status="declined")
    client_for(tenant).post(APPLY, form_data(program))
    with tenant_scope(tenant):
        assert PartnerApplication.objects.filter(domain="initech.de").count() == 2


def test_database_refuses_two_open_applications_for_one_domain(tenant):
    from django.db import IntegrityError, transaction

    PartnerApplicationFactory(tenant=tenant, domain="dup.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerApplicationFactory(tenant=tenant, domain="dup.example")


def test_honeypot_submission_looks_successful_but_stores_nothing(tenant, program, client_for):
    response = client_for(tenant).post(APPLY, form_data(program, nickname="I am a bot"))
    assert response.status_code == 200
    with tenant_scope(tenant):
        assert not PartnerApplication.objects.exists()


def test_one_address_is_rate_limited(tenant, program, client_for, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "partner_application": "2/h/ip"}
    client = client_for(tenant)
    for i in range(2):
        client.post(APPLY, form_data(program, website=f"https://c{i}.com", contact_email=f"a@c{i}.com"))
    response = client.post(APPLY, form_data(program, website="https://c9.com", contact_email="a@c9.com"))
    assert response.status_code == 429
    assert "Too many applications" in response.content.decode()
    with tenant_scope(tenant):
        assert PartnerApplication.objects.count() == 2


# --- Review queue ----------------------------------------------------------------------


@pytest.fixture
def application(tenant, program):
    return PartnerApplicationFactory(tenant=tenant, company="Initech", domain="initech.de",
                                     website="https://initech.de", contact_email="peter@initech.de",
                                     partner_type=program["types"]["reseller"], fit_score=80)


def test_queue_lists_open_applications_by_fit_for_staff_only(tenant, program, application, members, client_for):
    PartnerApplicationFactory(tenant=tenant, company="Lowfit", fit_score=10, partner_type=program["types"]["msp"])
    PartnerApplicationFactory(tenant=tenant, company="Decided", status="declined", partner_type=program["types"]["msp"])
    url = reverse("partners:application_queue")
    response = client_for(tenant, members["executive"]).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Initech") < body.index("Lowfit") and "Decided" not in body
    assert client_for(tenant, members["partner_admin"]).get(url).status_code == 403
    assert client_for(tenant).get(url).status_code == 302


def test_manager_approves_partner_is_created_onboarding_and_contact_invited(
    tenant, program, application, members, client_for, on_commit
):
    manager = members["channel_manager"]
    url = reverse("partners:application_decide", args=[application.pk])
    with on_commit():
        response = client_for(tenant, manager).post(url, {
            "action": "approve", "approve-partner_type": str(program["types"]["reseller"].pk), "approve-tier": "",
            "approve-note": "Welcome aboard!"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "now a partner in onboarding" in response.content.decode()
    with tenant_scope(tenant):
        application.refresh_from_db()
        partner = Partner.objects.get(domain="initech.de")
        invitation = Invitation.objects.get(email="peter@initech.de")
        assert TierChange.objects.get(partner=partner).to_tier == program["tiers"][1]
        assert AuditEntry.objects.filter(action="application.approve").exists()
    assert application.status == "approved" and application.partner == partner
    assert partner.status == "onboarding" and partner.owner == manager and partner.tier == program["tiers"][1]
    assert (invitation.role, invitation.partner_id) == ("partner_admin", partner.pk)
    subjects = {m.subject for m in mail.outbox if m.to == ["peter@initech.de"]}
    assert any("invited" in s for s in subjects) and any("Welcome to" in s for s in subjects)
    welcome = next(m for m in mail.outbox if "Welcome to" in m.subject)
    assert "Welcome aboard!" in welcome.body and re.search(r"http://acme\.localhost\S*/invite/", welcome.body)


def test_approval_starts_the_partner_types_onboarding_path(tenant, program, application, members, client_for):
    from tests.factories import OnboardingPathFactory, OnboardingStepFactory

    path = OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["reseller"])
    OnboardingStepFactory(path=path, kind="manual")
    client_for(tenant, members["channel_manager"]).post(
        reverse("partners:application_decide", args=[application.pk]),
        {"action": "approve", "approve-partner_type": str(program["types"]["reseller"].pk)})
    with tenant_scope(tenant):
        assert PartnerOnboarding.objects.get(partner__domain="initech.de").path == path


def test_decline_needs_a_reason_which_is_emailed(tenant, application, members, client_for, on_commit):
    client = client_for(tenant, members["channel_manager"])
    url = reverse("partners:application_decide", args=[application.pk])
    response = client.post(url, {"action": "decline", "decline-reason": "  "})
    assert response.status_code == 400
    with tenant_scope(tenant):
        application.refresh_from_db()
    assert application.status == "new"
    with on_commit():
        client.post(url, {"action": "decline", "decline-reason": "We only work with MSPs in your region."})
    with tenant_scope(tenant):
        application.refresh_from_db()
    assert application.status == "declined"
    message = mail.outbox[-1]
    assert message.to == ["peter@initech.de"] and "We only work with MSPs in your region." in message.body


def test_ask_for_more_information_then_the_applicant_answers_through_the_link(
    tenant, application, members, client_for, on_commit
):
    manager_client = client_for(tenant, members["channel_manager"])
    with on_commit():
        manager_client.post(reverse("partners:application_decide", args=[application.pk]),
                            {"action": "info", "info-question": "Which vendors do you resell today?"})
    with tenant_scope(tenant):
        application.refresh_from_db()
    assert application.status == "info_requested"
    message = mail.outbox[-1]
    assert "Which vendors do you resell today?" in message.body
    link = re.search(r"http://acme\.localhost\S*(/partners/apply/answer/\S+/)", message.body).group(1)

    visitor = client_for(tenant)
    assert visitor.get(link).status_code == 200
    with on_commit():
        response = visitor.post(link, {"answer": "Contoso and Fabrikam."})
    assert "your answer was sent" in response.content.decode()
    with tenant_scope(tenant):
        application.refresh_from_db()
    assert application.status == "new" and "Contoso and Fabrikam." in application.info_response
    assert any(m.to == [members["channel_manager"].email] for m in mail.outbox)
    # The link answers once.
    assert visitor.get(link).status_code == 410


def test_answer_link_of_another_portal_is_refused(tenant, other_tenant, client_for):
    application = PartnerApplicationFactory(tenant=other_tenant, status="info_requested")
    token = application.new_response_token()
    with scopes_disabled():
        application.save()
    assert client_for(tenant).get(f"/partners/apply/answer/{token}/").status_code == 410
    assert client_for(other_tenant).get(f"/partners/apply/answer/{token}/").status_code == 200


def test_decided_application_cannot_be_decided_again(tenant, program, application, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    url = reverse("partners:application_decide", args=[application.pk])
    client.post(url, {"action": "decline", "decline-reason": "No."})
    response = client.post(url, {"action": "approve", "approve-partner_type": str(program["types"]["reseller"].pk)})
    assert response.status_code == 400
    assert "already been decided" in response.content.decode()
    with tenant_scope(tenant):
        assert not Partner.objects.filter(domain="initech.de").exists()


def test_approval_that_cannot_invite_the_contact_saves_nothing(tenant, program, application, members, make_member, client_for):
    make_member(tenant, "partner_user", email="peter@initech.de")  # already a member of this portal
    response = client_for(tenant, members["channel_manager"]).post(
        reverse("partners:application_decide", args=[application.pk]),
        {"action": "approve", "approve-partner_type": str(program["types"]["reseller"].pk)})
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    with tenant_scope(tenant):
        application.refresh_from_db()
        assert application.status == "new"
        assert not Partner.objects.filter(domain="initech.de").exists()


def test_executives_see_applications_but_cannot_decide(tenant, application, members, client_for):
    client = client_for(tenant, members["executive"])
    assert client.get(reverse("partners:application_detail", args=[application.pk])).status_code == 200
    response = client.post(reverse("partners:application_decide", args=[application.pk]),
                           {"action": "decline", "decline-reason": "No"})
    assert response.status_code == 403


def test_application_of_another_tenant_is_not_found(tenant, other_tenant, members, client_for):
    foreign = PartnerApplicationFactory(tenant=other_tenant)
    client = client_for(tenant, members["channel_manager"])
    assert client.get(reverse("partners:application_detail", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("partners:application_decide", args=[foreign.pk]),
                       {"action": "decline", "decline-reason": "x"}).status_code == 404


def test_admin_actions_approve_and_decline(tenant, program, members, client_for, on_commit):
    a = PartnerApplicationFactory(tenant=tenant, domain="a.example", partner_type=program["types"]["reseller"])
    b = PartnerApplicationFactory(tenant=tenant, domain="b.example", partner_type=program["types"]["reseller"])
    client = client_for(tenant, members["channel_manager"])
    url = "/admin/partners/partnerapplication/"
    with on_commit():
        client.post(url, {"action": "approve", "_selected_action": [str(a.pk)], "message": ""})
        client.post(url, {"action": "decline", "_selected_action": [str(b.pk)], "message": "Not a fit yet."})
    with tenant_scope(tenant):
        a.refresh_from_db()
        b.refresh_from_db()
    assert a.status == "approved" and a.partner.status == "onboarding"
    assert b.status == "declined" and b.decision_reason == "Not a fit yet."
    assert any("Not a fit yet." in m.body for m in mail.outbox if m.to == [b.contact_email])


def test_checkbox_groups_have_their_label_above_them_as_a_legend(tenant, program, client_for):
    """Before, "Regions you serve" sat below its boxes and read as the label of the next group."""

    body = client_for(tenant).get(APPLY).content.decode()
    for label in ("Regions you serve",):
        group = re.search(r"<fieldset><legend>" + label + r".*?</legend>(.*?)</fieldset>", body, re.S)
        assert group and 'type="checkbox"' in group.group(1), label


def test_the_fit_reasons_add_up_from_a_starting_score(tenant, program, members, client_for):
    application = PartnerApplicationFactory(
        tenant=tenant, company="Sumco", partner_type=program["types"]["reseller"], fit_score=65,
        fit_reasons=[{"kind": "region", "value": "EMEA", "matched": True, "points": 20},
                     {"kind": "specialty", "value": "security", "matched": False, "points": -5}])
    body = client_for(tenant, members["channel_manager"]).get(
        reverse("partners:application_detail", args=[application.pk])).content.decode()
    assert "Starting score" in body and ">50<" in body and "+20" in body and "−5" in body  # 50 + 20 − 5 = 65
