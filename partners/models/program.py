"""Program configuration: partner types, ordered tiers, and the ideal partner profile."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.choices import REGIONS, REVENUE_BANDS
from prm.tenancy.models import TenantOwnedModel

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


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
    colour = models.CharField(_("colour"), max_length=7, default="#8a8a8a", validators=[hex_colour])
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


class IdealPartnerProfile(TenantOwnedModel):
    """The tenant's picture of a good partner: a base score adjusted by weighted criteria."""

    name = models.CharField(_("name"), max_length=120, default=_("Ideal partner profile"))
    base_score = models.PositiveSmallIntegerField(
        _("base score"), default=50, validators=[MaxValueValidator(100)],
        help_text=_("Every application starts here; each criterion then adds or subtracts points (the result is kept within 0–100)."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("ideal partner profile")
        verbose_name_plural = _("ideal partner profile")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="idealprofile_one_per_tenant")]

    def __str__(self) -> str:
        return str(self.name)


class IdealProfileCriterion(TenantOwnedModel):
    """One weighted criterion: points when the applicant matches, a penalty when it does not."""

    class Kind(models.TextChoices):
        REGION = "region", _("Serves a region")
        SPECIALTY = "specialty", _("Has a specialty")
        COMPANY_SIZE = "company_size", _("Company size (employees)")
        PARTNER_TYPE = "partner_type", _("Partner type")
        REVENUE_BAND = "revenue_band", _("Revenue band")

    profile = models.ForeignKey(IdealPartnerProfile, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("criterion"), max_length=20, choices=Kind.choices)
    region = models.CharField(_("region"), max_length=8, choices=REGIONS, blank=True)
    specialty = models.CharField(_("specialty"), max_length=40, blank=True)
    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("partner type")
    )
    revenue_band = models.CharField(_("revenue band"), max_length=10, choices=REVENUE_BANDS, blank=True)
    min_employees = models.PositiveIntegerField(_("minimum employees"), null=True, blank=True)
    max_employees = models.PositiveIntegerField(_("maximum employees"), null=True, blank=True)
    points_match = models.SmallIntegerField(
        _("points when matched"), default=10, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    points_miss = models.SmallIntegerField(
        _("penalty when not matched"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Subtracted from the score when the applicant does not match."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "kind"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        if self.kind == self.Kind.PARTNER_TYPE:
            return str(self.get_kind_display())  # no related lookup in lists
        return f"{self.get_kind_display()}: {self.value_label()}"

    def value_label(self) -> str:
        k = self.Kind
        if self.kind == k.REGION:
            return self.get_region_display()
        if self.kind == k.SPECIALTY:
            return self.specialty
        if self.kind == k.PARTNER_TYPE:
            return str(self.partner_type) if self.partner_type_id else ""
        if self.kind == k.REVENUE_BAND:
            return self.get_revenue_band_display()
        low = self.min_employees if self.min_employees is not None else 0
        return f"{low}–{self.max_employees}" if self.max_employees is not None else f"{low}+"

    def clean(self) -> None:
        k = self.Kind
        required = {
            k.REGION: "region", k.SPECIALTY: "specialty", k.PARTNER_TYPE: "partner_type",
            k.REVENUE_BAND: "revenue_band",
        }
        field = required.get(self.kind)
        if field and not getattr(self, field if field != "partner_type" else "partner_type_id"):
            raise ValidationError({field: _("Set this value for a “%(kind)s” criterion.") % {"kind": self.get_kind_display()}})
        if self.kind == k.COMPANY_SIZE:
            if self.min_employees is None and self.max_employees is None:
                raise ValidationError({"min_employees": _("Set a minimum and/or a maximum number of employees.")})
            if (self.min_employees is not None and self.max_employees is not None
                    and self.min_employees > self.max_employees):
                raise ValidationError({"max_employees": _("The maximum must not be below the minimum.")})
        self.specialty = self.specialty.strip().lower()
        if self.points_match == 0 and self.points_miss == 0:
            raise ValidationError(_("Give the criterion points when matched or a penalty when not matched."))
