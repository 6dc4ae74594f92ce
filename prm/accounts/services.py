"""Account writes: inviting people into a tenant and accepting invitations."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.accounts.models import Invitation
from prm.accounts.policy import RoleChangeRefused, check_change, check_grant, lock_tenant_admins
from prm.audit.services import audit_log
from prm.events.services import record_event
from prm.notifications.services import send_tenant_email
from prm.tenancy.models import Membership, Tenant
from prm.tenancy.resolution import tenant_url
from prm.tenancy.roles import PARTNER_ROLES, Role

User = get_user_model()


def invitation_create(
    *, tenant: Tenant, email: str, role: str, invited_by=None, partner=None, request=None,
    days: int | None = None,
) -> tuple[Invitation, str]:
    """Invite `email` to the tenant; returns the invitation and its accept URL (emailed too)."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role in PARTNER_ROLES and partner is None:
        raise ValidationError({"partner": _("Choose the partner organisation for a partner role.")})
    if role not in PARTNER_ROLES:
        partner = None
    if partner is not None and partner.tenant_id != tenant.pk:
        raise ValidationError({"partner": _("Unknown partner organisation.")})
    try:
        check_grant(actor_membership(tenant, invited_by), role, partner=partner)
    except RoleChangeRefused as exc:
        audit_refusal(tenant, invited_by, None, {"invite": email, "role": role}, exc, request)
        raise ValidationError({"role": exc.message}) from None
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": _("%(email)s is already a member of this portal.") % {"email": email}})
    token, token_hash = Invitation.new_token()
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address.
        Invitation.objects.pending().filter(tenant=tenant, email=email).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            tenant=tenant, email=email, role=role, partner=partner, token_hash=token_hash,
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=days or settings.PRM_INVITATION_DAYS),
        )
        url = tenant_url(tenant, reverse("accounts:accept_invitation", args=[token]), request)
        inviter = (invited_by.get_full_name() if invited_by else tenant.name)
        send_tenant_email(
            tenant=tenant, to=email,
            subject=_("You are invited to the %(tenant)s partner portal") % {"tenant": tenant.name},
            template="accounts/email/invitation.txt",
            context={"tenant": tenant, "url": url, "inviter": inviter, "invitation": invitation},
        )
        audit_log(tenant=tenant, actor=invited_by, action="invitation.create", obj=invitation,
                  changes={"email": email, "role": role}, request=request)
        if partner is not None:
            record_event(tenant=tenant, kind="colleague_invited", partner=partner, user=invited_by,
                         obj=invitation)
    return invitation, url


