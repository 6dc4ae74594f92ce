"""The routing rule editor's forms: the rule itself and the dry run's choice of leads."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from deals.models import Product
from leads.choices import INDUSTRIES, SIZES
from leads.models import LeadRule
from leads.services.rules import MAX_POSITION, Sample
from partners.choices import REGIONS
from partners.models import Partner, PartnerType, Tier
from partners.selectors import partners_visible_to


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Tier) -> str:
        return str(_("%(tier)s or higher") % {"tier": obj.name})


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        if obj.status == Partner.Status.ACTIVE:
            return obj.name
        return f"{obj.name} ({obj.get_status_display()})"


class RuleForm(forms.ModelForm):
    """Every condition of a rule. Choices come from the request's tenant only, so another
    tenant's id is "not one of the choices" here; the service validates the rule as a whole."""

    countries = forms.MultipleChoiceField(
        label=_("Lead countries"), required=False, choices=lambda: list(countries),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("None chosen: any country. Hold Ctrl (Cmd on a Mac) to choose several."))
    regions = forms.MultipleChoiceField(label=_("Lead regions"), required=False, choices=REGIONS,
                                        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any region."))
    industries = forms.MultipleChoiceField(label=_("Industries"), required=False, choices=INDUSTRIES,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("None ticked: any industry."))
    sizes = forms.MultipleChoiceField(label=_("Company sizes"), required=False, choices=SIZES,
                                      widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any size."))
    product = forms.ModelChoiceField(label=_("Product interest"), queryset=Product.objects.none(), required=False,
                                     empty_label=_("Any product"))
    partner_type = forms.ModelChoiceField(label=_("Partner type"), queryset=PartnerType.objects.none(),
                                          required=False, empty_label=_("Any type"))
    min_tier = TierChoiceField(label=_("Minimum tier"), queryset=Tier.objects.none(), required=False,
                               empty_label=_("Any tier"))
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=MAX_POSITION,
                                  help_text=_("Rules are tried lowest first; the first that finds a partner wins."))
    strategy = forms.ChoiceField(label=_("Who gets the lead"), choices=LeadRule.Strategy.choices,
                                 widget=forms.RadioSelect)
    partner = PartnerChoiceField(label=_("Named partner"), queryset=Partner.objects.none(), required=False,
                                 empty_label=_("Choose a partner…"),
                                 help_text=_("Only for “A named partner”: that partner gets every lead the rule "
                                             "matches, whatever the partner conditions above."))

    class Meta:
        model = LeadRule
        fields = ["name", "is_active", "position", "countries", "regions", "industries", "sizes", "product",
                  "partner_type", "min_tier", "specialty", "match_territory", "strategy", "partner"]
        help_texts = {
            "name": _("Shown in every routing explanation, e.g. “Germany and Austria: Fabrikam”."),
            "specialty": _("Only partners with this specialty, e.g. security. Empty: any."),
            "is_active": _("Inactive rules are kept but route nothing."),
        }

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        tenant = viewer.tenant
        self.fields["product"].queryset = Product.objects.filter(tenant=tenant).order_by("name")
        self.fields["partner_type"].queryset = PartnerType.objects.filter(tenant=tenant).order_by("name")
        self.fields["min_tier"].queryset = Tier.objects.filter(tenant=tenant).order_by("rank", "name")
        offered = Q(status=Partner.Status.ACTIVE)
        if self.instance.partner_id:  # a rule naming a partner that has left still shows it
            offered |= Q(pk=self.instance.partner_id)
        self.fields["partner"].queryset = partners_visible_to(viewer).filter(offered).order_by("name", "pk")

    def _post_clean(self):
        # Only copy the values: the service validates the whole rule (tenant, strategy, partner).
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class DryRunForm(forms.Form):
    sample = forms.ChoiceField(label=_("Try it on"), choices=Sample.choices, required=False)

    def __init__(self, *args, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if form_id:  # the select sits outside that form but is sent with it
            self.fields["sample"].widget.attrs["form"] = form_id

    def sample_value(self) -> str:
        if self.is_valid() and self.cleaned_data.get("sample"):
            return self.cleaned_data["sample"]
        return Sample.RECENT
