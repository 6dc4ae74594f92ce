"""SPIF programs (sales incentives paid per won deal), their accruals and payout batches."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incentives.money import DECIMAL_PLACES, MAX_DIGITS, minor_unit
from prm.tenancy.models import TenantOwnedModel, currency_code


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)


PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class SpifProgram(TenantOwnedModel):
    """A sales incentive: partners earn an amount for every eligible deal won within the period."""

    class Rule(models.TextChoices):
        FLAT = "flat", _("Flat amount per won deal")
        PERCENT = "percent", _("Percentage of the won deal's value")
        BANDS = "bands", _("Bands by deal size")

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True,
                                   help_text=_("Shown to eligible partners on their incentive statement."))
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"), help_text=_("Deals closed (won) from the start to this date count."))
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("Paused programs accrue nothing; existing accruals stay."))
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices, default=Rule.FLAT)
    flat_amount = money_field(_("flat amount"), null=True, blank=True,
                              validators=[MinValueValidator(Decimal("0.001"))])
    percent = models.DecimalField(_("percentage"), max_digits=6, decimal_places=3, null=True, blank=True,
                                  validators=PERCENT_VALIDATORS, help_text=_("Of the deal's value in the base currency."))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code], editable=False,
                                help_text=_("The tenant's base currency when the program was created."))
    cap_per_partner = money_field(_("cap per partner"), null=True, blank=True,
                                  validators=[MinValueValidator(Decimal("0.001"))],
                                  help_text=_("Most one partner can earn in this program. Empty: no cap."))
    budget = money_field(_("program budget"), validators=[MinValueValidator(Decimal("0.001"))])
    tiers = models.ManyToManyField("partners.Tier", through="SpifProgramTier", related_name="+", blank=True,
                                   verbose_name=_("eligible tiers"))
    partner_types = models.ManyToManyField("partners.PartnerType", through="SpifProgramPartnerType", related_name="+",
                                           blank=True, verbose_name=_("eligible partner types"))
    products = models.ManyToManyField("deals.Product", through="SpifProgramProduct", related_name="+", blank=True,
                                      verbose_name=_("products"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("SPIF program")
        verbose_name_plural = _("SPIF programs")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="incentives_program_unique_name"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="incentives_program_period"),
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="incentives_program_budget_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "is_active", "start_date", "end_date"], name="incentives_program_period_ix")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The program cannot end before it starts.")
        if self.rule == self.Rule.FLAT and not self.flat_amount:
            errors["flat_amount"] = _("Enter the amount paid per won deal.")
        if self.rule == self.Rule.PERCENT and not self.percent:
            errors["percent"] = _("Enter the percentage of the deal value.")
        places = minor_unit(self.currency or "USD")
        for name in ("flat_amount", "cap_per_partner", "budget"):
            value = getattr(self, name)
            if value is not None and value != round(value, places):
                errors[name] = _("At most %(places)d decimal places in %(currency)s.") % {
                    "places": places, "currency": self.currency}
        if errors:
            raise ValidationError(errors)

    def is_open_on(self, day) -> bool:
        return self.is_active and self.start_date <= day <= self.end_date


class SpifProgramTier(TenantOwnedModel):
    program = models.ForeignKey(SpifProgram, on_delete=models.CASCADE, related_name="tier_links")
    tier = models.ForeignKey("partners.Tier", on_delete=models.CASCADE, related_name="+", verbose_name=_("tier"))

    class Meta:
        verbose_name = _("eligible tier")
        verbose_name_plural = _("eligible tiers (empty: every tier)")
        constraints = [models.UniqueConstraint(fields=["tenant", "program", "tier"], name="incentives_programtier_unique")]

    def __str__(self) -> str:
        return str(self.tier_id)


class SpifProgramPartnerType(TenantOwnedModel):
    program = models.ForeignKey(SpifProgram, on_delete=models.CASCADE, related_name="type_links")
    partner_type = models.ForeignKey("partners.PartnerType", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("partner type"))

    class Meta:
        verbose_name = _("eligible partner type")
        verbose_name_plural = _("eligible partner types (empty: every type)")
        constraints = [models.UniqueConstraint(fields=["tenant", "program", "partner_type"],
                                               name="incentives_programtype_unique")]

    def __str__(self) -> str:
        return str(self.partner_type_id)


class SpifProgramProduct(TenantOwnedModel):
    program = models.ForeignKey(SpifProgram, on_delete=models.CASCADE, related_name="product_links")
    product = models.ForeignKey("deals.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product"))

    class Meta:
        verbose_name = _("product filter")
        verbose_name_plural = _("product filter (empty: every product)")
        constraints = [models.UniqueConstraint(fields=["tenant", "program", "product"],
                                               name="incentives_programproduct_unique")]

    def __str__(self) -> str:
        return str(self.product_id)


class SpifBand(TenantOwnedModel):
    """From a deal size up: a flat amount plus a percentage (the highest band reached applies)."""

    program = models.ForeignKey(SpifProgram, on_delete=models.CASCADE, related_name="bands")
    min_amount = money_field(_("deal size from"), validators=[MinValueValidator(Decimal("0"))],
                             help_text=_("In the base currency, inclusive."))
    amount = money_field(_("flat amount"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    percent = models.DecimalField(_("percentage"), max_digits=6, decimal_places=3, default=Decimal("0"),
                                  validators=PERCENT_VALIDATORS)

    class Meta:
        ordering = ["program", "min_amount"]
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "program", "min_amount"], name="incentives_band_unique_min"),
            models.CheckConstraint(condition=models.Q(amount__gte=0, percent__gte=0, min_amount__gte=0),
                                   name="incentives_band_non_negative"),
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_amount}: {self.amount} + {self.percent}%"


class PayoutBatch(TenantOwnedModel):
    """Accruals a channel manager approved together; paid (and exported) as one payment run."""

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved, awaiting payment")
        PAID = "paid", _("Paid")

    reference = models.CharField(_("reference"), max_length=40)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPROVED)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("approved by"))
    created_at = models.DateTimeField(_("approved"), default=timezone.now)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("marked paid by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        constraints = [models.UniqueConstraint(fields=["tenant", "reference"], name="incentives_batch_unique_ref")]
        indexes = [models.Index(fields=["tenant", "status", "created_at"], name="incentives_batch_status")]

    def __str__(self) -> str:
        return self.reference


class SpifAccrual(TenantOwnedModel):
    """What one won deal earned in one program. Exactly one row per (program, deal), ever."""

    class Status(models.TextChoices):
        ACCRUED = "accrued", _("Pending approval")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        REVERSED = "reversed", _("Reversed (deal no longer won)")
        REJECTED = "rejected", _("Rejected by a channel manager")
        CAPPED = "capped", _("Nothing earned (cap or budget reached)")

    OPEN_STATUSES = ("accrued", "approved", "paid")

    program = models.ForeignKey(SpifProgram, on_delete=models.PROTECT, related_name="accruals")
    deal = models.ForeignKey("deals.DealRegistration", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    deal_value = money_field(_("deal value"), null=True, blank=True,
                             help_text=_("The won deal's value in the base currency when it accrued."))
    calculated_amount = money_field(_("calculated by the rule"))
    amount = money_field(_("amount"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCRUED)
    note = models.CharField(_("note"), max_length=300, blank=True)
    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="accruals")
    accrued_at = models.DateTimeField(_("accrued"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reversal_reason = models.CharField(_("reversal reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-accrued_at"]
        verbose_name = _("SPIF accrual")
        verbose_name_plural = _("SPIF accruals")
        constraints = [
            # Idempotence in the database: however often a deal is won, re-saved or re-evaluated.
            models.UniqueConstraint(fields=["tenant", "program", "deal"], name="incentives_accrual_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0, calculated_amount__gte=0),
                                   name="incentives_accrual_non_negative"),
            models.CheckConstraint(condition=models.Q(amount__lte=models.F("calculated_amount")),
                                   name="incentives_accrual_within_rule"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "accrued_at"], name="incentives_accrual_status"),
            models.Index(fields=["tenant", "partner", "program"], name="incentives_accrual_partner"),
            models.Index(fields=["tenant", "deal"], name="incentives_accrual_deal"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} / {self.deal_id}: {self.amount} {self.currency}"
