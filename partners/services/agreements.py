"""Program agreements: drafts, publication (new versions), e-acceptance, and the deal gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partners.models import Agreement, AgreementAcceptance, Partner, PartnerSettings, content_hash
from prm.audit.services import audit_log, client_ip
from prm.events.services import record_event
from prm.notifications.services import notify
from prm.tenancy.models import Membership
from prm.tenancy.roles import STAFF_ROLES, Role


@dataclass(frozen=True)
class AgreementStatus:
    agreement: Agreement | None
    accepted: bool                 # the current version is accepted
    due_at: datetime | None        # re-acceptance deadline while in the grace period
    blocks: bool                   # deal registration and incentives are closed because of it
    message: str

    @property
    def needs_action(self) -> bool:
        return self.agreement is not None and not self.accepted


def current_agreement(partner: Partner) -> Agreement | None:
    """Latest published version for the partner's type, else the latest for every type (1 query)."""
    return (
        Agreement.objects.filter(tenant_id=partner.tenant_id, published_at__isnull=False)
        .filter(Q(partner_type_id=partner.partner_type_id) | Q(partner_type__isnull=True))
        .order_by(F("partner_type_id").asc(nulls_last=True), "-version")
        .first()
    )


def agreement_status(partner: Partner, *, now: datetime | None = None, role: str | None = None) -> AgreementStatus:
    """Whether the partner's acceptance is in order (2 queries). `role`: who reads the message (a
    partner admin is asked to accept; colleagues and staff are told who must)."""
    now = now or timezone.now()
    agreement = current_agreement(partner)
    if agreement is None:
        return AgreementStatus(None, True, None, False, "")
    accepted = list(
        AgreementAcceptance.objects.filter(partner=partner)
        .values_list("agreement_id", "agreement__published_at")
    )
    if any(agreement_id == agreement.pk for agreement_id, _published in accepted):
        return AgreementStatus(agreement, True, None, False, "")
    accepted_earlier = any(published and published < agreement.published_at for _id, published in accepted)
    due = agreement.reacceptance_due_at
    params = {"version": agreement.version, "date": formats.date_format(due, "DATE_FORMAT") if due else ""}
    admin, staff = role == Role.PARTNER_ADMIN, role in STAFF_ROLES
    if accepted_earlier and due and now < due:
        message = (_("A new version of the program agreement was published. Please review and accept it by %(date)s.")
                   if admin else
                   _("A new version of the program agreement was published. The organisation's partner admin must "
                     "accept it by %(date)s.") if staff else
                   _("A new version of the program agreement was published. Your partner admin must accept it by "
                     "%(date)s."))
        return AgreementStatus(agreement, False, due, False, message % params)
    if accepted_earlier:
        message = (_("The grace period for the new program agreement has ended. Accept version %(version)s to "
                     "open deal registration and incentives again.") if admin else
                   _("The grace period for the new program agreement has ended. The organisation's partner admin "
                     "must accept version %(version)s before deal registration and incentives open again.")
                   if staff else
                   _("The grace period for the new program agreement has ended. Your partner admin must accept "
                     "version %(version)s before deal registration and incentives open again."))
    else:
        message = (_("Accept the program agreement (version %(version)s) to open deal registration and incentives "
                     "to your organisation.") if admin else
                   _("The organisation's partner admin must accept the program agreement (version %(version)s) "
                     "before deal registration and incentives open.") if staff else
                   _("Your partner admin must accept the program agreement (version %(version)s) before deal "
                     "registration and incentives open to your organisation."))
    return AgreementStatus(agreement, False, due, True, message % params)


