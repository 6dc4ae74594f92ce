"""The tenant's lead settings (the Settings page's "Leads" section)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy.app_settings import TenantSettings


class LeadSettings(TenantSettings):
    """Read with `LeadSettings.for_tenant(tenant)` (one row per tenant, memoised for the request)."""

    lead_accept_hours = models.PositiveIntegerField(
        _("lead accept window (hours)"), default=48, validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("How long a partner has to accept or decline a lead before it moves on."))
    lead_business_hours = models.BooleanField(
        _("count the accept window on business days only"), default=True,
        help_text=_("Weekends do not count, as for the deal review deadline."))
    lead_fairness_floor = models.DecimalField(
        _("fairness floor (share of an equal split)"), max_digits=3, decimal_places=2, default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0.50: every eligible partner with capacity receives at least half of an equal share over "
                    "the rolling window, however its win rate compares."))
    lead_window_days = models.PositiveIntegerField(
        _("fairness window (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)])
    lead_prior_strength = models.DecimalField(
        _("win-rate prior strength (leads)"), max_digits=6, decimal_places=1, default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text=_("A partner's win rate starts at the program's rate as if measured on this many leads, so a "
                    "new partner is not starved and one lucky win does not flood a partner."))
    lead_default_capacity = models.PositiveIntegerField(
        _("default lead capacity"), default=10, validators=[MaxValueValidator(10000)],
        help_text=_("Open leads at once for partners that have not declared their capacity."))

    class Meta(TenantSettings.Meta):
        verbose_name = _("lead settings")
        verbose_name_plural = _("lead settings")
