"""Staff pages: partner list (filters, constant queries), detail, book restriction, home widgets, nav."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.models import Partner, PartnerSettings, PartnerType, Tier
from partners.selectors import partners_visible_to
from partners.services.organisations import partner_book_add
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerApplicationFactory, PartnerFactory, set_settings

pytestmark = pytest.mark.django_db

LIST = "/partners/staff/partners/"


def bulk_partners(tenant, n, start=0, **fields):
    with scopes_disabled():
        partner_type = PartnerType.objects.filter(tenant=tenant).first()
        tier = Tier.objects.filter(tenant=tenant).first()
        Partner.objects.bulk_create([
            Partner(tenant=tenant, name=f"Bulk {tenant.slug} {i:05d}", domain=f"bulk{i}.{tenant.slug}.example",
                    partner_type=partner_type, tier=tier, status="active", regions=["EMEA"], **fields)
            for i in range(start, start + n)
        ])


def test_list_filters_and_search(tenant, program, members, client_for):
    PartnerFactory(tenant=tenant, name="Alpha Active", status="active", country="DE", regions=["EMEA"],
                   partner_type=program["types"]["reseller"], tier=program["tiers"][2])
    PartnerFactory(tenant=tenant, name="Beta Onboarding", status="onboarding", country="US", regions=["NA"],
                   partner_type=program["types"]["msp"], tier=program["tiers"][1], owner=members["channel_manager"])
    client = client_for(tenant, members["channel_manager"])

    def names(**params):
        body = client.get(LIST, params).content.decode()
        return [n for n in ("Alpha Active", "Beta Onboarding", "Northwind Solutions") if n in body]

    assert names() == ["Alpha Active", "Beta Onboarding", "Northwind Solutions"]
    assert names(status="onboarding") == ["Beta Onboarding"]
    assert names(partner_type=str(program["types"]["msp"].pk)) == ["Beta Onboarding"]
    assert names(tier=str(program["tiers"][2].pk)) == ["Alpha Active"]
    assert names(country="DE") == ["Alpha Active"]
    assert names(region="EMEA") == ["Alpha Active"]
    assert names(q="alpha") == ["Alpha Active"]
    assert names(mine="on") == ["Beta Onboarding"]
    assert names(status="nonsense") == ["Alpha Active", "Beta Onboarding", "Northwind Solutions"]  # ignored


def test_htmx_request_gets_only_the_table(tenant, members, client_for):
    body = client_for(tenant, members["executive"]).get(LIST, {"q": "north"}, HTTP_HX_REQUEST="true").content.decode()
    assert body.lstrip().startswith('<div id="partner-table"') and "<html" not in body


def test_export_link_keeps_the_filters(tenant, members, client_for):
    body = client_for(tenant, members["executive"]).get(LIST, {"status": "active"}).content.decode()
    assert 'href="/partners/staff/partners/export.csv?status=active"' in body


def test_partner_list_query_count_does_not_grow_with_the_number_of_partners(tenant, program, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    client.get(LIST)  # warm caches (session, content types)

    def count(n_extra, start):
        bulk_partners(tenant, n_extra, start)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    small = count(10, 0)
    large = count(990, 10)
    assert small == large, (small, large)


def test_application_queue_query_count_is_constant(tenant, program, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    client.get(reverse("partners:application_queue"))

    def count(n):
        for _ in range(n):
            PartnerApplicationFactory(tenant=tenant, partner_type=program["types"]["reseller"])
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("partners:application_queue"))
        return len(queries)

    assert count(3) == count(30)


def test_detail_shows_the_partner_for_staff_and_404_for_other_tenants(tenant, other_tenant, partner, members, client_for):
    client = client_for(tenant, members["executive"])
    body = client.get(reverse("partners:staff_detail", args=[partner.pk])).content.decode()
    assert "Northwind Solutions" in body and "Change tier" not in body  # executives are read-only
    manager_body = client_for(tenant, members["channel_manager"]).get(
        reverse("partners:staff_detail", args=[partner.pk])).content.decode()
    assert "Change tier" in manager_body
    foreign = PartnerFactory(tenant=other_tenant)
    assert client.get(reverse("partners:staff_detail", args=[foreign.pk])).status_code == 404
    assert client_for(tenant, members["partner_admin"]).get(
        reverse("partners:staff_detail", args=[partner.pk])).status_code == 403


def test_book_restriction_confines_channel_managers_to_their_partners(tenant, program, members, make_member, client_for):
    set_settings(tenant, PartnerSettings, restrict_managers_to_book=True)
    manager = members["channel_manager"]
    other_manager = make_member(tenant, "channel_manager")
    PartnerFactory(tenant=tenant, name="Owned One", owner=manager)
    shared = PartnerFactory(tenant=tenant, name="Shared One", owner=other_manager)
    hidden = PartnerFactory(tenant=tenant, name="Hidden One", owner=other_manager)
    with tenant_scope(tenant):
        partner_book_add(tenant=tenant, partner=shared, manager=manager, actor=members["tenant_admin"])
    client = client_for(tenant, manager)
    body = client.get(LIST).content.decode()
    assert "Owned One" in body and "Shared One" in body and "Hidden One" not in body
    assert client.get(reverse("partners:staff_detail", args=[hidden.pk])).status_code == 404
    assert client.post(reverse("partners:staff_tier_change", args=[hidden.pk]),
                       {"to_tier": str(program["tiers"][2].pk), "reason": "x"}).status_code == 404
    export = b"".join(client.get(reverse("partners:staff_export")).streaming_content).decode()
    assert "Hidden One" not in export and "Owned One" in export
    # guardian's backend answers through the same direct foreign-key table.
    with tenant_scope(tenant):
        assert manager.has_perm("partners.view_partner", shared) and not manager.has_perm("partners.view_partner", hidden)
    # Tenant admins and executives see everything; without the restriction managers do too.
    assert "Hidden One" in client_for(tenant, members["tenant_admin"]).get(LIST).content.decode()
    set_settings(tenant, PartnerSettings, restrict_managers_to_book=False)
    assert "Hidden One" in client.get(LIST).content.decode()


def test_tenant_admin_shares_a_partner_with_a_manager_from_the_detail_page(tenant, partner, members, client_for):
    url = reverse("partners:staff_book", args=[partner.pk])
    manager = members["channel_manager"]
    client_for(tenant, members["channel_manager"]).post(url, {"manager": str(manager.pk)})  # managers may not
    with tenant_scope(tenant):
        assert not partner.user_permissions.exists()
    client = client_for(tenant, members["tenant_admin"])
    client.post(url, {"manager": str(manager.pk)})
    with tenant_scope(tenant):
        assert list(partner.user_permissions.values_list("user_id", flat=True)) == [manager.pk]
    client.post(url, {"manager": str(manager.pk), "action": "remove"})
    with tenant_scope(tenant):
        assert not partner.user_permissions.exists()
    client.post(url, {"manager": str(members["executive"].pk)})  # only channel managers have books
    with tenant_scope(tenant):
        assert not partner.user_permissions.exists()


def test_partners_visible_to_is_every_partner_for_unrestricted_tenants(tenant, partner, members):
    from prm.tenancy.models import Membership
    from prm.tenancy.viewer import Viewer

    with tenant_scope(tenant):
        viewer = Viewer.of(Membership.objects.select_related("tenant", "user").get(user=members["channel_manager"]))
        assert list(partners_visible_to(viewer)) == [partner]


def test_staff_home_widgets_and_navigation(tenant, program, members, client_for):
    PartnerApplicationFactory(tenant=tenant, company="Wannabe Ltd", partner_type=program["types"]["reseller"], fit_score=77)
    body = client_for(tenant, members["channel_manager"]).get("/").content.decode()
    assert "Partner applications" in body and "Wannabe Ltd" in body and "fit 77" in body
    assert "Onboarding" in body and "Stuck in onboarding" in body
    assert 'href="/partners/staff/partners/"' in body and 'href="/partners/staff/applications/"' in body
    partner_body = client_for(tenant, members["partner_user"]).get("/").content.decode()
    assert 'href="/partners/profile/"' in partner_body and "/partners/staff/" not in partner_body
    assert "Your partnership" in partner_body


def test_owner_and_contact_invitation_from_the_detail_page(tenant, partner, members, client_for):
    from prm.accounts.models import Invitation

    with scopes_disabled():
        Partner.objects.filter(pk=partner.pk).update(contact_email="owner@northwind.com")
    client = client_for(tenant, members["channel_manager"])
    client.post(reverse("partners:staff_owner", args=[partner.pk]), {"manager": str(members["tenant_admin"].pk)})
    client.post(reverse("partners:staff_invite_contact", args=[partner.pk]))
    with tenant_scope(tenant):
        partner.refresh_from_db()
        invitation = Invitation.objects.get(email="owner@northwind.com")
    assert partner.owner == members["tenant_admin"]
    assert invitation.role == "partner_admin" and invitation.partner_id == partner.pk
    client.post(reverse("partners:staff_owner", args=[partner.pk]), {"manager": str(members["partner_admin"].pk)})
    with tenant_scope(tenant):
        partner.refresh_from_db()
    assert partner.owner == members["tenant_admin"]  # a partner user cannot own partners
