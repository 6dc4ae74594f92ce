"""Forms of the partners app. Every field validates with a clear message; services re-check rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from partners.choices import MAX_SPECIALTIES, MAX_SPECIALTY_LENGTH, REGIONS, REVENUE_BANDS, normalise_specialties
from partners.models import Partner, PartnerSettings, PartnerType, Tier
from prm.domains import registrable_domain


class SpecialtiesField(forms.CharField):
    """Comma-separated specialties → a normalised list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 600)
        kwargs.setdefault("help_text", _("Separate them with commas, e.g. cloud, security, managed services."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):
        return normalise_specialties(super().to_python(value) or "")

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_SPECIALTIES:
            raise forms.ValidationError(_("List at most %(n)s specialties.") % {"n": MAX_SPECIALTIES})
        too_long = [v for v in value if len(v) > MAX_SPECIALTY_LENGTH]
        if too_long:
            raise forms.ValidationError(_("Keep each specialty under %(n)s characters (“%(value)s” is longer).") % {
                "n": MAX_SPECIALTY_LENGTH, "value": too_long[0]})

    def run_validators(self, value):
        return  # max_length applies to the raw text (checked in clean below)

    def clean(self, value):
        if value and len(value) > (self.max_length or 600):
            raise forms.ValidationError(_("The list is too long."))
        return super().clean(value)


def country_choices(blank: bool = True):
    choices = [(code, name) for code, name in countries]
    return ([("", _("Choose a country…"))] if blank else []) + choices


class WebsiteField(forms.URLField):
    """A website that must have a registrable domain (https:// is assumed when missing)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not registrable_domain(value):
            raise forms.ValidationError(_("Enter a website with a domain name, e.g. https://www.example.com."))


class ApplicationForm(forms.Form):
    """The public recruitment form. `nickname` is a honeypot: people never see or fill it."""

    company = forms.CharField(label=_("Company name"), max_length=200)
    website = WebsiteField(label=_("Company website"))
    country = forms.ChoiceField(label=_("Country (headquarters)"), choices=())
    regions = forms.MultipleChoiceField(label=_("Regions you serve"), choices=REGIONS,
                                        widget=forms.CheckboxSelectMultiple)
    specialties = SpecialtiesField(label=_("Specialties"), required=False)
    partner_type = forms.ModelChoiceField(label=_("How would you like to partner with us?"), queryset=PartnerType.objects.none(),
                                          empty_label=_("Choose a partnership type…"))
    employees = forms.IntegerField(label=_("Number of employees"), min_value=1, max_value=10_000_000)
    revenue_band = forms.ChoiceField(label=_("Annual revenue"), choices=[("", _("Choose a range…"))] + REVENUE_BANDS)
    contact_name = forms.CharField(label=_("Your name"), max_length=150)
    contact_email = forms.EmailField(label=_("Your business email"))
    message = forms.CharField(label=_("Anything else we should know?"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    nickname = forms.CharField(label=_("Leave this field empty"), required=False,
                               widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].queryset = PartnerType.objects.filter(tenant=tenant).order_by("name")
        self.fields["country"].choices = country_choices()

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("nickname"))

    def visible_fields(self):
        return [f for f in super().visible_fields() if f.name != "nickname"]


class ApplicationResponseForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))


class ApproveForm(forms.Form):
    partner_type = forms.ModelChoiceField(label=_("Partner type"), queryset=PartnerType.objects.none())
    tier = forms.ModelChoiceField(label=_("Starting tier"), queryset=Tier.objects.none(), required=False,
                                  empty_label=_("The entry tier"))
    note = forms.CharField(label=_("Note to the applicant (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].queryset = PartnerType.objects.filter(tenant=tenant).order_by("name")
        self.fields["tier"].queryset = Tier.objects.filter(tenant=tenant).order_by("rank")


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the applicant)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class InfoRequestForm(forms.Form):
    question = forms.CharField(label=_("What would you like to know? (sent to the applicant)"), max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))


class ProfileForm(forms.Form):
    description = forms.CharField(label=_("About your organisation"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    website = WebsiteField(label=_("Website"))
    country = forms.ChoiceField(label=_("Country"), choices=())
    regions = forms.MultipleChoiceField(label=_("Regions you serve"), choices=REGIONS,
                                        widget=forms.CheckboxSelectMultiple)
    specialties = SpecialtiesField(label=_("Specialties"))
    employees = forms.IntegerField(label=_("Employees"), min_value=1, max_value=10_000_000, required=False)
    logo = forms.FileField(label=_("Logo"), required=False,
                           help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB. Used on co-branded material."))
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()

    def clean_logo(self):
        from prm.uploads import validate_upload

        logo = self.cleaned_data.get("logo")
        if logo:
            # Decided by the file's content, not its name or the browser's claim.
            validate_upload(logo, kinds={"image"}, max_mb=2)
        return logo

    @classmethod
    def initial_for(cls, partner: Partner) -> dict:
        return {"description": partner.description, "website": partner.website, "country": partner.country.code or "",
                "regions": partner.regions, "specialties": partner.specialties, "employees": partner.employees}


class TierChangeForm(forms.Form):
    to_tier = forms.ModelChoiceField(label=_("New tier"), queryset=Tier.objects.none())
    reason = forms.CharField(label=_("Reason (shown to the partner)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_tier"].queryset = Tier.objects.filter(tenant=tenant).order_by("rank")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Partner.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ManagerForm(forms.Form):
    manager = forms.ModelChoiceField(label=_("Channel manager"), queryset=None)

    def __init__(self, *args, managers, label=None, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = managers
        self.fields["manager"].required = required
        if label:
            self.fields["manager"].label = label


class StepTickForm(forms.Form):
    step = forms.ModelChoiceField(queryset=None, label=_("Step"))

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = steps


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, domain or contact")}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status"))] + Partner.Status.choices)
    partner_type = forms.ModelChoiceField(label=_("Type"), required=False, queryset=PartnerType.objects.none(),
                                          empty_label=_("Any type"))
    tier = forms.ModelChoiceField(label=_("Tier"), required=False, queryset=Tier.objects.none(), empty_label=_("Any tier"))
    country = forms.ChoiceField(label=_("Country"), required=False, choices=())
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[("", _("Any region"))] + REGIONS)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].queryset = PartnerType.objects.filter(tenant=tenant).order_by("name")
        self.fields["tier"].queryset = Tier.objects.filter(tenant=tenant).order_by("rank")
        self.fields["country"].choices = [("", _("Any country"))] + country_choices(blank=False)

    def filters(self, user) -> dict:
        """Keyword arguments for selectors.partner_list (invalid values are simply ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": data.get("q", ""), "status": data.get("status", ""), "partner_type": data.get("partner_type"),
            "tier": data.get("tier"), "country": data.get("country", ""), "region": data.get("region", ""),
            "owner": user if data.get("mine") else None,
        }


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 CSV with a header row; at most 20 MB."))
    send_invitations = forms.BooleanField(label=_("Invite each new partner's contact as partner admin"), required=False)


class AgreementAcceptForm(forms.Form):
    accept = forms.BooleanField(label=_("I have read the agreement and accept it on behalf of my organisation."))
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)


class PartnerSettingsForm(forms.ModelForm):
    """The partner program section of the Settings page (registered in PartnersConfig.ready())."""

    class Meta:
        model = PartnerSettings
        fields = ["tier_downgrade_grace_days", "agreement_grace_days", "tier_evaluation", "restrict_managers_to_book"]
