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


class Browser:
    """A browser's cookie jars: one test client per host (real browsers keep host-only cookies
    apart; one Django test client would send every host the same session cookie)."""

    def __init__(self):
        self.clients: dict[str, Client] = {}

    def client(self, host: str) -> Client:
        return self.clients.setdefault(host, Client(HTTP_HOST=host))

    def get(self, url: str, hops: int = 6):
        """GET an absolute or host-relative URL and follow redirects across hosts."""
        from urllib.parse import urlsplit

        host, path = None, url
        for _ in range(hops):
            parts = urlsplit(url)
            host = parts.hostname or host
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            response = self.client(host).get(path)
            if response.status_code not in (301, 302):
                return response
            url = response["Location"]
        return response

    def user_on(self, host: str):
        return self.client(host).session.get("_auth_user_id")


def _two_portal_user(make_member, tenant, other_tenant, email="both@example.com"):
    from tests.factories import MembershipFactory

    user = make_member(tenant, "channel_manager", email=email)
    MembershipFactory(tenant=other_tenant, user=user, role="executive")
    return user


def _signed_in_on_base(browser: Browser, user):
    from conftest import sign_in

    sign_in(browser.client("localhost"), user, None)


def test_switching_portals_needs_no_second_login(tenant, other_tenant, make_member):
    user = _two_portal_user(make_member, tenant, other_tenant)
    browser = Browser()
    _signed_in_on_base(browser, user)
    target = f"{other_tenant.slug}.localhost"
    response = browser.get(f"http://localhost/portals/{other_tenant.slug}/open")
    assert response.status_code == 200
    assert browser.user_on(target) == str(user.pk)
    assert browser.client(target).get("/").status_code == 200


def test_a_hop_link_opened_in_another_browser_signs_nobody_in(tenant, other_tenant, make_member):
    """Login CSRF: the token owner sends the hop URL to someone else, or a page makes their browser
    load it. The other browser holds neither the origin session nor the target nonce."""
    user = _two_portal_user(make_member, tenant, other_tenant)
    owner = Browser()
    _signed_in_on_base(owner, user)
    hop_url = owner.client("localhost").get(f"/portals/{other_tenant.slug}/open")["Location"]
    assert hop_url.startswith(f"http://{other_tenant.slug}.localhost/portals/hop?token=")

    victim = Browser()
    someone = make_member(other_tenant, "partner_user", email="victim@example.com")
    from conftest import sign_in

    sign_in(victim.client(f"{other_tenant.slug}.localhost"), someone, other_tenant)
    victim.get(hop_url)
    assert victim.user_on(f"{other_tenant.slug}.localhost") == str(someone.pk)  # still themselves
    anonymous = Browser()
    anonymous.get(hop_url)
    assert anonymous.user_on(f"{other_tenant.slug}.localhost") is None
    # The owner's own browser still completes the hop with the same token.
    owner.get(hop_url)
    assert owner.user_on(f"{other_tenant.slug}.localhost") == str(user.pk)


def test_a_stolen_grant_is_refused_and_a_grant_works_once(tenant, other_tenant, make_member):
    user = _two_portal_user(make_member, tenant, other_tenant)
    owner = Browser()
    _signed_in_on_base(owner, user)
    target = f"{other_tenant.slug}.localhost"
    hop_url = owner.client("localhost").get(f"/portals/{other_tenant.slug}/open")["Location"]
    confirm_url = owner.client(target).get(hop_url.split("localhost", 1)[1])["Location"]
    finish_url = owner.client("localhost").get(confirm_url.split("localhost", 1)[1])["Location"]
    assert "/portals/hop/finish?grant=" in finish_url
    thief = Browser()
    thief.get(finish_url)
    assert thief.user_on(target) is None
    owner.get(finish_url)
    assert owner.user_on(target) == str(user.pk)
    # Used once: signing out and replaying the same grant does nothing.
    owner.client(target).post("/accounts/logout/")
    owner.get(finish_url)
    assert owner.user_on(target) is None


def test_hop_token_only_works_on_its_tenant(tenant, other_tenant, make_member):
    user = _two_portal_user(make_member, tenant, other_tenant)
    browser = Browser()
    _signed_in_on_base(browser, user)
    hop_url = browser.client("localhost").get(f"/portals/{other_tenant.slug}/open")["Location"]
    wrong_host = hop_url.replace(f"{other_tenant.slug}.localhost", f"{tenant.slug}.localhost")
    browser.get(wrong_host)
    assert browser.user_on(f"{tenant.slug}.localhost") is None


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


