"""Back office: catalogue, exchange rates, house accounts, and registrations with decision actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from deals import services
from deals.models import (
    CurrencyRate,
    DealHistory,
    DealPartner,
    DealRegistration,
    HouseAccount,
    Product,
)
from prm.tenancy.admin import AdminOnlyMixin, TenantModelAdmin, TenantTabularInline
from prm.tenancy.admin_display import date_column, money_column


@admin.register(Product)
class ProductAdmin(AdminOnlyMixin, TenantModelAdmin):
    list_display = ["name", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(CurrencyRate)
class CurrencyRateAdmin(AdminOnlyMixin, TenantModelAdmin):
    list_display = ["currency", "rate", date_column(CurrencyRate, "valid_from")]
    list_filter = ["currency"]
    ordering = ["currency", "-valid_from"]

    def save_model(self, request, obj, form, change):
        obj.currency = obj.currency.upper()
        super().save_model(request, obj, form, change)
        filled = services.currency_rate_saved(tenant=request.tenant, rate=obj)
        if filled:
            messages.info(request, _("%(n)d registration(s) now have a base-currency amount.") % {"n": filled})


@admin.register(HouseAccount)
class HouseAccountAdmin(TenantModelAdmin):
    list_display = ["name", "domain", "note", date_column(HouseAccount, "created_at")]
    search_fields = ["name", "domain"]
    exclude = ["name_normalised"]


class DealPartnerInline(TenantTabularInline):
    model = DealPartner
    fields = ["partner", "role", "added_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # credits change through the deal page, so the history records them


class DealHistoryInline(TenantTabularInline):
    model = DealHistory
    fields = ["seq", "created_at", "actor_label", "action", "from_status", "to_status", "reason", "internal", "hash"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["seq"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason / message to the partner"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(DealRegistration)
class DealRegistrationAdmin(TenantModelAdmin):
    list_display = ["customer_name", "partner", "kind", "status", money_column(DealRegistration, "amount"),
                    date_column(DealRegistration, "submitted_at"), date_column(DealRegistration, "protected_until")]
    list_filter = ["status", "kind", "stage"]
    search_fields = ["customer_name", "customer_domain", "partner__name", "contact_email"]
    list_select_related = ["partner"]
    ordering = ["submitted_at"]
    date_hierarchy = "submitted_at"
    inlines = [DealPartnerInline, DealHistoryInline]
    actions = ["approve_selected", "reject_selected", "request_info_selected"]
    # Decisions go through the services (locks, history, notifications), never through field edits.
    readonly_fields = [f.name for f in DealRegistration._meta.concrete_fields if f.name not in ("id", "tenant")]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the tamper-evident history must survive

    def _report(self, request, result, verb) -> None:
        if result.done:
            self.message_user(request, _("%(n)d registration(s) %(verb)s.") % {"n": len(result.done), "verb": verb},
                              messages.SUCCESS)
        for deal, reason in result.failed:
            self.message_user(request, f"{deal.customer_name}: {reason}", messages.ERROR)

    @admin.action(description=_("Approve and protect the selected registrations"))
    def approve_selected(self, request, queryset):
        result = services.deals_bulk_decide(tenant=request.tenant, deals=list(queryset.pending()), actor=request.user,
                                            action="approve", request=request)
        self._report(request, result, _("approved"))

    def _with_reason(self, request, queryset, action: str, title, verb):
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid():
                try:
                    result = services.deals_bulk_decide(
                        tenant=request.tenant, deals=list(queryset.pending()), actor=request.user, action=action,
                        reason=form.cleaned_data["reason"], request=request)
                except ValidationError as exc:
                    self.message_user(request, " ".join(exc.messages), messages.ERROR)
                    return None
                self._report(request, result, verb)
                return None
        else:
            form = ReasonForm()
        return TemplateResponse(request, "admin/deals/reason_action.html", {
            **self.admin_site.each_context(request), "title": title, "form": form, "queryset": queryset,
            "action": request.POST.get("action"), "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    @admin.action(description=_("Reject the selected registrations (with a reason)"))
    def reject_selected(self, request, queryset):
        return self._with_reason(request, queryset, "reject", _("Reject registrations"), _("rejected"))

    @admin.action(description=_("Ask the partners for more information"))
    def request_info_selected(self, request, queryset):
        return self._with_reason(request, queryset, "info", _("Ask for more information"), _("sent back for information"))
