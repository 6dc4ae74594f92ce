"""Who may give whom which role, on every path that grants one: the People page (or a partner
admin's team page), an invitation, and the back office. The allowed cells are listed once (ALLOWED);
every other cell of the matrix must be refused, leave the membership as it was, and (where the
actor reached the change at all) be audited.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from prm.accounts.models import Invitation
from prm.audit.models import AuditEntry
from prm.tenancy.models import Membership
from prm.tenancy.roles import PARTNER_ROLES
from prm.tenancy.scoping import tenant_scope
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["partner_user", "partner_admin", "channel_manager", "executive", "tenant_admin"]
# The one list of allowed grants: actor role -> roles it may give.
ALLOWED = {
    "tenant_admin": set(ROLES),
    "channel_manager": {"partner_user", "partner_admin", "executive", "channel_manager"},
    "partner_admin": {"partner_user", "partner_admin"},
    "executive": set(),
    "partner_user": set(),
}
PATHS = ["page", "invite", "admin"]
# The back office is the staff's: partner roles and executives never reach it at all.
BACK_OFFICE = {"channel_manager", "tenant_admin"}


def _membership(tenant, user) -> Membership:
    with tenant_scope(tenant):
        return Membership.objects.select_related("user").get(user=user)


def _refresh(tenant, obj) -> None:
    with tenant_scope(tenant):
        obj.refresh_from_db()


def _target(tenant, partner, new_role: str) -> Membership:
    """A member on the same side as `new_role`, currently with another role of that side."""
    if new_role in PARTNER_ROLES:
        role = "partner_admin" if new_role == "partner_user" else "partner_user"
        return MembershipFactory(tenant=tenant, role=role, partner=partner, user=UserFactory())
    role = "channel_manager" if new_role in ("executive", "tenant_admin") else "executive"
    return MembershipFactory(tenant=tenant, role=role, user=UserFactory())


def _attempt(client, path: str, actor_role: str, target: Membership | None, new_role: str, partner):
    if path == "page":
        url = f"/team/{target.pk}/change" if actor_role in PARTNER_ROLES else f"/staff/people/{target.pk}/change"
        return client.post(url, {"action": "role", "role": new_role})
    if path == "invite":
        url = "/team/" if actor_role in PARTNER_ROLES else "/staff/people/"
        return client.post(url, {"email": "newcomer@example.com", "role": new_role, "partner": str(partner.pk)})
    return client.post(f"/admin/tenancy/membership/{target.pk}/change/", {"role": new_role, "is_active": "on"})


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("new_role", ROLES)
@pytest.mark.parametrize("actor_role", ROLES)
def test_role_grant_matrix(actor_role, new_role, path, tenant, partner, members, client_for):
    allowed = new_role in ALLOWED[actor_role] and (path != "admin" or actor_role in BACK_OFFICE)
    target = None if path == "invite" else _target(tenant, partner, new_role)
    response = _attempt(client_for(tenant, members[actor_role]), path, actor_role, target, new_role, partner)

    with tenant_scope(tenant):
        if path == "invite":
            granted = Invitation.objects.filter(email="newcomer@example.com", role=new_role).exists()
        else:
            granted = Membership.objects.get(pk=target.pk).role == new_role
    assert granted == allowed, f"{actor_role} giving {new_role} via {path}: HTTP {response.status_code}"
    if allowed:
        assert response.status_code in (200, 302)
    elif path == "admin" and response.status_code == 200:
        assert "errornote" in response.content.decode()  # the back office's form, with its error
    else:
        # 404: a partner admin asking about someone outside their organisation (not found = not yours).
        assert response.status_code in (400, 403, 404), response.status_code
    reached = actor_role in (BACK_OFFICE if path == "admin" else BACK_OFFICE | {"partner_admin"})
    if not allowed and reached and response.status_code != 404:
        with tenant_scope(tenant):
            refusal = AuditEntry.objects.filter(action="membership.refused").first()
        assert refusal is not None and refusal.actor == members[actor_role] and refusal.changes["reason"]


@pytest.mark.parametrize("path", ["page", "admin"])
def test_a_channel_manager_cannot_touch_a_tenant_admins_membership(path, tenant, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    admin = _membership(tenant, members["tenant_admin"])
    if path == "page":
        demote = client.post(f"/staff/people/{admin.pk}/change", {"action": "role", "role": "executive"})
        deactivate = client.post(f"/staff/people/{admin.pk}/change", {"action": "deactivate"})
        assert demote.status_code == deactivate.status_code == 403
        assert "Only a tenant admin can change a tenant admin" in demote.content.decode()
    else:
        assert client.post(f"/admin/tenancy/membership/{admin.pk}/change/", {"role": "executive"}).status_code == 403
        assert client.get(f"/admin/tenancy/membership/{admin.pk}/change/").status_code == 200  # may look
        assert client.post(f"/admin/tenancy/membership/{admin.pk}/delete/", {"post": "yes"}).status_code == 403
    _refresh(tenant, admin)
    assert admin.role == "tenant_admin" and admin.is_active
    with tenant_scope(tenant):
        if path == "page":
            refusals = AuditEntry.objects.filter(action="membership.refused", object_id=str(admin.pk))
            assert refusals.count() == 2
            assert refusals.first().actor == members["channel_manager"]


@pytest.mark.parametrize("path", ["page", "admin"])
def test_a_partner_member_never_becomes_staff(path, tenant, members, client_for):
    client = client_for(tenant, members["tenant_admin"])
    rep = _membership(tenant, members["partner_user"])
    if path == "page":
        response = client.post(f"/staff/people/{rep.pk}/change", {"action": "role", "role": "tenant_admin"})
        assert response.status_code == 403 and "cannot become staff" in response.content.decode()
    else:
        response = client.post(f"/admin/tenancy/membership/{rep.pk}/change/", {"role": "tenant_admin", "is_active": "on"})
        assert response.status_code == 200 and "errornote" in response.content.decode()  # the form, with its error
    _refresh(tenant, rep)
    assert rep.role == "partner_user" and rep.partner_id is not None
    with tenant_scope(tenant):
        assert AuditEntry.objects.filter(action="membership.refused", object_id=str(rep.pk)).exists()


def test_the_back_office_only_offers_roles_up_to_the_managers_own(tenant, members, client_for):
    executive = _membership(tenant, members["executive"])
    form = client_for(tenant, members["channel_manager"]).get(f"/admin/tenancy/membership/{executive.pk}/change/")
    body = form.content.decode()
    assert 'value="channel_manager"' in body and 'value="tenant_admin"' not in body
    assert 'value="partner_user"' not in body  # a staff member stays staff


def test_the_invitation_form_offers_only_grantable_roles(tenant, members, client_for):
    body = client_for(tenant, members["channel_manager"]).get("/staff/people/").content.decode()
    assert 'value="executive"' in body and 'value="tenant_admin"' not in body
    assert 'value="tenant_admin"' in client_for(tenant, members["tenant_admin"]).get("/staff/people/").content.decode()


@pytest.mark.parametrize("action", ["demote", "deactivate", "admin-demote", "admin-deactivate"])
def test_the_last_active_tenant_admin_cannot_be_removed(action, tenant, members, client_for):
    client = client_for(tenant, members["tenant_admin"])
    admin = _membership(tenant, members["tenant_admin"])
    if action == "demote":
        response = client.post(f"/staff/people/{admin.pk}/change", {"action": "role", "role": "channel_manager"})
        assert response.status_code == 403 and "last active tenant admin" in response.content.decode()
    elif action == "deactivate":
        # Deactivating oneself is refused too; another admin, deactivated, leaves this one the last.
        other = MembershipFactory(tenant=tenant, role="tenant_admin", user=UserFactory(), is_active=False)
        response = client.post(f"/staff/people/{other.pk}/change", {"action": "reactivate"})
        assert response.status_code == 302
        response = client_for(tenant, other.user).post(f"/staff/people/{admin.pk}/change", {"action": "deactivate"})
        assert response.status_code == 302  # two admins: one may go
        _refresh(tenant, admin)
        assert not admin.is_active
        response = client_for(tenant, other.user).post(f"/staff/people/{other.pk}/change", {"action": "deactivate"})
        assert response.status_code == 403
        _refresh(tenant, other)
        assert other.is_active
        return
    else:
        data = {"role": "executive" if action == "admin-demote" else "tenant_admin"}
        if action == "admin-demote":
            data["is_active"] = "on"
        response = client.post(f"/admin/tenancy/membership/{admin.pk}/change/", data)
        reason = "last active tenant admin" if action == "admin-demote" else "You cannot deactivate yourself"
        assert response.status_code == 200 and reason in response.content.decode()
    _refresh(tenant, admin)
    assert admin.role == "tenant_admin" and admin.is_active


def test_with_two_admins_one_may_step_down(tenant, members, client_for):
    second = MembershipFactory(tenant=tenant, role="tenant_admin", user=UserFactory())
    response = client_for(tenant, members["tenant_admin"]).post(f"/staff/people/{second.pk}/change",
                                                                {"action": "role", "role": "channel_manager"})
    assert response.status_code == 302
    _refresh(tenant, second)
    assert second.role == "channel_manager"
    with tenant_scope(tenant):
        entry = AuditEntry.objects.get(action="membership.role", object_id=str(second.pk))
        assert entry.changes == {"from": "tenant_admin", "to": "channel_manager"}


def test_a_partner_admin_manages_only_their_own_organisation(tenant, partner, members, client_for):
    stranger = MembershipFactory(tenant=tenant, role="partner_user", partner=PartnerFactory(tenant=tenant),
                                 user=UserFactory())
    client = client_for(tenant, members["partner_admin"])
    assert client.post(f"/team/{stranger.pk}/change", {"action": "role", "role": "partner_admin"}).status_code == 404
    _refresh(tenant, stranger)
    assert stranger.role == "partner_user"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(tenant):
    """Real parallel transactions: the admin rows are locked in one order, so one demotion waits for
    the other and then sees it would remove the last admin."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks across concurrent connections (CI runs it)")
    from prm.accounts.policy import RoleChangeRefused
    from prm.accounts.services import membership_set_role

    first = MembershipFactory(tenant=tenant, role="tenant_admin", user=UserFactory())
    second = MembershipFactory(tenant=tenant, role="tenant_admin", user=UserFactory())
    barrier = threading.Barrier(2, timeout=30)
    results: list = [None, None]

    def demote(i, actor, target):
        try:
            with tenant_scope(tenant):
                barrier.wait()
                results[i] = membership_set_role(tenant=tenant, membership=target, role="channel_manager",
                                                 actor=actor.user)
        except Exception as exc:  # asserted below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(0, first, second)),
               threading.Thread(target=demote, args=(1, second, first))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    refused = [r for r in results if isinstance(r, RoleChangeRefused)]
    done = [r for r in results if isinstance(r, Membership)]
    assert len(refused) + len(done) == 2, results
    with tenant_scope(tenant):
        assert Membership.objects.filter(tenant=tenant, role="tenant_admin", is_active=True).count() >= 1
