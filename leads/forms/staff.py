"""Forms of the staff lead pages: the lead form (create and edit), the bulk bar, reassignment."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from deals.models import Product
from leads.choices import INDUSTRIES, SIZES
from leads.models import Lead
from leads.models.lead import MAX_VALUE
from leads.services.edit import BULK_ASSIGN, BULK_REASSIGN, BULK_ROUTE, EDITABLE_FIELDS
from partners.choices import REGIONS
from prm.tenancy.roles import MANAGER_ROLES

BULK_MAX = 200


class UUIDChoiceField(forms.ModelChoiceField):
    """A choice by UUID: a malformed id is an invalid choice like an unknown one (not the model
    field's UUID message)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if exc.code == "invalid_choice":
                raise
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class LeadsChoiceField(forms.ModelMultipleChoiceField):
    """The selected leads; a malformed id reads like a lead that is gone."""

    def _check_values(self, value):
        for pk in value:
            try:
                uuid.UUID(str(pk))
            except ValueError:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk}) from None
        return super()._check_values(value)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


def staff_owners(tenant):
    """Who may own a lead: the tenant's active channel managers and tenant admins."""
    return (get_user_model().objects.filter(memberships__tenant=tenant, memberships__is_active=True,
                                            memberships__role__in=list(MANAGER_ROLES), is_active=True)
            .distinct().order_by("full_name", "email"))


class LeadForm(forms.Form):
    """A lead as staff enter it (create) or correct it (edit). The service validates; the fields
    here only shape the input, with the service's field names so its errors land in place."""

    company_name = forms.CharField(label=_("Company"), max_length=200)
    website = forms.CharField(label=_("Website"), max_length=300, required=False,
                              help_text=_("e.g. acme.com. Used to recognise the company and find duplicates."))
    # Callable: the names are listed in the language of each request, not of the process start.
    country = LazyTypedChoiceField(label=_("Country"), choices=lambda: [("", "—"), *countries], required=False)
    region = forms.ChoiceField(label=_("Region"), choices=[("", "—"), *REGIONS], required=False,
                               help_text=_("Leave empty to derive it from the country."))
    industry = forms.ChoiceField(label=_("Industry"), choices=[("", "—"), *INDUSTRIES], required=False)
    company_size = forms.ChoiceField(label=_("Company size"), choices=[("", "—"), *SIZES], required=False)
    product = forms.ModelChoiceField(label=_("Product interest"), queryset=Product.objects.none(), required=False,
                                     empty_label="—")
    contact_name = forms.CharField(label=_("Contact name"), max_length=120, required=False)
    contact_email = forms.CharField(label=_("Contact email"), max_length=254, required=False,
                                    widget=forms.EmailInput())
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    contact_title = forms.CharField(label=_("Contact title"), max_length=120, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Lead.Source.choices, initial=Lead.Source.OTHER)
    value_estimate = forms.DecimalField(
        label=_("Estimated value"), required=False, min_value=0, max_value=MAX_VALUE, max_digits=14, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}))
    currency = forms.ChoiceField(label=_("Currency"))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    owner = StaffChoiceField(label=_("Lead owner"), queryset=get_user_model().objects.none(), required=False,
                             empty_label=_("Nobody"),
                             help_text=_("The channel manager who hears when nobody takes the lead."))
    route = forms.BooleanField(label=_("Route it now by the rules"), required=False, initial=True)
    allow_duplicate = forms.BooleanField(
        label=_("Create it anyway: this is a different opportunity"), required=False)

    def __init__(self, *args, tenant, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.editing = tenant, editing
        self.fields["product"].queryset = Product.objects.filter(tenant=tenant, is_active=True).order_by("name")
        self.fields["currency"].choices = [(c, c) for c in tenant.currencies]
        self.fields["currency"].initial = tenant.base_currency
        self.fields["owner"].queryset = staff_owners(tenant)
        self.fields["company_name"].error_messages["required"] = _("Enter the prospect's company name.")
        if editing:
            del self.fields["route"]
            self.fields["allow_duplicate"].label = _("Save anyway: this is a different opportunity")
        for name, f in self.fields.items():
            if f.required:
                f.widget.attrs["required"] = True
            f.widget.attrs.setdefault("aria-describedby", f"id_{name}_errors")

    @classmethod
    def initial_for(cls, lead: Lead) -> dict:
        data = {name: getattr(lead, name) for name in EDITABLE_FIELDS if name not in ("product", "country")}
        data.update(product=lead.product_id, country=lead.country.code if lead.country else "", owner=lead.owner_id)
        return data

    def service_data(self) -> dict:
        """The cleaned values in the shape validate_lead takes."""
        data = {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS}
        data["value_estimate"] = "" if data["value_estimate"] is None else data["value_estimate"]
        return data


class BulkForm(forms.Form):
    ACTIONS = [(BULK_ROUTE, _("Route by the rules (unassigned leads)")),
               (BULK_ASSIGN, _("Offer to a partner")),
               (BULK_REASSIGN, _("Reassign to the next candidate"))]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    partner = UUIDChoiceField(label=_("Partner"), queryset=None, required=False,
                                     empty_label=_("Choose a partner (to offer to)"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    take_back = forms.BooleanField(label=_("Also take back leads a partner has accepted"), required=False)
    leads = LeadsChoiceField(queryset=None)

    def __init__(self, *args, leads, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = leads
        self.fields["partner"].queryset = partners
        self.fields["leads"].error_messages.update(
            required=_("Select at least one lead."),
            invalid_choice=_("A selected lead no longer exists or is not visible to you; reload the list."),
            invalid_pk_value=_("A selected lead no longer exists or is not visible to you; reload the list."))
        self.fields["partner"].error_messages["invalid_choice"] = _("Choose an active partner from the list.")

    def clean_leads(self):
        leads = self.cleaned_data["leads"]
        if len(self.data.getlist("leads")) > BULK_MAX:
            raise forms.ValidationError(_("Select at most %(n)d leads at a time.") % {"n": BULK_MAX})
        return leads

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == BULK_ASSIGN and not data.get("partner"):
            self.add_error("partner", _("Choose the partner to offer the selected leads to."))
        if action in (BULK_ASSIGN, BULK_REASSIGN) and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the leads move; the reason is kept in each lead's history."))
        return data


class ReassignForm(forms.Form):
    partner = UUIDChoiceField(label=_("Offer to"), queryset=None, required=False,
                                     empty_label=_("The next candidate of the rules"))
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say why the lead moves; the reason is kept in its "
                                                           "history.")})
    take_back = forms.BooleanField(label=_("Take it back from the partner who accepted it"), required=False)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["partner"].error_messages["invalid_choice"] = _("Choose an active partner from the list.")

    @classmethod
    def for_lead(cls, data, *, viewer, lead: Lead) -> ReassignForm:
        """The form of the lead page and of leads:reassign: the active partners this member may
        see, other than the one the lead is with."""
        from partners.selectors import partners_visible_to

        partners = partners_visible_to(viewer).filter(status="active").order_by("name")
        if lead.partner_id is not None:
            partners = partners.exclude(pk=lead.partner_id)
        return cls(data, partners=partners)
