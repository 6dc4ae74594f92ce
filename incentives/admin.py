"""Back office for incentives. Money moves only through the services (row locks, ledger entries,
audit, notifications): the admin forms call them while validating, so a refused amount is a form
error, and the ledger and its journal lines are read-only."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incentives import services
from incentives.models import (
    JournalEntry,
    JournalLine,
    MdfAllocation,
    MdfClaim,
    MdfFund,
    MdfRequest,
    MdfRequestDeal,
    MdfTierRule,
    PayoutBatch,
    ProofFile,
    SpifAccrual,
    SpifBand,
    SpifProgram,
    SpifProgramPartnerType,
    SpifProgramProduct,
    SpifProgramTier,
)
from incentives.money import DECIMAL_PLACES, MAX_DIGITS, format_money
from prm.forms import add_service_errors
from prm.tenancy.admin import AdminOnlyMixin, TenantModelAdmin, TenantTabularInline
from prm.tenancy.admin_display import date_column, money_column

# Amounts as the portal shows them: `12,500.00 USD`, with each currency's own number of decimals.
money = partial(money_column, formatter=format_money)


class NoDeleteMixin:
    """For rows the ledger or an audit trail depends on: no delete permission and no delete route
    (corrections are new entries or new decisions, never removals)."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_delete"
        return [u for u in super().get_urls() if getattr(u, "name", None) != name]


class ServiceForm(forms.ModelForm):
    """A ModelForm whose save is a service call made while validating (inside the admin's transaction),
    so whatever the service refuses shows on the form instead of failing after it."""

    # No Meta here: the ModelAdmin builds the form per request (its fields include tenant-scoped
    # foreign keys whose querysets must not be evaluated at import time).
    request = None  # set by the ModelAdmin

    def _post_clean(self):
        from django.forms.models import construct_instance

        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        if self.errors:
            return
        try:
            self.instance = self.run_service(self.instance)
        except ValidationError as exc:
            add_service_errors(self, exc)

    def run_service(self, instance):  # pragma: no cover - overridden
        raise NotImplementedError


class ServiceAdmin(TenantModelAdmin):
    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        pass  # saved by the service during validation


# --- SPIF ----------------------------------------------------------------------------------------


class SpifBandInline(TenantTabularInline):
    model = SpifBand
    extra = 0


class SpifProgramTierInline(TenantTabularInline):
    model = SpifProgramTier
    extra = 0


class SpifProgramPartnerTypeInline(TenantTabularInline):
    model = SpifProgramPartnerType
    extra = 0


class SpifProgramProductInline(TenantTabularInline):
    model = SpifProgramProduct
    extra = 0


class SpifProgramForm(ServiceForm):
    def run_service(self, instance):
        return services.program_save(tenant=self.request.tenant, program=instance, actor=self.request.user,
                                     request=self.request)


@admin.register(SpifProgram)
class SpifProgramAdmin(AdminOnlyMixin, ServiceAdmin):
    form = SpifProgramForm
    fields = ["name", "description", "start_date", "end_date", "is_active", "rule", "flat_amount", "percent",
              "cap_per_partner", "budget"]
    list_display = ["name", "rule", date_column(SpifProgram, "start_date"), date_column(SpifProgram, "end_date"),
                    money(SpifProgram, "budget"), "is_active"]
    list_filter = ["is_active", "rule"]
    search_fields = ["name"]
    inlines = [SpifBandInline, SpifProgramTierInline, SpifProgramPartnerTypeInline, SpifProgramProductInline]


@admin.register(SpifAccrual)
class SpifAccrualAdmin(NoDeleteMixin, TenantModelAdmin):
    list_display = ["deal", "partner", "program", money(SpifAccrual, "amount"), "status", "batch",
                    date_column(SpifAccrual, "accrued_at")]
    list_filter = ["status", "program"]
    search_fields = ["deal__customer_name", "partner__name", "program__name"]
    list_select_related = ["deal", "partner", "program", "batch"]
    readonly_fields = [f.name for f in SpifAccrual._meta.concrete_fields if f.name not in ("id", "tenant")]
    actions = ["approve_into_batch"]

    def has_add_permission(self, request, *args):
        return False  # accruals come from won deals

    @admin.action(description=_("Approve the selected pending accruals into a payout batch"))
    def approve_into_batch(self, request, queryset):
        try:
            batch = services.payout_batch_create(
                tenant=request.tenant, actor=request.user, request=request,
                accrual_ids=list(queryset.filter(status=SpifAccrual.Status.ACCRUED).values_list("pk", flat=True)))
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, _("Payout batch %(ref)s created.") % {"ref": batch.reference}, messages.SUCCESS)


