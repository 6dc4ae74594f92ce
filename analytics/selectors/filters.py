"""Dashboard filters (period, tier, type, region) parsed from the query string by one form."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from partners.choices import REGIONS

PERIODS = [(30, _("Last 30 days")), (90, _("Last 90 days")), (365, _("Last 12 months"))]
DEFAULT_PERIOD = 90
WON_FIELDS = {30: "won_revenue_30", 90: "won_revenue_90", 365: "won_revenue_12m"}


@dataclass
class DashboardFilters:
    period: int = DEFAULT_PERIOD
    tier: object = None
    partner_type: object = None
    region: str = ""
    tiers: list = field(default_factory=list)
    types: list = field(default_factory=list)

    @property
    def won_field(self) -> str:
        return WON_FIELDS[self.period]

    @property
    def is_segmented(self) -> bool:
        return bool(self.tier or self.partner_type or self.region)

    def querystring(self) -> str:
        params = {"period": self.period}
        if self.tier is not None:
            params["tier"] = self.tier.pk
        if self.partner_type is not None:
            params["partner_type"] = self.partner_type.pk
        if self.region:
            params["region"] = self.region
        return urlencode(params)


class DashboardFilterForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Period"), choices=PERIODS, coerce=int, required=False,
                                    initial=DEFAULT_PERIOD)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    partner_type = forms.ChoiceField(label=_("Partner type"), required=False)
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("All regions")), *REGIONS], required=False)

    def __init__(self, data, *, tenant):
        from partners.models import PartnerType, Tier

        super().__init__(data)
        self.tiers = list(Tier.objects.filter(tenant=tenant).order_by("rank"))
        self.types = list(PartnerType.objects.filter(tenant=tenant).order_by("name"))
        self.fields["tier"].choices = [("", _("All tiers"))] + [(str(t.pk), t.name) for t in self.tiers]
        self.fields["partner_type"].choices = [("", _("All types"))] + [(str(t.pk), t.name) for t in self.types]
        for name in self.fields:
            self.fields[name].widget.attrs["id"] = f"filter-{name}"

    def filters(self) -> DashboardFilters:
        """The valid filters (an invalid value falls back to "all")."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        tiers = {str(t.pk): t for t in self.tiers}
        types = {str(t.pk): t for t in self.types}
        return DashboardFilters(
            period=data.get("period") or DEFAULT_PERIOD, tier=tiers.get(data.get("tier") or ""),
            partner_type=types.get(data.get("partner_type") or ""), region=data.get("region") or "",
            tiers=self.tiers, types=self.types,
        )
