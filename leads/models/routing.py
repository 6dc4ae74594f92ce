"""Routing configuration: the tenant's ordered rules, each partner's declared capacity, and the
fairness ledger (what each partner received against what it was due, per day)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from leads.choices import INDUSTRY_CODES, SIZE_CODES
from partners.choices import REGION_CODES, normalise_specialties
from prm.tenancy.models import TenantOwnedModel


class LeadRule(TenantOwnedModel):
    """Ordered: the first active rule whose conditions match a lead and that finds a partner routes
    it. Empty conditions match everything (a catch-all at the end)."""

    class Strategy(models.TextChoices):
        NAMED = "named", _("A named partner")
        ROUND_ROBIN = "round_robin", _("Round robin among the eligible")
        PERFORMANCE = "performance", _("Performance-weighted (win rate, capacity, fairness floor)")

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("order"), default=0, help_text=_("Rules are tried lowest first."))
    is_active = models.BooleanField(_("active"), default=True)
    # Which leads (empty = any)
    countries = models.JSONField(_("countries"), default=list, blank=True, help_text=_("ISO codes, e.g. DE, AT."))
    regions = models.JSONField(_("regions"), default=list, blank=True)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    sizes = models.JSONField(_("company sizes"), default=list, blank=True)
    product = models.ForeignKey("deals.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("product interest"))
    # Which partners (empty = any active partner)
    partner_type = models.ForeignKey("partners.PartnerType", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("partner type"))
    min_tier = models.ForeignKey("partners.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("minimum tier"))
    specialty = models.CharField(_("specialty"), max_length=40, blank=True)
    match_territory = models.BooleanField(
        _("partner must serve the lead's territory"), default=True,
        help_text=_("The partner is based in the lead's country or serves its region."))
    strategy = models.CharField(_("strategy"), max_length=12, choices=Strategy.choices, default=Strategy.PERFORMANCE)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", verbose_name=_("named partner"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        indexes = [models.Index(fields=["tenant", "position"], name="leads_rule_position")]

    def __str__(self) -> str:
        return self.name

    def matches(self, lead) -> bool:
        """Whether the lead meets the rule's lead conditions (no query)."""
        country = lead.country.code if lead.country else ""
        if self.countries and country not in self.countries:
            return False
        if self.regions and lead.effective_region not in self.regions:
            return False
        if self.industries and lead.industry not in self.industries:
            return False
        if self.sizes and lead.company_size not in self.sizes:
            return False
        return not (self.product_id and lead.product_id != self.product_id)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.countries = sorted({str(c).strip().upper() for c in self.countries or [] if str(c).strip()})
        unknown = [c for c in self.countries if c not in countries]
        if unknown:
            errors["countries"] = _("Unknown country code(s): %(codes)s.") % {"codes": ", ".join(unknown)}
        for field, known in (("regions", REGION_CODES), ("industries", INDUSTRY_CODES), ("sizes", SIZE_CODES)):
            values = list(dict.fromkeys(str(v).strip() for v in getattr(self, field) or [] if str(v).strip()))
            setattr(self, field, values)
            if any(v not in known for v in values):
                errors[field] = _("Choose from the list.")
        self.specialty = (normalise_specialties(self.specialty or "") or [""])[0]
        if self.strategy == self.Strategy.NAMED and not self.partner_id:
            errors["partner"] = _("Choose the partner that receives these leads.")
        if self.strategy != self.Strategy.NAMED and self.partner_id:
            errors["partner"] = _("Only the named-partner strategy sends leads to one partner.")
        for field in ("product", "partner_type", "min_tier", "partner"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and self.tenant_id and related.tenant_id != self.tenant_id:
                errors[field] = _("Unknown object.")
        if errors:
            raise ValidationError(errors)


class PartnerLeadProfile(TenantOwnedModel):
    """A partner's declared lead capacity (kept here: leads adds no field to partners' models)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("partner"))
    max_open_leads = models.PositiveIntegerField(
        _("open leads at once"), help_text=_("Leads awaiting acceptance or being worked; 0 pauses new leads."))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("partner lead capacity")
        verbose_name_plural = _("partner lead capacities")
        constraints = [models.UniqueConstraint(fields=["tenant", "partner"], name="leads_profile_one_per_partner")]

    def __str__(self) -> str:
        return str(_("%(n)d open leads at once") % {"n": self.max_open_leads})


class LeadShare(TenantOwnedModel):
    """Per partner and day: leads received, and leads it was due (each routed lead adds 1/k to each
    of the k eligible partners with capacity). Summed over the rolling window for the fairness floor
    and the share report, so neither has to keep every candidate of every lead."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    received = models.PositiveIntegerField(default=0)
    due = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("lead share")
        verbose_name_plural = _("lead shares")
        constraints = [models.UniqueConstraint(fields=["tenant", "partner", "day"], name="leads_share_one_per_day")]
        indexes = [models.Index(fields=["tenant", "day"], name="leads_share_day")]