class BatchAccrualInline(TenantTabularInline):
    model = SpifAccrual
    fields = ["partner", "program", "deal", "amount", "currency", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner", "program", "deal")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PayoutBatch)
class PayoutBatchAdmin(NoDeleteMixin, TenantModelAdmin):
    program_wide = True  # paying a batch pays every partner in it
    list_display = ["reference", "status", money(PayoutBatch, "total", description=_("Total")),
                    date_column(PayoutBatch, "created_at"), "created_by", date_column(PayoutBatch, "paid_at"),
                    "export_link"]
    list_filter = ["status"]
    search_fields = ["reference", "payment_reference"]
    readonly_fields = [f.name for f in PayoutBatch._meta.concrete_fields if f.name not in ("id", "tenant")]
    inlines = [BatchAccrualInline]
    actions = ["mark_paid"]

    def has_add_permission(self, request, *args):
        return False

    def get_queryset(self, request):
        # What the batch pays, as its portal page counts it (approved and paid accruals). A subquery
        # rather than a join, so the rows are not grouped (the actions lock batches one by one).
        pays = (SpifAccrual.objects.filter(batch=OuterRef("pk"), status__in=[SpifAccrual.Status.APPROVED,
                                                                            SpifAccrual.Status.PAID])
                .order_by().values("batch").annotate(total=Sum("amount")).values("total"))
        return super().get_queryset(request).annotate(
            total=Subquery(pays, output_field=DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)))

    @admin.display(description=_("export"))
    def export_link(self, obj):
        return format_html('<a href="{}">CSV</a>', reverse("incentives:batch_export", args=[obj.pk]))

    @admin.action(description=_("Mark the selected batches paid"))
    def mark_paid(self, request, queryset):
        for batch in queryset:
            try:
                services.payout_batch_mark_paid(tenant=request.tenant, batch=batch, actor=request.user, request=request)
            except ValidationError as exc:
                self.message_user(request, f"{batch.reference}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(ref)s marked paid.") % {"ref": batch.reference}, messages.SUCCESS)


# --- MDF ------------------------------------------------------------------------------------------


class MdfTierRuleInline(TenantTabularInline):
    model = MdfTierRule
    extra = 0


class MdfFundForm(ServiceForm):
    def run_service(self, instance):
        return services.fund_save(tenant=self.request.tenant, fund=instance, actor=self.request.user,
                                  request=self.request)


@admin.register(MdfFund)
class MdfFundAdmin(AdminOnlyMixin, ServiceAdmin):
    form = MdfFundForm
    fields = ["name", "description", "start_date", "end_date", "currency", "budget", "coop_rate",
              "claim_deadline_days", "is_active"]
    list_display = ["name", date_column(MdfFund, "start_date"), date_column(MdfFund, "end_date"),
                    money(MdfFund, "budget"), "coop_rate", "is_active"]
    list_filter = ["is_active", "currency"]
    search_fields = ["name"]
    inlines = [MdfTierRuleInline]


