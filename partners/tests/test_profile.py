"""Partner self-service: the organisation profile, its logo, and managing one's own team only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from partners.models import Partner
from prm.events.models import EngagementEvent
from prm.tenancy.models import Membership
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

PROFILE = "/partners/profile/"


def png_bytes(size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def profile_data(**overrides):
    data = {"description": "We build clouds.", "website": "https://www.northwind.com", "country": "US",
            "regions": ["NA", "EMEA"], "specialties": "Cloud, security", "employees": "120"}
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(tenant, partner, members, client_for):
    return client_for(tenant, members["partner_admin"])


def test_partner_admin_updates_the_profile_and_an_event_is_recorded(tenant, partner, admin_client):
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    response = admin_client.post(PROFILE, {**profile_data(), "logo": logo})
    assert response.status_code == 302
    with tenant_scope(tenant):
        partner.refresh_from_db()
        event = EngagementEvent.objects.get(kind="profile_updated", partner=partner)
    assert partner.domain == "northwind.com" and partner.regions == ["NA", "EMEA"]
    assert partner.specialties == ["cloud", "security"] and partner.employees == 120
    assert partner.logo and event.data["complete"] is True
    logo_response = admin_client.get(reverse("partners:logo", args=[partner.pk]))
    assert logo_response.status_code == 200 and logo_response["Content-Type"] == "image/png"
    assert b"".join(logo_response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("overrides,message", [
    ({"website": "https://localhost"}, "Enter a website with a domain name"),
    ({"website": "intranet"}, "Enter a website with a domain name"),
    ({"country": "ZZ"}, "Select a valid choice."),
    ({"regions": ["MARS"]}, "Select a valid choice."),
    ({"description": ""}, "This field is required."),
    ({"employees": "many"}, "Enter a whole number."),
    ({"specialties": "x" * 41}, "under 40 characters"),
])
def test_bad_profile_input_is_refused_and_nothing_changes(tenant, partner, admin_client, overrides, message):
    before = (partner.website, partner.country.code, partner.description)
    response = admin_client.post(PROFILE, profile_data(**overrides))
    assert response.status_code == 400 and message in response.content.decode()
    with tenant_scope(tenant):
        partner.refresh_from_db()
        assert not EngagementEvent.objects.filter(kind="profile_updated").exists()
    assert (partner.website, partner.country.code, partner.description) == before


def test_logo_that_is_not_an_image_is_refused_by_content_not_by_name(tenant, partner, admin_client):
    fake = SimpleUploadedFile("logo.png", b"MZ\x90\x00 this is a windows program", content_type="image/png")
    response = admin_client.post(PROFILE, {**profile_data(), "logo": fake})
    assert response.status_code == 400 and "Executable files are not allowed." in response.content.decode()
    html = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = admin_client.post(PROFILE, {**profile_data(), "logo": html})
    assert response.status_code == 400 and "not allowed" in response.content.decode()
    pdf = SimpleUploadedFile("logo.png", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", content_type="image/png")
    response = admin_client.post(PROFILE, {**profile_data(), "logo": pdf})
    assert response.status_code == 400 and "This type of file is not allowed here." in response.content.decode()
    with tenant_scope(tenant):
        partner.refresh_from_db()
    assert not partner.logo


def test_oversized_logo_is_refused(tenant, partner, admin_client):
    big = png_bytes() + b"\x00" * (2 * 1024 * 1024 + 1)
    response = admin_client.post(PROFILE, {**profile_data(), "logo": SimpleUploadedFile("logo.png", big)})
    assert response.status_code == 400 and "too large" in response.content.decode()


def test_website_of_another_partner_is_refused(tenant, partner, admin_client, program):
    PartnerFactory(tenant=tenant, domain="taken.com")
    response = admin_client.post(PROFILE, profile_data(website="https://taken.com"))
    assert response.status_code == 400 and "already uses taken.com" in response.content.decode()


def test_partner_users_see_the_profile_read_only(tenant, partner, members, client_for):
    client = client_for(tenant, members["partner_user"])
    page = client.get(PROFILE)
    assert page.status_code == 200 and "Only your organisation" in page.content.decode()
    assert client.post(PROFILE, profile_data()).status_code == 403
    with tenant_scope(tenant):
        partner.refresh_from_db()
    assert partner.website != "https://www.northwind.com"


def test_staff_and_other_partners_cannot_use_the_partner_profile_page(tenant, members, client_for):
    assert client_for(tenant, members["channel_manager"]).get(PROFILE).status_code == 403


def test_logo_is_hidden_from_other_partners_but_visible_to_staff(tenant, partner, members, make_member, client_for):
    with tenant_scope(tenant):
        partner.logo.save("logo", SimpleUploadedFile("x.png", png_bytes()), save=True)
    outsider = make_member(tenant, "partner_admin")  # another partner organisation
    url = reverse("partners:logo", args=[partner.pk])
    assert client_for(tenant, outsider).get(url).status_code == 404
    assert client_for(tenant, members["executive"]).get(url).status_code == 200
    assert client_for(tenant).get(url).status_code == 302


def test_certifications_are_shown_read_only_from_the_providers_another_app_registers(
    tenant, partner, members, client_for, monkeypatch
):
    """partners cannot import content: the count and the list come from providers it registers."""
    from datetime import date

    from django.utils import timezone

    from partners import metrics

    monkeypatch.setattr(metrics, "_providers", {})
    monkeypatch.setattr(metrics, "_certification_lists", [])
    metrics.register_metric_provider(metrics.ACTIVE_CERTIFICATIONS, lambda t, ids, d: {pid: 3 for pid in ids})
    metrics.register_certification_list(lambda p: [{
        "name": "Cloud Architect", "user": members["partner_user"], "when": timezone.now(),
        "expires": date(2027, 6, 30), "status": "Active"}] if p == partner else [])
    body = client_for(tenant, members["partner_admin"]).get(PROFILE).content.decode()
    assert "3 active certifications" in body and "Cloud Architect" in body and "expires June 30, 2027" in body


def test_profile_links_partner_admins_to_their_team_page(tenant, members, client_for):
    body = client_for(tenant, members["partner_admin"]).get(PROFILE).content.decode()
    assert reverse("accounts:team") in body
    body = client_for(tenant, members["partner_user"]).get(PROFILE).content.decode()
    assert "Manage your team" not in body


def test_partner_admin_cannot_manage_another_organisations_users(tenant, partner, members, make_member, client_for):
    other_org = PartnerFactory(tenant=tenant, name="Contoso")
    outsider = make_member(tenant, "partner_user", partner=other_org)
    with tenant_scope(tenant):
        outsider_membership = Membership.objects.get(user=outsider)
    client = client_for(tenant, members["partner_admin"])
    url = reverse("accounts:team_change_member", args=[outsider_membership.pk])
    assert client.post(url, {"action": "deactivate"}).status_code == 404
    assert client.post(url, {"action": "role", "role": "partner_admin"}).status_code == 404
    with tenant_scope(tenant):
        outsider_membership.refresh_from_db()
    assert outsider_membership.is_active and outsider_membership.role == "partner_user"
    team = client.get(reverse("accounts:team")).content.decode()
    assert outsider.email not in team and members["partner_user"].email in team
    # Their own colleague they can manage.
    with tenant_scope(tenant):
        colleague = Membership.objects.get(user=members["partner_user"])
    client.post(reverse("accounts:team_change_member", args=[colleague.pk]), {"action": "role", "role": "partner_admin"})
    with tenant_scope(tenant):
        colleague.refresh_from_db()
    assert colleague.role == "partner_admin"


def test_partner_admin_invites_only_into_their_own_organisation(tenant, partner, members, client_for):
    from prm.accounts.models import Invitation

    client = client_for(tenant, members["partner_admin"])
    other = PartnerFactory(tenant=tenant)
    client.post(reverse("accounts:team"), {"email": "new@northwind.com", "role": "partner_user", "partner": str(other.pk)})
    with tenant_scope(tenant):
        invitation = Invitation.objects.get(email="new@northwind.com")
    assert invitation.partner_id == partner.pk
    # Partner admins cannot hand out staff roles.
    client.post(reverse("accounts:team"), {"email": "boss@northwind.com", "role": "tenant_admin"})
    with tenant_scope(tenant):
        assert not Invitation.objects.filter(email="boss@northwind.com").exists()
        assert Partner.objects.count() == 2
