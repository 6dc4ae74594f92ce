"""Forms: thin wrappers whose rules come from the services (validate_registration etc.)."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from deals.models import DealPartner, DealRegistration, DealSettings, Product
from deals.services import validate_registration


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegistrationForm(forms.Form):
    """Deal registration (kind=deal) or the lighter referral form (kind=referral)."""

    customer_name = forms.CharField(label=_("Customer company"), max_length=200)
    website = forms.CharField(label=_("Website"), max_length=300, required=False,
                              help_text=_("e.g. acme.com. Used to recognise the customer."))
    # Callable: the names are listed in the language of each request, not of the process start.
    country = LazyTypedChoiceField(label=_("Country"), choices=lambda: [("", "—"), *countries], required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_title = forms.CharField(label=_("Contact title"), max_length=120, required=False)
    products = forms.ModelMultipleChoiceField(label=_("Products"), queryset=Product.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    amount = forms.DecimalField(label=_("Amount"), required=False, max_digits=20, decimal_places=6,
                                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}))
    currency = forms.ChoiceField(label=_("Currency"))
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False, widget=DateInput())
    stage = forms.ChoiceField(label=_("Sales stage"), choices=DealRegistration.Stage.choices,
                              initial=DealRegistration.Stage.QUALIFIED)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    nonce = forms.UUIDField(widget=forms.HiddenInput)

    REQUIRED_MESSAGES = {
        "customer_name": _("Enter the customer's company name."),
        "contact_name": _("Enter the name of your contact at the customer."),
        "contact_email": _("Enter your contact's email address."),
        "products": _("Choose at least one product."),
        "amount": _("Enter the expected deal amount."),
        "expected_close_date": _("Enter the expected close date."),
    }
    REFERRAL_FIELDS = ("customer_name", "website", "country", "contact_name", "contact_email", "contact_title",
                       "products", "amount", "currency", "notes", "nonce")

    def __init__(self, *args, tenant, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.kind = tenant, kind
        self.fields["products"].queryset = Product.objects.filter(tenant=tenant, is_active=True).order_by("name")
        self.fields["currency"].choices = [(c, c) for c in tenant.currencies]
        self.fields["currency"].initial = tenant.base_currency
        if not self.is_bound:
            self.initial.setdefault("nonce", uuid.uuid4())
        is_deal = kind == DealRegistration.Kind.DEAL
        if kind == DealRegistration.Kind.REFERRAL:
            for name in list(self.fields):
                if name not in self.REFERRAL_FIELDS:
                    del self.fields[name]
            self.fields["amount"].label = _("Estimated amount (optional)")
            self.fields["notes"].label = _("What does the customer need?")
        # Mark required fields for the label asterisk (the service decides; this mirrors it, with its wording).
        self.fields["customer_name"].required = True
        contact = DealSettings.for_tenant(tenant).deal_contact_required
        self.fields["contact_name"].required = contact
        self.fields["contact_email"].required = contact
        if is_deal:
            for name in ("products", "amount", "expected_close_date"):
                self.fields[name].required = True
            self.fields["expected_close_date"].widget.attrs["min"] = timezone.localdate().isoformat()
        for name, message in self.REQUIRED_MESSAGES.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message
        for name, f in self.fields.items():
            if f.required and not isinstance(f.widget, (forms.HiddenInput, forms.CheckboxSelectMultiple)):
                f.widget.attrs["required"] = True
            f.widget.attrs.setdefault("aria-describedby", f"id_{name}_errors")
        # Suggestions while typing the customer (house accounts, the partner's earlier customers):
        # htmx fetches the list, deals/static/deals/register.js makes the field a combobox. The
        # browser's own autofill list would cover it.
        self.fields["customer_name"].widget.attrs.update({
            "autocomplete": "off", "hx-get": reverse("deals:register_companies"),
            "hx-trigger": "input changed delay:250ms", "hx-target": "#company-suggestions", "hx-swap": "innerHTML",
            "hx-sync": "this:replace", "data-combobox": "company-suggestions",
        })

    def clean(self):
        data = super().clean()
        # The service's rules run even when some fields already failed, so every problem shows at once.
        try:
            cleaned = validate_registration(tenant=self.tenant, data=data, kind=self.kind)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, messages)
            return data
        data.update(cleaned)
        return data


class DecisionForm(forms.Form):
    ACTIONS = [("approve", _("Approve and protect")), ("reject", _("Reject")), ("info", _("Ask for more information"))]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect, label=_("Decision"))
    reason = forms.CharField(label=_("Reason / message to the partner"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             help_text=_("Required to reject or to ask for information."))
    override_similar = forms.BooleanField(
        label=_("These are different companies with similar names (approve despite a protected look-alike)"),
        required=False)


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=DecisionForm.ACTIONS, label=_("Action"))
    reason = forms.CharField(label=_("Reason / message"), required=False, max_length=2000)
    deals = forms.ModelMultipleChoiceField(queryset=DealRegistration.objects.none())

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deals"].queryset = queryset
        self.fields["deals"].error_messages["required"] = _("Select at least one registration.")
        self.fields["deals"].error_messages["invalid_choice"] = _("A selected registration is no longer waiting for a decision.")


class UpdateForm(forms.Form):
    stage = forms.ChoiceField(label=_("Sales stage"), choices=DealRegistration.Stage.choices)
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False, widget=DateInput())
    amount = forms.DecimalField(label=_("Amount"), required=False, max_digits=20, decimal_places=6,
                                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("won", _("Won")), ("lost", _("Lost"))], widget=forms.RadioSelect,
                                label=_("Outcome"))
    amount = forms.DecimalField(label=_("Final amount"), required=False, max_digits=20, decimal_places=6,
                                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}))
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DateInput())
    lost_reason = forms.CharField(label=_("Why was it lost?"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "won" and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the final amount."))
        return data


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=180, initial=30)
    reason = forms.CharField(label=_("Why does the deal need more time?"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class DecideForm(forms.Form):
    """Approve/decline an extension, or uphold/reverse an appeal."""

    decision = forms.ChoiceField(choices=[("yes", _("Approve")), ("no", _("Decline"))], widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AppealForm(forms.Form):
    comment = forms.CharField(label=_("Why should the decision change?"), widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=4000)


class RevertWonForm(forms.Form):
    reason = forms.CharField(label=_("Why is the win reverted?"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class RespondForm(forms.Form):
    response = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class DealPartnerForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=DealPartner.Role.choices)

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        from partners.selectors import partners_visible_to

        self.fields["partner"].queryset = partners_visible_to(viewer).order_by("name")


class HouseAccountImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: name, domain, note. A header row is optional."))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 5 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 5 MB."))
        return f


class DealSettingsForm(forms.ModelForm):
    """The deals section of the Settings page (registered in DealsConfig.ready())."""

    class Meta:
        model = DealSettings
        fields = ["deal_protection_days", "deal_approval_sla_days", "auto_approve_on_sla_breach",
                  "deal_contact_required"]
