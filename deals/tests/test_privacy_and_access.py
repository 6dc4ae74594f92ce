"""A partner never learns another partner's identity or deals; other tenants' deals are 404;
every view answers wrong roles with 403 and wrong methods with 405."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deals import services
from prm.notifications.models import Notification
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contested(tenant, partner, rival, members, make_member, register, approve):
    """The rival registered and got protection first; our partner registered the same customer."""
    rival_user = make_member(tenant, "partner_user", partner=rival, email="bill.lumbergh@tailspin.example")
    theirs = approve(register(rival, user=rival_user, customer_name="Initech, Inc.", contact_name="Milton Waddams"))
    ours = register(partner, user=members["partner_user"], customer_name="INITECH Corporation", website="",
                    contact_email="peter@initech.com")
    with tenant_scope(tenant):
        services.deal_reject(tenant=tenant, deal=ours, actor=members["channel_manager"],
                             reason="The customer is already protected for another partner.")
        # Staff also credit the rival on our registration (attribution): still nothing for our partner to see.
        services.deal_partner_add(tenant=tenant, deal=ours, partner=rival, role="influenced",
                                  actor=members["channel_manager"])
    return theirs, ours, rival_user


def _secrets(rival, theirs, rival_user) -> list[str]:
    return [rival.name, "Tailspin", str(theirs.pk), rival_user.email, "Milton", str(rival.pk)]


def test_a_partners_pages_exports_and_notifications_never_reveal_another_partner(tenant, partner, rival, members,
                                                                                  contested, client_for):
    theirs, ours, rival_user = contested
    client = client_for(tenant, members["partner_user"])
    pages = {
        "list": client.get(reverse("deals:list")),
        "list-filtered": client.get(reverse("deals:list"), {"q": "initech", "status": "rejected"}),
        "detail": client.get(reverse("deals:detail", args=[ours.pk])),
        "export": client.get(reverse("deals:export")),
        "check": client.post(reverse("deals:register_check"), {"customer_name": "Initech", "kind": "deal"},
                             HTTP_HX_REQUEST="true"),
        "home": client.get(reverse("portal_home")),
        "inbox": client.get(reverse("notifications:inbox")),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        for secret in _secrets(rival, theirs, rival_user):
            assert secret not in body, (name, secret)
    assert "Initech" in pages["check"].content.decode() or "may already be registered" in pages["check"].content.decode()
    with tenant_scope(tenant):
        for note in Notification.objects.filter(user=members["partner_user"]):
            assert all(s not in note.title + note.body for s in _secrets(rival, theirs, rival_user))


def test_the_rival_deal_is_not_found_for_the_other_partner(tenant, members, contested, client_for):
    theirs, _ours, _user = contested
    client = client_for(tenant, members["partner_user"])
    for name in ("deals:detail",):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    for name in ("deals:update", "deals:outcome", "deals:extension", "deals:appeal", "deals:respond"):
        assert client.post(reverse(name, args=[theirs.pk]), {}).status_code == 404, name


def test_staff_see_both_partners_and_the_evidence(tenant, partner, rival, members, contested, client_for):
    theirs, ours, _user = contested
    page = client_for(tenant, members["channel_manager"]).get(reverse("deals:detail", args=[ours.pk]))
    body = page.content.decode()
    assert rival.name in body and str(theirs.pk) in body and "same domain initech.com" in body
    export = client_for(tenant, members["channel_manager"]).get(reverse("deals:export"))
    csv_text = b"".join(export.streaming_content).decode()
    assert rival.name in csv_text and partner.name in csv_text


def test_other_tenants_deals_are_not_found(tenant, other_tenant, members, client_for):
    foreign = DealFactory(tenant=other_tenant)
    for role in ("partner_user", "channel_manager", "tenant_admin"):
        client = client_for(tenant, members[role])
        assert client.get(reverse("deals:detail", args=[foreign.pk])).status_code == 404, role
    manager = client_for(tenant, members["tenant_admin"])
    for name in ("deals:decide", "deals:partner_add", "deals:appeal_decide", "deals:extension_decide"):
        assert manager.post(reverse(name, args=[foreign.pk]), {}).status_code == 404, name


def test_partner_views_refuse_staff_and_staff_views_refuse_partners(tenant, partner, members, register, client_for):
    deal = register(partner, user=members["partner_user"])
    partner_client = client_for(tenant, members["partner_user"])
    for name in ("deals:decide", "deals:partner_add", "deals:extension_decide", "deals:appeal_decide"):
        assert partner_client.post(reverse(name, args=[deal.pk]), {}).status_code == 403, name
    for name in ("deals:queue", "deals:house_accounts"):
        assert partner_client.get(reverse(name)).status_code == 403, name
    staff_client = client_for(tenant, members["channel_manager"])
    for name in ("deals:update", "deals:extension", "deals:appeal", "deals:respond"):
        assert staff_client.post(reverse(name, args=[deal.pk]), {}).status_code == 403, name
    assert client_for(tenant, members["executive"]).post(reverse("deals:outcome", args=[deal.pk]), {}).status_code == 403


def test_wrong_methods_get_405(tenant, partner, members, register, client_for):
    deal = register(partner, user=members["partner_user"])
    partner_client = client_for(tenant, members["partner_user"])
    assert partner_client.get(reverse("deals:outcome", args=[deal.pk])).status_code == 405
    assert partner_client.get(reverse("deals:register_check")).status_code == 405
    assert partner_client.post(reverse("deals:detail", args=[deal.pk])).status_code == 405
    assert partner_client.post(reverse("deals:export")).status_code == 405
    assert client_for(tenant, members["channel_manager"]).get(reverse("deals:bulk")).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(tenant, client_for):
    response = client_for(tenant).get(reverse("deals:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_partner_colleagues_share_their_organisations_deals(tenant, partner, members, register, client_for):
    deal = register(partner, user=members["partner_user"])
    assert client_for(tenant, members["partner_admin"]).get(reverse("deals:detail", args=[deal.pk])).status_code == 200
