"""Partner organisations, their types and tiers."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from prm.tenancy.models import TenantOwnedModel
from prm.uploads import image_validator


class PartnerType(TenantOwnedModel):
    """Reseller, referral, technology, consultant/influencer, MSP… editable per tenant."""

    name = models.CharField(_("name"), max_length=80)
    code = models.SlugField(_("code"), max_length=40)
    description = models.TextField(_("description"), blank=True)
    transacts = models.BooleanField(
        _("registers deals"), default=True,
        help_text=_("Referral partners and influencers submit referrals instead of transacting."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner type")
        verbose_name_plural = _("partner types")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="partnertype_unique_code"),
            models.UniqueConstraint(fields=["tenant", "name"], name="partnertype_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Tier(TenantOwnedModel):
    """An ordered program level with requirements and benefits (higher rank = higher tier)."""

    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("Higher is better; the entry tier is 1."))
    colour = models.CharField(_("colour"), max_length=7, default="#8a8a8a")
    # Requirements
    min_won_revenue_12m = models.DecimalField(
        _("won revenue, trailing 12 months"), max_digits=14, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))], help_text=_("In the tenant's base currency."),
    )
    min_active_certifications = models.PositiveIntegerField(_("active certifications"), default=0)
    min_health_score = models.PositiveSmallIntegerField(
        _("minimum health score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    # Benefits
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    mdf_eligible = models.BooleanField(_("MDF eligible"), default=False)
    deal_protection_days = models.PositiveIntegerField(
        _("deal protection days"), null=True, blank=True,
        help_text=_("Overrides the tenant's default protection period for this tier."),
    )
    description = models.TextField(_("benefits description"), blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "rank"], name="tier_unique_rank"),
            models.UniqueConstraint(fields=["tenant", "name"], name="tier_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


def partner_logo_path(instance: "Partner", filename: str) -> str:
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
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="partner_tenant_status"),
            models.Index(fields=["tenant", "tier"], name="partner_tenant_tier"),
        ]

    def __str__(self) -> str:
        return self.name
