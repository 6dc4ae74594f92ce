"""Live engagement events from the apps whose emission no app test checks: a sign-in through the
login page, a deal approval and a colleague invitation each append exactly one event for the
right partner (the other kinds are asserted in content, deals, incentives and partners tests)."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from prm.events.models import EngagementEvent
from prm.tenancy.scoping import tenant_scope
from tests.factories import TEST_PASSWORD, DealFactory

pytestmark = pytest.mark.django_db


def _events(tenant, kind):
    with scopes_disabled():
        return list(EngagementEvent.objects.filter(tenant=tenant, kind=kind))


def test_signing_in_on_the_tenant_host_records_one_sign_in_for_the_partner(tenant, partner, make_member,
                                                                          client_for):
    user = make_member(tenant, "partner_user", partner=partner)
    response = client_for(tenant).post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    (event,) = _events(tenant, "sign_in")
    assert (event.partner_id, event.user_id) == (partner.pk, user.pk)


def test_a_failed_sign_in_records_nothing(tenant, partner, make_member, client_for):
    user = make_member(tenant, "partner_user", partner=partner)
    client_for(tenant).post("/accounts/login/", {"login": user.email, "password": "wrong"})
    assert _events(tenant, "sign_in") == []


def test_approving_a_deal_records_deal_approved(tenant, partner, members):
    from deals.services.review import deal_approve

    deal = DealFactory(tenant=tenant, partner=partner)
    with tenant_scope(tenant):
        deal_approve(tenant=tenant, deal=deal, actor=members["channel_manager"])
    (event,) = _events(tenant, "deal_approved")
    assert (event.partner_id, event.user_id, event.object_id) == (partner.pk, members["channel_manager"].pk,
                                                                  str(deal.pk))


def test_inviting_a_colleague_records_colleague_invited_for_the_partner(tenant, partner, members):
    from prm.accounts.services import invitation_create

    with tenant_scope(tenant):
        invitation, _url = invitation_create(tenant=tenant, email="new.colleague@example.com", role="partner_user",
                                             partner=partner, invited_by=members["partner_admin"])
        # Staff invitations belong to no partner: no engagement event.
        invitation_create(tenant=tenant, email="new.manager@example.com", role="channel_manager",
                          invited_by=members["tenant_admin"])
    (event,) = _events(tenant, "colleague_invited")
    assert (event.partner_id, event.user_id, event.object_id) == (partner.pk, members["partner_admin"].pk,
                                                                  str(invitation.pk))
