import pytest
from django.test import Client

from prm.notifications.services import notify
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def test_my_portals_lists_each_program_with_unread_notifications(tenant, other_tenant, make_member, client_for):
    user = make_member(tenant, "partner_user", email="consultant@example.com")
    from tests.factories import MembershipFactory, PartnerFactory

    MembershipFactory(tenant=other_tenant, user=user, role="partner_admin", partner=PartnerFactory(tenant=other_tenant))
    with tenant_scope(other_tenant):
        notify(tenant=other_tenant, users=[user], title="Deal approved", email=False)
        notify(tenant=other_tenant, users=[user], title="Claim paid", email=False)
    body = client_for(None, user).get("/").content.decode()
    assert tenant.name in body and other_tenant.name in body
    assert "2 unread notifications" in body
    assert "No unread notifications" in body  # acme has none


def test_switching_portals_needs_no_second_login(tenant, other_tenant, make_member, client_for):
    user = make_member(tenant, "channel_manager", email="both@example.com")
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=other_tenant, user=user, role="executive")
    response = client_for(None, user).get(f"/portals/{other_tenant.slug}/open")
    assert response.status_code == 302
    target = response["Location"]
    assert target.startswith(f"http://{other_tenant.slug}.localhost/portals/hop?token=")
    fresh = Client(HTTP_HOST=f"{other_tenant.slug}.localhost")
    path = target.split("localhost", 1)[1]
    assert fresh.get(path).status_code == 302
    assert fresh.session["_auth_user_id"] == str(user.pk)
    assert fresh.get("/").status_code == 200
    # The token is single-use.
    again = Client(HTTP_HOST=f"{other_tenant.slug}.localhost")
    again.get(path)
    assert "_auth_user_id" not in again.session


def test_hop_token_only_works_on_its_tenant(tenant, other_tenant, make_member, client_for):
    user = make_member(tenant, "channel_manager")
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=other_tenant, user=user, role="executive")
    target = client_for(None, user).get(f"/portals/{other_tenant.slug}/open")["Location"]
    path = target.split("localhost", 1)[1]
    wrong_host = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    wrong_host.get(path)
    assert "_auth_user_id" not in wrong_host.session


def test_cannot_open_a_portal_without_membership(tenant, other_tenant, make_member, client_for):
    user = make_member(tenant, "channel_manager")
    assert client_for(None, user).get(f"/portals/{other_tenant.slug}/open").status_code == 404


def test_landing_page_on_the_base_domain(db):
    body = Client(HTTP_HOST="localhost").get("/").content.decode()
    assert "Find your partner portal" in body


def test_notification_bell_and_inbox(tenant, members, client_for):
    user = members["partner_user"]
    with tenant_scope(tenant):
        note = notify(tenant=tenant, users=[user], title="Your deal was approved", url="/", email=False)[0]
    client = client_for(tenant, user)
    assert b">1<" in client.get("/notifications/badge").content
    assert "Your deal was approved" in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{note.pk}/open").status_code == 302
    assert b"badge" not in client.get("/notifications/badge").content
    # Somebody else's notification is not found.
    other = client_for(tenant, members["partner_admin"])
    assert other.post(f"/notifications/{note.pk}/open").status_code == 404


def test_role_home_pages_render_for_every_role(tenant, members, client_for):
    for role, user in members.items():
        response = client_for(tenant, user).get("/")
        assert response.status_code == 200, role
        assert tenant.name in response.content.decode()


def test_tenant_admin_edits_program_settings_and_branding(tenant, members, client_for):
    client = client_for(tenant, members["tenant_admin"])
    assert client.get("/staff/settings/").status_code == 200
    data = {"name": "Acme Cloud EU", "primary_colour": "#123456", "default_language": "de", "base_currency": "EUR",
            "allowed_currencies": "EUR,USD", "deal_protection_days": 60, "deal_approval_sla_days": 3,
            "tier_downgrade_grace_days": 30, "agreement_grace_days": 10, "tier_evaluation": "propose"}
    assert client.post("/staff/settings/", data).status_code == 302
    tenant.refresh_from_db()
    assert (tenant.name, tenant.primary_colour, tenant.deal_protection_days) == ("Acme Cloud EU", "#123456", 60)
    assert b"#123456" in client.get("/branding/theme.css").content
    bad = client.post("/staff/settings/", {**data, "primary_colour": "red", "allowed_currencies": "EURO"})
    # The portal now speaks the tenant's new default language.
    assert bad.status_code == 400 and "Geben Sie eine Farbe als #RRGGBB ein." in bad.content.decode()
    assert client_for(tenant, members["channel_manager"]).get("/staff/settings/").status_code == 403


def test_a_brand_colour_too_light_to_read_is_refused_with_its_contrast(tenant, members, client_for):
    """The brand colour is the links' colour and the background of white button text (WCAG AA: 4.5:1)."""
    client = client_for(tenant, members["tenant_admin"])
    data = {"name": tenant.name, "primary_colour": "#ffcc00", "default_language": "en", "base_currency": "USD",
            "allowed_currencies": "USD", "deal_protection_days": 90, "deal_approval_sla_days": 2,
            "tier_downgrade_grace_days": 30, "agreement_grace_days": 10, "tier_evaluation": "propose"}
    refused = client.post("/staff/settings/", data)
    assert refused.status_code == 400
    assert ("Links and buttons in #ffcc00 would be hard to read (contrast 1.5:1 with white, at least 4.5:1 is "
            "needed). Choose a darker colour.") in refused.content.decode()
    tenant.refresh_from_db()
    assert tenant.primary_colour != "#ffcc00"
    assert client.post("/staff/settings/", {**data, "primary_colour": "#767676"}).status_code == 302  # 4.54:1


def test_contrast_with_white_follows_wcag():
    from prm.tenancy.models import contrast_with_white

    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert contrast_with_white("#1f5fbf") > 4.5  # the default


def test_tenant_default_language_applies_until_the_visitor_chooses(tenant, members, client_for):
    tenant.default_language = "de"
    tenant.save()
    client = client_for(tenant, members["partner_user"])
    assert client.get("/").headers["Content-Language"] == "de"
    client.cookies["django_language"] = "fr"
    assert client.get("/").headers["Content-Language"] == "fr"


def test_german_interface(tenant, members, client_for):
    client = client_for(tenant, members["partner_user"])
    client.cookies["django_language"] = "de"
    body = client.get("/").content.decode()
    assert "Abmelden" in body and "Zum Inhalt springen" in body
