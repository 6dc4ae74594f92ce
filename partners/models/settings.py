"""The tenant's partner-program settings (the Settings page's "Partner program" section)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy.app_settings import TenantSettings


class PartnerSettings(TenantSettings):
    """Grace periods, how tier changes are applied, and whether channel managers are confined to
    their book. Read with `PartnerSettings.for_tenant(tenant)` (one row per tenant, memoised for the
    request); the book rule reads its setting only through `partners.selectors.managers_confined_to_book`."""

    class TierEvaluation(models.TextChoices):
        AUTOMATIC = "automatic", _("Apply tier changes automatically")
        PROPOSE = "propose", _("Propose tier changes to a channel manager")

    tier_downgrade_grace_days = models.PositiveIntegerField(_("tier downgrade grace period (days)"), default=60)
    agreement_grace_days = models.PositiveIntegerField(_("agreement re-acceptance grace period (days)"), default=30)
    tier_evaluation = models.CharField(
        _("tier evaluation"), max_length=12, choices=TierEvaluation.choices, default=TierEvaluation.PROPOSE
    )
    restrict_managers_to_book = models.BooleanField(
        _("channel managers see only partners in their book"), default=False
    )

    class Meta(TenantSettings.Meta):
        verbose_name = _("partner program settings")
        verbose_name_plural = _("partner program settings")
