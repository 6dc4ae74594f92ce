from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from prm.accounts.models import Invitation
from prm.accounts.services import invitation_create
from prm.tenancy.models import Membership
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def _invite(tenant, partner, inviter=None, **kwargs):
    with tenant_scope(tenant):
        return invitation_create(tenant=tenant, email="new@northwind.example", role="partner_user",
                                 partner=partner, invited_by=inviter, **kwargs)


def _accept(client, url, **extra):
    data = {"full_name": "Nina New", "password1": "a-Str0ng-passphrase", "password2": "a-Str0ng-passphrase"}
    data.update(extra)
    return client.post(url, data)


def test_invitation_creates_membership_and_signs_in(tenant, partner, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, url = _invite(tenant, partner)
    assert mail.outbox and url in mail.outbox[0].body
    client = client_for(tenant)
    response = _accept(client, url)
    assert response.status_code == 302 and response["Location"] == "/"
    with tenant_scope(tenant):
        membership = Membership.objects.get(user__email="new@northwind.example")
        assert membership.role == "partner_user" and membership.partner == partner
        invitation.refresh_from_db()
        assert invitation.accepted_at is not None
    assert client.get("/").status_code == 200  # signed in


def test_reused_invitation_is_refused_with_a_clear_message(tenant, partner, client_for):
    _invitation, url = _invite(tenant, partner)
    assert _accept(client_for(tenant), url).status_code == 302
    response = _accept(client_for(tenant), url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_expired_invitation_is_refused_with_a_clear_message(tenant, partner, client_for):
    invitation, url = _invite(tenant, partner)
    with scopes_disabled():
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client_for(tenant).get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="new@northwind.example").exists()


def test_other_tenants_invitation_is_refused_on_this_host(tenant, other_tenant, partner, client_for):
    _invitation, url = _invite(tenant, partner)
    path = url.split("localhost", 1)[1]
    response = client_for(other_tenant).post(path, {"full_name": "X", "password1": "a-Str0ng-passphrase",
                                                    "password2": "a-Str0ng-passphrase"})
    assert response.status_code == 410
    assert "different partner portal" in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="new@northwind.example").exists()


def test_revoked_invitation_is_refused(tenant, partner, client_for, members):
    invitation, url = _invite(tenant, partner)
    manager = client_for(tenant, members["channel_manager"])
    assert manager.post(f"/staff/people/invitations/{invitation.pk}/revoke").status_code == 302
    response = client_for(tenant).get(url)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_weak_password_is_refused_on_the_form(tenant, partner, client_for):
    _invitation, url = _invite(tenant, partner)
    response = _accept(client_for(tenant), url, password1="123", password2="123")
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="new@northwind.example").exists()


def test_existing_user_accepts_while_signed_in(tenant, other_tenant, partner, make_member, client_for):
    # A consultant already in globex joins acme with the same login.
    user = make_member(other_tenant, "channel_manager", email="new@northwind.example")
    _invitation, url = _invite(tenant, partner)
    client = client_for(tenant, user)
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert Membership.objects.filter(user=user).count() == 2


def test_staff_invite_form_validates_inline(tenant, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    response = client.post("/staff/people/", {"email": "not-an-email", "role": "partner_user"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 400  # a form with errors (CONTRIBUTING); htmx swaps it in
    assert "Enter a valid email address" in body
    assert "Choose the partner organisation" in body
    assert "<html" not in body  # the htmx partial only


def test_inviting_an_existing_member_is_refused(tenant, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    response = client.post("/staff/people/", {"email": members["executive"].email, "role": "executive"})
    assert "already a member" in response.content.decode()
