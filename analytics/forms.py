"""Forms of the analytics pages: scoring settings, the tier what-if, and list filters."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from analytics.models import AnalyticsSettings
from analytics.services.program import SETTINGS_FIELDS


class SettingsForm(forms.ModelForm):
    class Meta:
        model = AnalyticsSettings
        fields = SETTINGS_FIELDS

    def clean(self):
        data = super().clean()
        weights = [data.get(f) or 0 for f in SETTINGS_FIELDS if f.startswith("weight_")]
        if not any(weights):
            raise forms.ValidationError(_("Give at least one component a weight above zero."))
        return data


class TierThresholdForm(forms.Form):
    """One tier's requirements in the what-if simulation (the tier is fixed by the form's prefix)."""

    min_won_revenue_12m = forms.DecimalField(
        label=_("Won revenue, 12 months"), min_value=Decimal("0"), max_digits=14, decimal_places=2,
        validators=[MaxValueValidator(Decimal("999999999999"))])
    min_active_certifications = forms.IntegerField(label=_("Active certifications"), min_value=0, max_value=1000)
    min_health_score = forms.IntegerField(label=_("Minimum health score"), required=False,
                                          validators=[MinValueValidator(0), MaxValueValidator(100)])

    def __init__(self, *args, tier, **kwargs):
        self.tier = tier
        kwargs.setdefault("initial", {"min_won_revenue_12m": tier.min_won_revenue_12m,
                                      "min_active_certifications": tier.min_active_certifications,
                                      "min_health_score": tier.min_health_score})
        super().__init__(*args, prefix=f"t{tier.rank}", **kwargs)


def threshold_forms(tiers: list, data=None) -> list[TierThresholdForm]:
    return [TierThresholdForm(data, tier=t) for t in tiers]


SCOPES = [("mine", _("My partners")), ("all", _("All partners"))]
RISKS = [("", _("Everyone")), ("at_risk", _("At risk only"))]


class MyPartnersFilterForm(forms.Form):
    scope = forms.ChoiceField(label=_("Show"), choices=SCOPES, required=False)
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    risk = forms.ChoiceField(label=_("Risk"), choices=RISKS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("Partner name")})
