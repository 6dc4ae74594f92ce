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


def membership_set_role(*, tenant: Tenant, membership: Membership, role: str, actor, request=None) -> Membership:
    """Change a member's role. Partner members stay partner roles; staff stay staff roles."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if (role in PARTNER_ROLES) != (membership.role in PARTNER_ROLES):
        raise ValidationError(_("A partner member cannot become staff, or the other way round."))
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log(tenant=tenant, actor=actor, action="membership.role", obj=membership,
              changes={"from": before, "to": role}, request=request)
    return membership


def membership_deactivate(*, tenant: Tenant, membership: Membership, actor, request=None) -> Membership:
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot deactivate yourself."))
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_log(tenant=tenant, actor=actor, action="membership.deactivate", obj=membership, request=request)
    return membership