def agreement_save_draft(*, tenant, agreement: Agreement, actor=None, request=None) -> Agreement:
    """Create or edit a draft; a new draft gets the next version number of its partner type."""
    if agreement.pk and Agreement.objects.filter(pk=agreement.pk, published_at__isnull=False).exists():
        raise ValidationError(_("A published agreement cannot be changed. Create a new version instead."))
    if agreement.partner_type_id and agreement.partner_type.tenant_id != tenant.pk:
        raise ValidationError({"partner_type": _("Unknown partner type.")})
    agreement.tenant = tenant
    creating = agreement._state.adding
    for _attempt in range(3):
        try:
            with transaction.atomic():
                if creating:
                    latest = Agreement.objects.filter(tenant=tenant, partner_type_id=agreement.partner_type_id
                                                      ).aggregate(v=Max("version"))["v"]
                    agreement.version = (latest or 0) + 1
                agreement.full_clean(exclude=["version"], validate_constraints=False)
                agreement.save()
                audit_log(tenant=tenant, actor=actor, action="agreement.draft", obj=agreement, request=request)
            return agreement
        except IntegrityError:  # two drafts took the same number: take the next one
            continue
    raise ValidationError(_("Could not number this version; please try again."))


def agreement_publish(*, tenant, agreement: Agreement, actor, request=None, now: datetime | None = None) -> Agreement:
    """Freeze the text and its hash; partners who accepted an earlier version get the grace period."""
    now = now or timezone.now()
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.is_published:
            raise ValidationError(_("This version is already published."))
        newer = Agreement.objects.filter(tenant=tenant, partner_type_id=agreement.partner_type_id,
                                         published_at__isnull=False, version__gt=agreement.version)
        if newer.exists():
            raise ValidationError(_("A later version is already published; create a new version instead."))
        agreement.content_hash = content_hash(agreement.title, agreement.body)
        agreement.published_at = now
        agreement.published_by = actor
        agreement.reacceptance_due_at = now + timedelta(days=PartnerSettings.for_tenant(tenant).agreement_grace_days)
        agreement.save(update_fields=["content_hash", "published_at", "published_by", "reacceptance_due_at"])
        audit_log(tenant=tenant, actor=actor, action="agreement.publish", obj=agreement,
                  changes={"version": agreement.version, "hash": agreement.content_hash}, request=request)
        # Tell the partner admins who must (re-)accept it.
        partners = Partner.objects.filter(tenant=tenant, status__in=[Partner.Status.ONBOARDING, Partner.Status.ACTIVE])
        if agreement.partner_type_id:
            partners = partners.filter(partner_type_id=agreement.partner_type_id)
        else:
            typed = Agreement.objects.filter(tenant=tenant, published_at__isnull=False, partner_type__isnull=False)
            partners = partners.exclude(partner_type_id__in=typed.values("partner_type_id"))
        admins = (Membership.objects.filter(partner__in=partners, role=Role.PARTNER_ADMIN, is_active=True)
                  .select_related("user"))
        notify(
            tenant=tenant, users=[m.user for m in admins],
            title=_("Please review and accept the new program agreement (version %(version)s)") % {"version": agreement.version},
            body=agreement.summary_of_changes or "", url=reverse("partners:agreement"),
        )
    return agreement


def agreement_accept(*, tenant, partner: Partner, agreement: Agreement, user, shown_hash: str,
                     request=None) -> AgreementAcceptance:
    """Record e-acceptance by a partner admin of exactly the version they were shown."""
    if not Membership.objects.filter(tenant=tenant, partner=partner, user=user, role=Role.PARTNER_ADMIN,
                                     is_active=True).exists():
        raise ValidationError(_("Only a partner admin of your organisation can accept the agreement."))
    current = current_agreement(partner)
    if current is None or current.pk != agreement.pk or shown_hash != current.content_hash:
        raise ValidationError(_("The agreement changed while you were reading it. Please review the current version and accept again."))
    with transaction.atomic():
        acceptance, created = AgreementAcceptance.objects.get_or_create(
            tenant=tenant, agreement=current, partner=partner,
            defaults={
                "user": user, "accepted_at": timezone.now(), "ip_address": client_ip(request),
                "user_agent": (request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
                "content_hash": current.content_hash,
            },
        )
        if created:
            audit_log(tenant=tenant, actor=user, action="agreement.accept", obj=current,
                      changes={"partner": partner.name, "hash": current.content_hash}, request=request)
            record_event(tenant=tenant, kind="agreement_accepted", partner=partner, user=user, obj=current,
                         data={"version": current.version})
    return acceptance