def invitation_revoke(*, tenant: Tenant, invitation: Invitation, actor=None, request=None) -> None:
    if invitation.status != "pending":
        raise ValidationError(_("Only pending invitations can be revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_log(tenant=tenant, actor=actor, action="invitation.revoke", obj=invitation, request=request)


class InvitationError(Exception):
    """An invitation that cannot be used; the message is shown to the visitor."""


def invitation_check(*, tenant: Tenant, token: str) -> Invitation:
    """The usable invitation for `token` on this tenant, or InvitationError with the reason."""
    from prm.tenancy.scoping import scopes_disabled

    invitation = Invitation.objects.by_token(token).filter(tenant=tenant).first()
    if invitation is None:
        with scopes_disabled():
            elsewhere = Invitation.objects.by_token(token).exclude(tenant=tenant).exists()
        if elsewhere:
            raise InvitationError(_("This invitation belongs to a different partner portal. Open the link exactly as it appears in your invitation email."))
        raise InvitationError(_("This invitation link is not valid. Ask the person who invited you for a new one."))
    if invitation.accepted_at:
        raise InvitationError(_("This invitation has already been used. Sign in instead, or ask for a new invitation."))
    if invitation.revoked_at:
        raise InvitationError(_("This invitation was withdrawn. Ask the person who invited you for a new one."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("This invitation has expired. Ask the person who invited you for a new one."))
    return invitation


def invitation_accept(
    *, tenant: Tenant, token: str, user=None, full_name: str = "", password: str | None = None, request=None
):
    """Use the invitation: create the user if needed, grant the membership. Single use.

    The row lock makes two simultaneous clicks on the same link produce one membership.
    """
    with transaction.atomic():
        invitation = invitation_check(tenant=tenant, token=token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        invitation_check(tenant=tenant, token=token)  # re-check under the lock
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise InvitationError(_("An account with this email already exists. Sign in first, then open the invitation link again."))
            user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name.strip())
        elif user.email.lower() != invitation.email.lower():
            raise InvitationError(_("This invitation was sent to a different email address. Sign out and open the link again."))
        # Following the emailed link proves the address.
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        membership, _created = Membership.objects.update_or_create(
            tenant=tenant, user=user,
            defaults={"role": invitation.role, "partner": invitation.partner, "is_active": True},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_log(tenant=tenant, actor=user, action="invitation.accept", obj=invitation, request=request)
        record_event(tenant=tenant, kind="member_joined", partner=invitation.partner, user=user, obj=membership)
    return user, membership


def actor_membership(tenant: Tenant, user) -> Membership | None:
    """The acting user's active membership here; None for the system (no user).

    A user without one acts with no rights at all (an inactive stand-in that grants nothing).
    """
    if user is None:
        return None
    found = Membership.objects.filter(tenant=tenant, user=user, is_active=True).first()
    return found or Membership(tenant=tenant, user=user, role="", is_active=False)


def audit_refusal(tenant, actor, target, changes: dict, exc: RoleChangeRefused, request) -> None:
    # Outside the refused change's transaction, so the record of the attempt is kept.
    audit_log(tenant=tenant, actor=actor, action="membership.refused", obj=target,
              changes={**changes, "reason": exc.message}, request=request)


def membership_update(
    *, tenant: Tenant, membership: Membership, actor, role: str | None = None, is_active: bool | None = None,
    request=None,
) -> Membership:
    """Change a member's role and/or active flag, if the actor may (see prm.accounts.policy).

    Raises RoleChangeRefused (a PermissionDenied with the reason), audited as `membership.refused`.
    """
    changes = {k: v for k, v in (("role", role), ("is_active", is_active)) if v is not None}
    try:
        with transaction.atomic():
            if Membership.objects.filter(pk=membership.pk, role=Role.TENANT_ADMIN).exists():
                # Changing an admin: lock the tenant's admins first, in one order, so two admins
                # demoting each other wait for one another instead of deadlocking.
                lock_tenant_admins(tenant)
            target = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
            check_change(actor_membership(tenant, actor), target, role=role, is_active=is_active)
            before = {"role": target.role, "is_active": target.is_active}
            target.role = role if role is not None else target.role
            target.is_active = is_active if is_active is not None else target.is_active
            target.save(update_fields=["role", "is_active"])
            after = {"role": target.role, "is_active": target.is_active}
            if before["role"] != after["role"]:
                audit_log(tenant=tenant, actor=actor, action="membership.role", obj=target,
                          changes={"from": before["role"], "to": after["role"]}, request=request)
            if before["is_active"] != after["is_active"]:
                audit_log(tenant=tenant, actor=actor,
                          action="membership.activate" if after["is_active"] else "membership.deactivate",
                          obj=target, request=request)
    except RoleChangeRefused as exc:
        audit_refusal(tenant, actor, membership, changes, exc, request)
        raise
    membership.role, membership.is_active = target.role, target.is_active
    return membership


def membership_set_role(*, tenant: Tenant, membership: Membership, role: str, actor, request=None) -> Membership:
    return membership_update(tenant=tenant, membership=membership, actor=actor, role=role, request=request)


def membership_deactivate(*, tenant: Tenant, membership: Membership, actor, request=None) -> Membership:
    return membership_update(tenant=tenant, membership=membership, actor=actor, is_active=False, request=request)