def test_tenant_admin_edits_program_settings_and_branding(tenant, members, client_for, settings_page_data):
    client = client_for(tenant, members["tenant_admin"])
    assert client.get("/staff/settings/").status_code == 200
    data = {**settings_page_data(tenant),
            "name": "Acme Cloud EU", "primary_colour": "#123456", "default_language": "de", "base_currency": "EUR",
            "allowed_currencies": "EUR,USD", "deal_protection_days": 60, "deal_approval_sla_days": 3,
            "tier_downgrade_grace_days": 30, "agreement_grace_days": 10, "tier_evaluation": "propose"}
    assert client.post("/staff/settings/", data).status_code == 302
    tenant.refresh_from_db()
    assert (tenant.name, tenant.primary_colour) == ("Acme Cloud EU", "#123456")
    # The apps' settings on the same page were saved too (the core names no app: found by field).
    assert (app_setting(tenant, "deal_protection_days"), app_setting(tenant, "agreement_grace_days")) == (60, 10)
    assert b"#123456" in client.get("/branding/theme.css").content
    bad = client.post("/staff/settings/", {**data, "primary_colour": "red", "allowed_currencies": "EURO"})
    # The portal now speaks the tenant's new default language.
    assert bad.status_code == 400 and "Geben Sie eine Farbe als #RRGGBB ein." in bad.content.decode()
    assert client_for(tenant, members["channel_manager"]).get("/staff/settings/").status_code == 403


def app_setting(tenant, name: str):
    """The value of an app's setting `name`, from whichever registered section's model holds it."""
    from prm.tenancy.app_settings import settings_sections

    (section,) = [s for s in settings_sections() if name in s.form_class.base_fields]
    return getattr(section.model.for_tenant(tenant), name)


def test_a_brand_colour_too_light_to_read_is_refused_with_its_contrast(tenant, members, client_for,
                                                                     settings_page_data):
    """The brand colour is the links' colour and the background of white button text (WCAG AA: 4.5:1)."""
    client = client_for(tenant, members["tenant_admin"])
    data = {**settings_page_data(tenant), "name": tenant.name, "primary_colour": "#ffcc00", "default_language": "en", "base_currency": "USD",
            "allowed_currencies": "USD", "deal_protection_days": 90, "deal_approval_sla_days": 2,
            "tier_downgrade_grace_days": 30, "agreement_grace_days": 10, "tier_evaluation": "propose"}
    refused = client.post("/staff/settings/", data)
    assert refused.status_code == 400
    assert ("Links and buttons in #ffcc00 would be hard to read (contrast 1.4:1 with the page, at least 4.5:1 is "
            "needed). Choose a darker colour.") in refused.content.decode()
    tenant.refresh_from_db()
    assert tenant.primary_colour != "#ffcc00"
    # #767676 reads at 4.54:1 on white but 4.2:1 on the grey page behind the cards.
    assert client.post("/staff/settings/", {**data, "primary_colour": "#767676"}).status_code == 400
    assert client.post("/staff/settings/", {**data, "primary_colour": "#6e6e6e"}).status_code == 302


def test_contrast_with_white_follows_wcag():
    from prm.tenancy.models import PAGE_CANVAS, contrast, contrast_with_white

    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert contrast_with_white("#1f5fbf") > 4.5  # the default
    assert contrast("#767676", PAGE_CANVAS) == pytest.approx(4.20, abs=0.01)


def test_tenant_default_language_applies_until_the_visitor_chooses(tenant, members, client_for):
    tenant.default_language = "de"
    tenant.save()
    client = client_for(tenant, members["partner_user"])
    assert client.get("/").headers["Content-Language"] == "de"
    client.cookies["django_language"] = "en"
    assert client.get("/").headers["Content-Language"] == "en"


def test_german_interface(tenant, members, client_for):
    client = client_for(tenant, members["partner_user"])
    client.cookies["django_language"] = "de"
    body = client.get("/").content.decode()
    assert "Abmelden" in body and "Zum Inhalt springen" in body


def test_errors_are_branded_pages_with_debug_off(tenant, members, client_for, settings):
    """As `make run` serves them (DEBUG off): the portal's own 404 and 403, never Django's debug page."""
    settings.DEBUG = False
    client = client_for(tenant, members["partner_user"])
    missing = client.get("/content/a/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert tenant.name in body and "We could not find that page" in body and "URLconf" not in body
    refused = client.get("/staff/people/")
    assert refused.status_code == 403 and "Your role does not give access to this page." in refused.content.decode()