class MdfAllocationForm(ServiceForm):
    rate = forms.DecimalField(label=_("Exchange rate to the fund currency"), required=False, max_digits=18,
                              decimal_places=8, help_text=_("Only for another currency than the fund's. Empty: "
                                                            "today's rate. Fixed once the allocation is made."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:  # UUID keys exist before saving: ask the state, not the pk
            for name in ("fund", "partner", "currency", "rate"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def run_service(self, instance):
        tenant, user = self.request.tenant, self.request.user
        if not instance._state.adding:
            return services.allocation_adjust(tenant=tenant, allocation=instance, amount=self.cleaned_data["amount"],
                                              actor=user, request=self.request)
        return services.allocation_create(
            tenant=tenant, fund=self.cleaned_data["fund"], partner=self.cleaned_data["partner"],
            amount=self.cleaned_data["amount"], currency=self.cleaned_data["currency"],
            rate=self.cleaned_data.get("rate"), note=self.cleaned_data.get("note", ""), actor=user,
            request=self.request)


@admin.register(MdfAllocation)
class MdfAllocationAdmin(NoDeleteMixin, ServiceAdmin):
    form = MdfAllocationForm
    fields = ["fund", "partner", "currency", "amount", "rate", "note"]
    list_display = ["partner", "fund", money(MdfAllocation, "amount"), "rate",
                    money(MdfAllocation, "fund_amount", "fund__currency"), "source",
                    date_column(MdfAllocation, "created_at")]
    list_filter = ["fund", "source", "currency"]
    search_fields = ["partner__name", "fund__name"]
    autocomplete_fields = ["partner"]
    list_select_related = ["partner", "fund"]


class ProofInline(TenantTabularInline):
    model = ProofFile
    fields = ["download", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("incentives:proof_download", args=[obj.pk]), obj.name)


class RequestDealInline(TenantTabularInline):
    model = MdfRequestDeal
    fields = ["deal", "source", "added_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("deal", "added_by")

    def has_add_permission(self, request, obj=None):
        return False


def _portal_link(url_name: str, pk, label) -> str:
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[pk]), label)


@admin.register(MdfRequest)
class MdfRequestAdmin(NoDeleteMixin, TenantModelAdmin):
    # Fits a laptop screen: the amounts carry their currency, the activity type is a filter, and the
    # claim deadline is on the request's page (a missed one shows in the status).
    list_display = ["title", "partner", "fund", money(MdfRequest, "requested_amount"),
                    money(MdfRequest, "approved_amount"), "status", date_column(MdfRequest, "start_date"), "decide"]
    list_filter = ["status", "activity_type", "fund"]
    search_fields = ["title", "partner__name", "campaign_code"]
    list_select_related = ["partner", "fund"]
    readonly_fields = [f.name for f in MdfRequest._meta.concrete_fields if f.name not in ("id", "tenant")]
    inlines = [RequestDealInline]
    actions = ["pre_approve"]

    def has_add_permission(self, request, *args):
        return False  # partners request MDF in the portal

    @admin.display(description=_("decide"))
    def decide(self, obj):
        return _portal_link("incentives:mdf_request", obj.pk, _("open in the portal"))

    @admin.action(description=_("Pre-approve the selected requests as requested (reserving the amounts)"))
    def pre_approve(self, request, queryset):
        for r in queryset.filter(status=MdfRequest.Status.SUBMITTED).order_by("submitted_at"):
            try:
                services.mdf_request_decide(tenant=request.tenant, mdf_request=r, actor=request.user, approve=True,
                                            request=request)
            except ValidationError as exc:
                self.message_user(request, f"{r.title}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(title)s pre-approved.") % {"title": r.title}, messages.SUCCESS)


@admin.register(MdfClaim)
class MdfClaimAdmin(NoDeleteMixin, TenantModelAdmin):
    list_display = ["mdf_request", "partner", money(MdfClaim, "actual_cost"), money(MdfClaim, "approved_amount"),
                    "leads_generated", "status", date_column(MdfClaim, "submitted_at"), "decide"]
    list_filter = ["status"]
    search_fields = ["mdf_request__title", "partner__name", "payment_reference"]
    list_select_related = ["mdf_request", "partner"]
    readonly_fields = [f.name for f in MdfClaim._meta.concrete_fields if f.name not in ("id", "tenant")]
    inlines = [ProofInline]
    actions = ["approve_max", "reimburse"]

    def has_add_permission(self, request, *args):
        return False

    @admin.display(description=_("decide"))
    def decide(self, obj):
        return _portal_link("incentives:mdf_request", obj.mdf_request_id, _("open in the portal"))

    @admin.action(description=_("Approve the selected claims at the most allowed (reserve × co-op rate)"))
    def approve_max(self, request, queryset):
        for claim in queryset.filter(status=MdfClaim.Status.SUBMITTED):
            try:
                services.mdf_claim_decide(tenant=request.tenant, claim=claim, actor=request.user, approve=True,
                                          request=request)
            except ValidationError as exc:
                self.message_user(request, f"{claim}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("Claim approved."), messages.SUCCESS)

    @admin.action(description=_("Mark the selected approved claims reimbursed"))
    def reimburse(self, request, queryset):
        for claim in queryset.filter(status=MdfClaim.Status.APPROVED):
            services.mdf_claim_reimburse(tenant=request.tenant, claim=claim, actor=request.user, request=request)
            self.message_user(request, _("Claim reimbursed."), messages.SUCCESS)


# --- Ledger (read-only) ----------------------------------------------------------------------------


class JournalLineInline(TenantTabularInline):
    model = JournalLine
    fields = ["account", "currency", "debit", "credit", "partner", "fund", "allocation", "mdf_request", "program",
              "accrual"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "partner", "fund", "allocation", "allocation__fund", "mdf_request", "program", "accrual")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(NoDeleteMixin, TenantModelAdmin):
    program_wide = True  # the program's books
    list_display = ["id", "occurred_at", "kind", "memo", "created_by"]
    list_filter = ["kind"]
    search_fields = ["memo", "object_id"]
    date_hierarchy = "occurred_at"
    readonly_fields = ["kind", "memo", "occurred_at", "created_by", "object_type", "object_id"]
    inlines = [JournalLineInline]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

