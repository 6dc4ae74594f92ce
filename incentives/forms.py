"""Forms: thin wrappers whose rules come from the services (validate_request, validate_proof…)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deals.models import DealRegistration, Product
from incentives import services
from incentives.models import JournalEntry, MdfAllocation, MdfFund, MdfRequest, SpifAccrual, SpifProgram
from incentives.money import MAX_AMOUNT
from partners.models import Partner, PartnerType, Tier

BANDS = 5


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def money_field(label, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    """Amounts arrive as typed; the services refuse negatives, zero and extra decimals with a message."""
    return forms.DecimalField(label=label, required=required, help_text=help_text, max_digits=20, decimal_places=6,
                              widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,"
                                                                       ".pptx,.csv,.txt"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


# --- Partner forms -----------------------------------------------------------------------------------


class MdfRequestForm(forms.Form):
    allocation = forms.ModelChoiceField(label=_("Fund"), queryset=MdfAllocation.objects.none(),
                                        empty_label=None)
    activity_type = forms.ChoiceField(label=_("Activity type"), choices=MdfRequest.ActivityType.choices)
    title = forms.CharField(label=_("Activity"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                                  help_text=_("Audience, channels, goals and how you will measure them."))
    start_date = forms.DateField(label=_("Starts"), widget=DateInput())
    end_date = forms.DateField(label=_("Ends"), widget=DateInput())
    requested_amount = money_field(_("Requested amount"))
    expected_leads = forms.IntegerField(label=_("Expected leads"), min_value=0, max_value=1_000_000, initial=0)
    nonce = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, partner: Partner, allocations: list[MdfAllocation], **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.fields["allocation"].queryset = MdfAllocation.objects.filter(
            pk__in=[a.pk for a in allocations]).select_related("fund")
        self.fields["allocation"].label_from_instance = lambda a: _("%(fund)s (%(currency)s)") % {
            "fund": a.fund.name, "currency": a.currency}

    def clean(self):
        data = super().clean()
        try:
            services.validate_request(partner=self.partner, data=data, today=timezone.localdate())
        except ValidationError as exc:
            # The service's rules (amount, dates within the fund's period…) for fields the form itself accepted.
            for field, errors in exc.message_dict.items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, errors)
        return data


class ClaimForm(forms.Form):
    actual_cost = money_field(_("Actual cost"), help_text=_("What the activity really cost (before reimbursement)."))
    leads_generated = forms.IntegerField(label=_("Leads generated"), min_value=0, max_value=1_000_000, initial=0)
    results = forms.CharField(label=_("Results"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                              help_text=_("Attendance, reach, leads and opportunities."))
    files = MultipleFileField(label=_("Proof of performance"), required=False, help_text=_(
        "Invoices, photos, attendee lists: PDF, images, Office documents or CSV, up to %(mb)s MB each.") % {
        "mb": services.mdf.proof_max_mb()})

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        try:
            services.validate_proof(files)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("files", exc.messages)) from None
        return files


class DealLinkForm(forms.Form):
    deal = forms.ModelChoiceField(label=_("Deal"), queryset=DealRegistration.objects.none())

    def __init__(self, *args, mdf_request: MdfRequest, **kwargs):
        super().__init__(*args, **kwargs)
        linked = mdf_request.deal_links.values("deal_id")
        self.fields["deal"].queryset = (DealRegistration.objects.filter(
            tenant_id=mdf_request.tenant_id, partner_id=mdf_request.partner_id).exclude(pk__in=linked)
            .order_by("-submitted_at"))
        self.fields["deal"].label_from_instance = lambda d: f"{d.customer_name} ({d.get_status_display()})"


# --- Staff decisions -------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))],
                                 widget=forms.RadioSelect, initial="approve")
    amount = money_field(_("Amount"), required=False, help_text=_("Leave as proposed, or adjust it."))
    note = forms.CharField(label=_("Note to the partner"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000, help_text=_("Required when rejecting."))


class ReimburseForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False,
                                        help_text=_("e.g. the bank transfer or credit note number."))


class AccrualRejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RecoverForm(forms.Form):
    """Money to recover (a paid SPIF reversed later) that the partner paid back or that was netted."""

    amount = money_field(_("Amount recovered"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False, widget=forms.TextInput(
        attrs={"placeholder": _("Note, e.g. transfer or credit note (optional)")}))


class BatchCreateForm(forms.Form):
    accruals = forms.ModelMultipleChoiceField(label=_("Accruals"), queryset=SpifAccrual.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accruals"].queryset = SpifAccrual.objects.filter(tenant=tenant, status=SpifAccrual.Status.ACCRUED)
        self.fields["accruals"].error_messages["invalid_choice"] = _(
            "Some of the chosen accruals are no longer pending approval. Reload the page and choose again.")


# --- Set-up (tenant admins) -------------------------------------------------------------------------


class FundForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("Currency"))
    budget = money_field(_("Budget"))

    class Meta:
        model = MdfFund
        fields = ["name", "description", "start_date", "end_date", "currency", "budget", "coop_rate",
                  "claim_deadline_days", "is_active"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(c, c) for c in tenant.currencies]
        if not self.instance._state.adding:  # UUID keys exist before saving: ask the state
            self.fields["currency"].disabled = True

    def _post_clean(self):
        # Only copy the values: the service validates (budget against the ledger, currency, uniqueness).
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class TierRulesForm(forms.Form):
    """One amount per MDF-eligible tier: what each active partner of that tier gets when generating."""

    def __init__(self, *args, fund: MdfFund, tiers: list[Tier], rules: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = tiers
        for tier in tiers:
            field = money_field(_("%(tier)s partners get") % {"tier": tier.name}, required=False,
                                help_text=_("Empty: no allocation for this tier."))
            field.initial = rules.get(tier.pk)
            self.fields[f"tier_{tier.pk}"] = field

    def amounts(self) -> dict:
        return {tier: self.cleaned_data.get(f"tier_{tier.pk}") for tier in self.tiers}


class AllocationForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    amount = money_field(_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"))
    rate = forms.DecimalField(label=_("Exchange rate"), required=False, max_digits=20, decimal_places=8, help_text=_(
        "Fund-currency units per unit of the allocation's currency. Empty: today's rate from the rate table."),
        widget=forms.NumberInput(attrs={"step": "0.00000001", "min": "0"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, tenant, fund: MdfFund, **kwargs):
        super().__init__(*args, **kwargs)
        taken = MdfAllocation.objects.filter(fund=fund).values("partner_id")
        self.fields["partner"].queryset = (Partner.objects.filter(tenant=tenant, tier__mdf_eligible=True)
                                           .exclude(status__in=[Partner.Status.CHURNED, Partner.Status.SUSPENDED])
                                           .exclude(pk__in=taken).order_by("name"))
        self.fields["currency"].choices = [(c, c) for c in [fund.currency] + [c for c in tenant.currencies
                                                                              if c != fund.currency]]
        self.fields["currency"].initial = fund.currency


class AllocationAdjustForm(forms.Form):
    amount = money_field(_("New amount"))


class ProgramForm(forms.ModelForm):
    budget = money_field(_("Program budget"))
    flat_amount = money_field(_("Flat amount per won deal"), required=False)
    cap_per_partner = money_field(_("Cap per partner"), required=False, help_text=_("Empty: no cap."))
    tiers = forms.ModelMultipleChoiceField(label=_("Eligible tiers"), queryset=Tier.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every tier."))
    partner_types = forms.ModelMultipleChoiceField(label=_("Eligible partner types"), queryset=PartnerType.objects.none(),
                                                   required=False, widget=forms.CheckboxSelectMultiple,
                                                   help_text=_("None ticked: every type."))
    products = forms.ModelMultipleChoiceField(label=_("Products"), queryset=Product.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple,
                                              help_text=_("Only deals with one of these products count. "
                                                          "None ticked: every deal."))

    class Meta:
        model = SpifProgram
        fields = ["name", "description", "start_date", "end_date", "is_active", "rule", "flat_amount", "percent",
                  "cap_per_partner", "budget"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tiers"].queryset = Tier.objects.filter(tenant=tenant).order_by("rank")
        self.fields["partner_types"].queryset = PartnerType.objects.filter(tenant=tenant).order_by("name")
        self.fields["products"].queryset = Product.objects.filter(tenant=tenant).order_by("name")
        editing = not self.instance._state.adding
        bands = list(self.instance.bands.order_by("min_amount")) if editing else []
        if editing:
            self.fields["tiers"].initial = list(self.instance.tiers.values_list("pk", flat=True))
            self.fields["partner_types"].initial = list(self.instance.partner_types.values_list("pk", flat=True))
            self.fields["products"].initial = list(self.instance.products.values_list("pk", flat=True))
        for i in range(BANDS):
            band = bands[i] if i < len(bands) else None
            for suffix, label, maximum, places, value in (
                ("min", _("Deal size from"), MAX_AMOUNT, 3, band.min_amount if band else None),
                ("amount", _("Flat amount"), MAX_AMOUNT, 3, band.amount if band else None),
                ("percent", _("Percentage"), Decimal("100"), 3, band.percent if band else None),
            ):
                self.fields[f"band_{i}_{suffix}"] = forms.DecimalField(
                    label=label, required=False, min_value=Decimal("0"), max_value=maximum, max_digits=20,
                    decimal_places=places, initial=value,
                    # The band table has one header per column; each input still names itself.
                    widget=forms.NumberInput(attrs={"aria-label": _("Band %(n)d: %(label)s") % {
                        "n": i + 1, "label": label}, "step": "any", "min": "0"}))

    def band_rows(self) -> list:
        return [(self[f"band_{i}_min"], self[f"band_{i}_amount"], self[f"band_{i}_percent"]) for i in range(BANDS)]

    def cleaned_bands(self) -> list[tuple] | None:
        if self.cleaned_data.get("rule") != SpifProgram.Rule.BANDS:
            return [] if not self.instance._state.adding else None
        rows = []
        for i in range(BANDS):
            low = self.cleaned_data.get(f"band_{i}_min")
            if low is None:
                continue
            rows.append((low, self.cleaned_data.get(f"band_{i}_amount") or 0,
                         self.cleaned_data.get(f"band_{i}_percent") or 0))
        return rows

    def _post_clean(self):
        # Only copy the values: the service runs full_clean once the tenant's currency is set.
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class LedgerFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    kind = forms.ChoiceField(label=_("Movement"), required=False,
                             choices=[("", _("Any"))] + list(JournalEntry.Kind.choices))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("The end date is before the start date."))
        return data
