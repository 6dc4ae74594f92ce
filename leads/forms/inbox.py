"""Forms of the partner inbox and the lead page: thin; the rules are the services' (leads.services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deals.forms import DateInput
from deals.models import Product
from leads.models import Lead
from leads.services.workflow import MAX_CAPACITY
from prm.tenancy.models import Membership


def _describe_errors(form: forms.Form, auto_id: str = "id_%s") -> None:
    """Give the form's ids a prefix (several forms on one page share field names) and tie every
    input to its error slot (partials/field_errors.html, id `<field id>_errors`) and help text."""
    form.auto_id = auto_id
    for name, field in form.fields.items():
        ids = [f"{auto_id % name}_errors"] + ([f"{auto_id % name}_helptext"] if field.help_text else [])
        field.widget.attrs["aria-describedby"] = " ".join(ids)


class DeclineForm(forms.Form):
    """Decline an offer (or hand back an accepted lead): the reason is required."""

    reason = forms.CharField(
        label=_("Why do you decline?"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
        error_messages={"required": _("Say why you decline the lead; it helps route the next ones better.")},
        help_text=_("The lead goes to the next partner at once."))

    def __init__(self, *args, lead: Lead | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Several decline forms on one inbox page: ids stay unique per lead.
        _describe_errors(self, f"id_decline_{lead.pk.hex}_%s" if lead is not None else "id_decline_%s")


class StatusForm(forms.Form):
    """Move an owned lead on: working, or lost with a reason."""

    status = forms.ChoiceField(label=_("New status"), choices=[
        (Lead.Status.WORKING, _("Working: we are in touch with the customer")),
        (Lead.Status.LOST, _("Lost: the customer will not buy")),
    ], widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why was it lost?"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required when the lead is lost."))

    def __init__(self, *args, lead: Lead | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if lead is not None and lead.status == Lead.Status.WORKING:
            self.fields["status"].choices = [c for c in self.fields["status"].choices if c[0] == Lead.Status.LOST]
            self.initial.setdefault("status", Lead.Status.LOST)
        _describe_errors(self, "id_status_%s")

    def clean(self):
        data = super().clean()
        if data.get("status") == Lead.Status.LOST and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the lead was lost; it helps the whole program."))
        return data


class AssignForm(forms.Form):
    """A partner admin gives the lead to a colleague of the organisation."""

    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=get_user_model().objects.none(),
                                      empty_label=None)

    def __init__(self, *args, tenant, partner, **kwargs):
        super().__init__(*args, **kwargs)
        colleagues = Membership.objects.filter(tenant=tenant, partner=partner, is_active=True,
                                               user__is_active=True).values("user_id")
        self.fields["assignee"].queryset = get_user_model().objects.filter(pk__in=colleagues).order_by("email")
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.email
        _describe_errors(self, "id_assign_%s")


class CapacityForm(forms.Form):
    """The organisation's declared capacity (partner admins)."""

    max_open_leads = forms.IntegerField(
        label=_("Open leads at once"), min_value=0, max_value=MAX_CAPACITY,
        help_text=_("Leads awaiting acceptance or being worked; 0 pauses new leads."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _describe_errors(self)


class ConvertForm(forms.Form):
    """Convert an accepted lead into a protected deal registration."""

    amount = forms.DecimalField(label=_("Deal amount"), required=False, max_digits=20, decimal_places=2,
                                min_value=0, widget=forms.NumberInput(attrs={"step": "0.01", "min": "0",
                                                                             "inputmode": "decimal"}),
                                help_text=_("In the lead's currency; empty keeps the lead's estimate."))
    expected_close_date = forms.DateField(label=_("Expected close date"), widget=DateInput(),
                                          error_messages={"required": _("Enter the expected close date.")})
    products = forms.ModelMultipleChoiceField(label=_("Products"), queryset=Product.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, tenant, lead: Lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = Product.objects.filter(tenant=tenant, is_active=True).order_by("name")
        self.fields["amount"].label = _("Deal amount (%(currency)s)") % {"currency": lead.currency}
        self.fields["expected_close_date"].widget.attrs.update(min=timezone.localdate().isoformat(), required=True)
        if not self.is_bound:
            self.initial.setdefault("amount", lead.value_estimate)
            if lead.product_id:
                self.initial.setdefault("products", [lead.product_id])
        _describe_errors(self, "id_convert_%s")

