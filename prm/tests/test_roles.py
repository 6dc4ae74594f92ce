import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PARTNER_ROLES = ["partner_user", "partner_admin"]


@pytest.mark.parametrize("role", PARTNER_ROLES)
def test_partner_roles_cannot_reach_the_admin_or_staff_pages(role, tenant, members, client_for):
    client = client_for(tenant, members[role])
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/partners/partner/").status_code == 403
    assert client.get("/staff/people/").status_code == 403
    assert client.get("/staff/audit/").status_code == 403


def test_executives_cannot_change_data(tenant, members, client_for, partner):
    client = client_for(tenant, members["executive"])
    assert client.get("/admin/").status_code == 403
    assert client.post("/staff/people/", {"email": "x@y.example", "role": "executive"}).status_code == 403
    assert client.get("/").status_code == 200  # the dashboard is theirs


@pytest.mark.parametrize("role", ["channel_manager", "tenant_admin"])
def test_managers_reach_the_back_office_of_their_own_tenant_only(role, tenant, other_tenant, members, client_for):
    assert client_for(tenant, members[role]).get("/admin/").status_code == 200
    # Same user on another tenant's host: no membership there → branded 403, no data.
    response = client_for(other_tenant, members[role]).get("/admin/")
    assert response.status_code == 403


def test_signed_in_user_without_membership_gets_a_branded_403(tenant, other_tenant, members, client_for):
    response = client_for(other_tenant, members["partner_user"]).get("/")
    assert response.status_code == 403
    body = response.content.decode()
    assert other_tenant.name in body and "not a member" in body


def test_unknown_host_is_404(client_for, db):
    from django.test import Client

    assert Client(HTTP_HOST="nobody.localhost").get("/").status_code == 404
    assert Client(HTTP_HOST="evil.example.org").get("/accounts/login/").status_code == 404


def test_admin_login_goes_through_allauth(tenant, client_for):
    response = client_for(tenant).get("/admin/")
    assert response.status_code == 302
    follow = client_for(tenant).get(response["Location"])
    assert follow.status_code == 302 and follow["Location"].startswith(reverse("account_login"))


def test_channel_manager_cannot_change_program_configuration(tenant, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    assert client.get("/admin/partners/tier/").status_code == 200  # may look
    assert client.get("/admin/partners/tier/add/").status_code == 403


def test_admin_user_choices_only_offer_this_tenants_members(tenant, other_tenant, members, make_member, client_for):
    stranger = make_member(other_tenant, "channel_manager", email="stranger@globex.test")
    form = client_for(tenant, members["tenant_admin"]).get("/admin/partners/partner/add/").content.decode()
    assert str(members["channel_manager"]) in form
    assert str(stranger) not in form


def test_platform_admin_on_base_domain_is_superusers_only(db, client_for, members):
    from tests.factories import UserFactory

    root = UserFactory(email="root@platform.test", is_superuser=True, is_staff=True)
    assert client_for(None, root).get("/admin/tenancy/tenant/").status_code == 200
    assert client_for(None, members["tenant_admin"]).get("/admin/tenancy/tenant/").status_code in (302, 403)

