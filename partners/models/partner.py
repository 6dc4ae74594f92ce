"""Partner organisations, their tier history, and the channel managers' books."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_scopes import ScopedManager
from guardian.managers import UserObjectPermissionManager
from guardian.models import UserObjectPermissionBase

from partners.choices import REVENUE_BANDS, region_label
from partners.models.program import PartnerType, Tier
from prm.tenancy.models import TenantOwnedModel
from prm.uploads import image_validator


def partner_logo_path(instance: Partner, filename: str) -> str:
    return f"tenants/{instance.tenant_id}/partners/{instance.pk}/logo"


class Partner(TenantOwnedModel):
    """A partner organisation."""

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CHURNED = "churned", _("Churned")

    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    domain = models.CharField(_("domain"), max_length=253, blank=True, help_text=_("Registrable domain of the website."))
    country = CountryField(_("country"), blank=True)
    partner_type = models.ForeignKey(PartnerType, on_delete=models.PROTECT, related_name="partners", verbose_name=_("type"))
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="partners", verbose_name=_("tier"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROSPECT)
    regions = models.JSONField(_("regions served"), default=list, blank=True)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to=partner_logo_path, blank=True, validators=[image_validator(2)])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("channel manager"),
    )
    revenue_band = models.CharField(_("revenue band"), max_length=10, choices=REVENUE_BANDS, blank=True)
    # The first person to talk to (from the application or an import); may not have an account yet.
    contact_name = models.CharField(_("primary contact"), max_length=150, blank=True)
    contact_email = models.EmailField(_("primary contact email"), blank=True)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "domain"], condition=~models.Q(domain=""), name="partner_unique_domain"
            ),
            # What tenant-owned rows that name a partner can reference together with their own tenant:
            # on PostgreSQL the health snapshots do (analytics migration 0009), so the database refuses
            # a snapshot whose partner belongs to another tenant.
            models.UniqueConstraint(fields=["tenant", "id"], name="partner_tenant_key"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="partner_tenant_status"),
            models.Index(fields=["tenant", "tier"], name="partner_tenant_tier"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_labels(self) -> list[str]:
        return [region_label(code) for code in self.regions or []]

    def profile_missing(self) -> list[str]:
        """What a partner admin still has to fill in for a complete profile (labels)."""
        missing = []
        for field in ("description", "website", "country"):
            if not getattr(self, field):
                missing.append(str(self._meta.get_field(field).verbose_name))
        if not self.regions:
            missing.append(str(_("regions served")))
        if not self.specialties:
            missing.append(str(_("specialties")))
        return missing


class TierChange(TenantOwnedModel):
    """Effective-dated tier history: who moved a partner from which tier to which, why, from when.

    Upgrades are applied at once; downgrades are scheduled after the tenant's grace period and
    applied by a periodic task, unless cancelled (e.g. the partner meets the requirements again).
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        APPLIED = "applied", _("Applied")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Channel manager")
        AUTOMATIC = "automatic", _("Automatic evaluation")
        IMPORT = "import", _("Import")
        ONBOARDING = "onboarding", _("Joined the program")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("from"))
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    effective_from = models.DateTimeField(_("effective from"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    # What the partner was missing for its current tier when a downgrade was scheduled (shown in the warning).
    missing = models.JSONField(_("missing requirements"), default=list, blank=True)

    class Meta:
        ordering = ["-effective_from", "-created_at"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier history")
        constraints = [
            # One pending downgrade per partner at a time.
            models.UniqueConstraint(fields=["tenant", "partner"], condition=models.Q(status="scheduled"),
                                    name="tierchange_one_scheduled"),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "effective_from"], name="tierchange_partner_time"),
            models.Index(fields=["tenant", "status", "effective_from"], name="tierchange_due"),
        ]

    def __str__(self) -> str:
        # No related lookups here: lists of history rows (admin delete pages) stay one query.
        return _("%(status)s tier change effective %(date)s") % {
            "status": self.get_status_display(), "date": f"{self.effective_from:%Y-%m-%d}" if self.effective_from else "—"}

    @property
    def is_downgrade(self) -> bool:
        return self.from_tier is not None and self.to_tier.rank < self.from_tier.rank


class PartnerUserObjectPermission(TenantOwnedModel, UserObjectPermissionBase):
    """django-guardian's direct foreign-key permission table for partners (a channel manager's book).

    Direct foreign keys keep the permission check a plain indexed join (the generic table gets slow).
    Rows are tenant-owned like everything else; unique and index columns lead with the tenant.
    """

    content_object = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="user_permissions")

    objects = ScopedManager(_manager_class=UserObjectPermissionManager, tenant="tenant")

    def __str__(self) -> str:
        return str(_("Book entry"))

    class Meta:
        verbose_name = _("partner book entry")
        verbose_name_plural = _("partner book")
        unique_together = ()
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "permission", "content_object"],
                                    name="partnerperm_unique"),
        ]
