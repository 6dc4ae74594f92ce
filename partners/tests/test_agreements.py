"""Versioned program agreements, e-acceptance evidence, and the deal-registration gate."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from partners.models import Agreement, AgreementAcceptance, PartnerSettings
from partners.selectors import can_register_deals
from partners.services.agreements import agreement_accept, agreement_publish, agreement_save_draft, agreement_status
from prm.events.models import EngagementEvent
from prm.tenancy.scoping import tenant_scope
from tests.factories import AgreementFactory, PartnerFactory, set_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_partner(tenant, program):
    return PartnerFactory(tenant=tenant, status="active", partner_type=program["types"]["reseller"])


def gate(tenant, partner):
    with tenant_scope(tenant):
        partner.refresh_from_db()
        return can_register_deals(partner)


def publish_new_version(tenant, admin, partner_type=None, body="New terms", when=None):
    with tenant_scope(tenant):
        draft = agreement_save_draft(tenant=tenant, agreement=Agreement(
            partner_type=partner_type, title="Partner program agreement", body=body), actor=admin)
        return agreement_publish(tenant=tenant, agreement=draft, actor=admin, now=when)


def test_gate_blocks_until_a_partner_admin_accepts_then_again_after_a_new_version_and_its_grace(
    tenant, active_partner, members, make_member, client_for
):
    set_settings(tenant, PartnerSettings, agreement_grace_days=30)
    admin = make_member(tenant, "partner_admin", partner=active_partner, email="admin@partner.test")
    staff = members["tenant_admin"]
    assert gate(tenant, active_partner) == (True, "")  # no agreement published: nothing to accept

    v1 = publish_new_version(tenant, staff, body="Version one")
    allowed, reason = gate(tenant, active_partner)
    assert not allowed and "must accept the program agreement (version 1)" in reason

    client = client_for(tenant, admin)
    response = client.post(reverse("partners:agreement"), {"accept": "on", "content_hash": v1.content_hash},
                           REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="TestBrowser/1.0")
    assert response.status_code == 302
    assert gate(tenant, active_partner) == (True, "")
    with tenant_scope(tenant):
        acceptance = AgreementAcceptance.objects.get(partner=active_partner)
        assert EngagementEvent.objects.filter(kind="agreement_accepted", partner=active_partner).exists()
    assert (acceptance.user, acceptance.ip_address, acceptance.content_hash) == (admin, "203.0.113.7", v1.content_hash)
    assert acceptance.user_agent == "TestBrowser/1.0" and acceptance.accepted_at is not None

    # A new version: the grace period keeps deals open, with a warning...
    v2 = publish_new_version(tenant, staff, body="Version two")
    assert v2.version == 2
    assert gate(tenant, active_partner) == (True, "")
    with tenant_scope(tenant):
        status = agreement_status(active_partner)
    assert status.needs_action and not status.blocks and status.due_at == v2.reacceptance_due_at
    # ...until it ends.
    with tenant_scope(tenant):
        later = agreement_status(active_partner, now=timezone.now() + timedelta(days=31))
    assert later.blocks and "grace period" in later.message
    with scopes_disabled():
        Agreement.objects.filter(pk=v2.pk).update(reacceptance_due_at=timezone.now() - timedelta(minutes=1))
    allowed, reason = gate(tenant, active_partner)
    assert not allowed and "version 2" in reason

    client.post(reverse("partners:agreement"), {"accept": "on", "content_hash": v2.content_hash})
    assert gate(tenant, active_partner) == (True, "")


def test_a_partner_that_never_accepted_gets_no_grace_when_a_new_version_appears(tenant, active_partner, members):
    publish_new_version(tenant, members["tenant_admin"], body="one")
    publish_new_version(tenant, members["tenant_admin"], body="two")
    assert gate(tenant, active_partner)[0] is False


def test_partner_type_agreement_takes_precedence_over_the_general_one(tenant, program, active_partner, members):
    general = publish_new_version(tenant, members["tenant_admin"], body="general")
    reseller = publish_new_version(tenant, members["tenant_admin"], partner_type=program["types"]["reseller"],
                                   body="reseller")
    assert reseller.version == 1  # numbered per partner type
    with tenant_scope(tenant):
        assert agreement_status(active_partner).agreement == reseller
        msp = PartnerFactory(tenant=tenant, status="active", partner_type=program["types"]["msp"])
        assert agreement_status(msp).agreement == general


def test_suspended_or_churned_partners_cannot_register_deals_but_onboarding_partners_can(tenant, program):
    for status, expected in [("active", True), ("onboarding", True), ("suspended", False), ("churned", False),
                             ("prospect", False)]:
        partner = PartnerFactory(tenant=tenant, status=status, partner_type=program["types"]["reseller"])
        assert gate(tenant, partner)[0] is expected, status


def test_partner_users_can_read_but_not_accept(tenant, active_partner, make_member, client_for, members):
    agreement = publish_new_version(tenant, members["tenant_admin"])
    user = make_member(tenant, "partner_user", partner=active_partner)
    client = client_for(tenant, user)
    page = client.get(reverse("partners:agreement"))
    assert page.status_code == 200 and "Only a partner admin" in page.content.decode()
    assert client.post(reverse("partners:agreement"), {"accept": "on", "content_hash": agreement.content_hash}).status_code == 403
    with tenant_scope(tenant):
        assert not AgreementAcceptance.objects.exists()
        with pytest.raises(ValidationError):
            agreement_accept(tenant=tenant, partner=active_partner, agreement=agreement, user=user,
                             shown_hash=agreement.content_hash)


def test_accepting_a_text_that_was_replaced_meanwhile_is_refused(tenant, active_partner, make_member, client_for, members):
    old = publish_new_version(tenant, members["tenant_admin"], body="old")
    publish_new_version(tenant, members["tenant_admin"], body="new")
    admin = make_member(tenant, "partner_admin", partner=active_partner)
    response = client_for(tenant, admin).post(reverse("partners:agreement"), {"accept": "on", "content_hash": old.content_hash})
    assert response.status_code == 400 and "changed while you were reading" in response.content.decode()
    with tenant_scope(tenant):
        assert not AgreementAcceptance.objects.exists()


def test_the_checkbox_is_required(tenant, active_partner, make_member, client_for, members):
    agreement = publish_new_version(tenant, members["tenant_admin"])
    admin = make_member(tenant, "partner_admin", partner=active_partner)
    response = client_for(tenant, admin).post(reverse("partners:agreement"), {"content_hash": agreement.content_hash})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_published_text_is_frozen_and_versions_cannot_go_backwards(tenant, members):
    admin = members["tenant_admin"]
    v1 = publish_new_version(tenant, admin, body="one")
    with tenant_scope(tenant):
        v1.body = "sneaky edit"
        with pytest.raises(ValidationError):
            agreement_save_draft(tenant=tenant, agreement=v1, actor=admin)
        draft2 = agreement_save_draft(tenant=tenant, agreement=Agreement(title="T", body="two"), actor=admin)
        draft3 = agreement_save_draft(tenant=tenant, agreement=Agreement(title="T", body="three"), actor=admin)
        agreement_publish(tenant=tenant, agreement=draft3, actor=admin)
        with pytest.raises(ValidationError, match="later version"):
            agreement_publish(tenant=tenant, agreement=draft2, actor=admin)
        with pytest.raises(ValidationError, match="already published"):
            agreement_publish(tenant=tenant, agreement=draft3, actor=admin)


def test_publishing_notifies_the_partner_admins_who_must_accept(tenant, active_partner, make_member, members):
    from prm.notifications.models import Notification

    admin = make_member(tenant, "partner_admin", partner=active_partner)
    publish_new_version(tenant, members["tenant_admin"])
    with tenant_scope(tenant):
        assert Notification.objects.filter(user=admin, title__contains="accept the new program agreement").exists()


def test_admin_publish_action_for_tenant_admins_only(tenant, members, client_for):
    draft = AgreementFactory(tenant=tenant, published_at=None)
    url = "/admin/partners/agreement/"
    client_for(tenant, members["channel_manager"]).post(url, {"action": "publish", "_selected_action": [str(draft.pk)]})
    with tenant_scope(tenant):
        draft.refresh_from_db()
    assert not draft.is_published
    client_for(tenant, members["tenant_admin"]).post(url, {"action": "publish", "_selected_action": [str(draft.pk)]})
    with tenant_scope(tenant):
        draft.refresh_from_db()
    assert draft.is_published and len(draft.content_hash) == 64


def test_the_agreement_notice_speaks_to_whoever_reads_it(tenant, active_partner, members, make_member):
    """A partner admin is asked to accept; colleagues are told their admin must; staff, the organisation's."""
    publish_new_version(tenant, members["tenant_admin"])
    with tenant_scope(tenant):
        active_partner.refresh_from_db()
        assert can_register_deals(active_partner, "partner_admin")[1].startswith("Accept the program agreement")
        assert "Your partner admin must accept" in can_register_deals(active_partner, "partner_user")[1]
        assert "The organisation's partner admin must accept" in can_register_deals(active_partner, "channel_manager")[1]
