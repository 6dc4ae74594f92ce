"""Partner organisations: self-service profile, status, primary contact, and channel managers' books."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerUserObjectPermission
from prm.accounts.services import invitation_create
from prm.audit.services import audit_log
from prm.domains import registrable_domain
from prm.events.services import record_event
from prm.tenancy.models import Membership
from prm.tenancy.roles import MANAGER_ROLES, Role
from prm.uploads import validate_upload

PROFILE_FIELDS = ("description", "website", "country", "regions", "specialties", "employees")
LOGO_MAX_MB = 2
BOOK_PERMISSION = "view_partner"


def partner_profile_update(*, tenant, partner: Partner, data: dict, logo=None, remove_logo: bool = False,
                           actor, request=None) -> Partner:
    """A partner admin edits the organisation's profile; records `profile_updated` for onboarding."""
    changed = []
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        for name in PROFILE_FIELDS:
            if name in data and getattr(partner, name) != data[name]:
                setattr(partner, name, data[name])
                changed.append(name)
        if "website" in changed:
            domain = registrable_domain(partner.website) if partner.website else ""
            if partner.website and not domain:
                raise ValidationError({"website": _("Enter a website with a domain name, e.g. https://www.example.com.")})
            if domain and Partner.objects.filter(tenant=tenant, domain=domain).exclude(pk=partner.pk).exists():
                raise ValidationError({"website": _("Another partner organisation already uses %(domain)s.") % {"domain": domain}})
            partner.domain = domain
        if logo is not None:
            sniffed = validate_upload(logo, kinds={"image"}, max_mb=LOGO_MAX_MB)  # by content, not by name
            old = partner.logo.name if partner.logo else None
            partner.logo.save(sniffed.safe_name, logo, save=False)
            if old and old != partner.logo.name:
                transaction.on_commit(lambda: partner.logo.storage.delete(old))
            changed.append("logo")
        elif remove_logo and partner.logo:
            old = partner.logo.name
            partner.logo = ""
            transaction.on_commit(lambda: Partner.logo.field.storage.delete(old))
            changed.append("logo")
        partner.full_clean(exclude=["logo"], validate_constraints=False)
        partner.save()
        audit_log(tenant=tenant, actor=actor, action="partner.profile_update", obj=partner,
                  changes={"fields": changed}, request=request)
        record_event(tenant=tenant, kind="profile_updated", partner=partner, user=actor,
                     obj=partner, data={"fields": changed, "complete": not partner.profile_missing()})
    return partner


ALLOWED_STATUS_CHANGES = {
    Partner.Status.PROSPECT: {Partner.Status.ONBOARDING, Partner.Status.CHURNED},
    Partner.Status.ONBOARDING: {Partner.Status.ACTIVE, Partner.Status.SUSPENDED, Partner.Status.CHURNED},
    Partner.Status.ACTIVE: {Partner.Status.SUSPENDED, Partner.Status.CHURNED},
    Partner.Status.SUSPENDED: {Partner.Status.ACTIVE, Partner.Status.CHURNED},
    Partner.Status.CHURNED: {Partner.Status.ONBOARDING, Partner.Status.ACTIVE},
}


def partner_set_status(*, tenant, partner: Partner, status: str, reason: str, actor, request=None) -> Partner:
    """Activate, suspend, churn or reinstate a partner (with a reason kept in the audit log)."""
    from partners.services.onboarding import onboarding_start

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the status change.")})
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        before = partner.status
        if status not in ALLOWED_STATUS_CHANGES.get(before, set()):
            raise ValidationError({"status": _("A partner cannot go from %(from)s to %(to)s.") % {
                "from": partner.get_status_display(), "to": Partner.Status(status).label if status in Partner.Status.values else status}})
        partner.status = status
        fields = ["status"]
        if status == Partner.Status.ACTIVE and partner.activated_at is None:
            partner.activated_at = timezone.now()
            fields.append("activated_at")
        partner.save(update_fields=fields)
        if status == Partner.Status.ONBOARDING:
            onboarding_start(tenant=tenant, partner=partner)
        audit_log(tenant=tenant, actor=actor, action="partner.status", obj=partner,
                  changes={"from": before, "to": status, "reason": reason}, request=request)
    return partner


def partner_invite_contact(*, tenant, partner: Partner, actor, request=None):
    """Invite the partner's primary contact as its partner admin (e.g. after an import)."""
    if not partner.contact_email:
        raise ValidationError(_("This partner has no primary contact email."))
    return invitation_create(tenant=tenant, email=partner.contact_email, role=Role.PARTNER_ADMIN,
                             partner=partner, invited_by=actor, request=request)


def _book_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="partners", codename=BOOK_PERMISSION)


def _check_manager(tenant, manager, roles=(Role.CHANNEL_MANAGER,), field: str = "manager") -> None:
    if not Membership.objects.filter(tenant=tenant, user=manager, role__in=list(roles), is_active=True).exists():
        raise ValidationError({field: _("Choose a channel manager of this portal.")})


def partner_book_add(*, tenant, partner: Partner, manager, actor, request=None) -> PartnerUserObjectPermission:
    """Put a partner into a channel manager's book (guardian object permission, direct FK table)."""
    _check_manager(tenant, manager)
    row, created = PartnerUserObjectPermission.objects.get_or_create(
        tenant=tenant, user=manager, permission=_book_permission(), content_object=partner,
    )
    if created:
        audit_log(tenant=tenant, actor=actor, action="partner.book_add", obj=partner,
                  changes={"manager": manager.email}, request=request)
    return row


def partner_book_remove(*, tenant, partner: Partner, manager, actor, request=None) -> int:
    deleted, _rows = PartnerUserObjectPermission.objects.filter(
        tenant=tenant, user=manager, content_object=partner, permission__codename=BOOK_PERMISSION,
    ).delete()
    if deleted:
        audit_log(tenant=tenant, actor=actor, action="partner.book_remove", obj=partner,
                  changes={"manager": manager.email}, request=request)
    return deleted


def partner_set_owner(*, tenant, partner: Partner, owner, actor, request=None) -> Partner:
    if owner is not None:
        _check_manager(tenant, owner, roles=MANAGER_ROLES, field="owner")
    before = partner.owner.email if partner.owner_id else None
    partner.owner = owner
    partner.save(update_fields=["owner"])
    audit_log(tenant=tenant, actor=actor, action="partner.owner", obj=partner,
              changes={"from": before, "to": owner.email if owner else None}, request=request)
    return partner
