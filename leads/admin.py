"""Back office: routing rules, partners' declared capacities, and leads with their offers and
routing explanations. Leads change through the services (routing, reassignment), never by edits."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from leads import services
from leads.models import Lead, LeadAssignment, LeadImport, LeadRule, PartnerLeadProfile
from prm.nplusone import deliberate_repetition
from prm.tenancy.admin import TenantModelAdmin, TenantTabularInline
from prm.tenancy.admin_display import date_column


@admin.register(LeadRule)
class LeadRuleAdmin(TenantModelAdmin):
    list_display = ["name", "position", "is_active", "strategy", "partner", "match_territory"]
    list_filter = ["is_active", "strategy"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]
    ordering = ["position", "name"]
    fieldsets = [
        (None, {"fields": ["name", "position", "is_active"]}),
        (_("Which leads"), {"fields": ["countries", "regions", "industries", "sizes", "product"]}),
        (_("Which partners"), {"fields": ["partner_type", "min_tier", "specialty", "match_territory"]}),
        (_("How"), {"fields": ["strategy", "partner"]}),
    ]


@admin.register(PartnerLeadProfile)
class PartnerLeadProfileAdmin(TenantModelAdmin):
    list_display = ["partner", "max_open_leads", "updated_at"]
    search_fields = ["partner__name"]
    readonly_fields = ["updated_by", "updated_at"]


class LeadAssignmentInline(TenantTabularInline):
    model = LeadAssignment
    fields = ["seq", "created_at", "partner", "rule_name", "strategy", "explanation", "accept_by", "outcome",
              "decided_at", "decline_reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["seq"]

    @admin.display(description=_("why"))
    def explanation(self, obj: LeadAssignment) -> str:
        return obj.why

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(TenantModelAdmin):
    list_display = ["company_name", "country", "industry", "status", "partner", "accept_by", "source", "created_at"]
    list_filter = ["status", "source", "industry", "deal_outcome"]
    search_fields = ["company_name", "domain", "partner__name"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    inlines = [LeadAssignmentInline]
    actions = ["route_selected", "reassign_selected"]
    readonly_fields = [f.name for f in Lead._meta.concrete_fields if f.name not in ("id", "tenant")]

    def has_add_permission(self, request, *args):
        return False  # leads are created by the portal, the import and the API (validation, dedupe, routing)

    def has_delete_permission(self, request, obj=None):
        return False  # the offers and their explanations are the record of who was given what

    @admin.action(description=_("Route the selected unassigned leads now"))
    def route_selected(self, request, queryset):
        leads = list(queryset.filter(status=Lead.Status.UNASSIGNED).only("pk"))
        result = services.leads_route(tenant=request.tenant, leads=leads, actor=request.user, request=request,
                                      keep_decisions=False)
        self.message_user(request, _("%(assigned)d lead(s) offered to partners, %(unassigned)d still unassigned "
                                     "(see each lead's explanation).") % {
            "assigned": result.assigned, "unassigned": result.unassigned}, messages.SUCCESS)

    @admin.action(description=_("Offer the selected leads to the next partner"))
    def reassign_selected(self, request, queryset):
        done = 0
        # One locked transaction per lead, on purpose: each succeeds or fails on its own.
        with deliberate_repetition():
            for lead in queryset.select_related("partner"):
                try:
                    services.lead_reassign(tenant=request.tenant, lead=lead, actor=request.user, request=request)
                    done += 1
                except ValidationError as exc:
                    self.message_user(request, f"{lead.company_name}: {' '.join(exc.messages)}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d lead(s) moved on.") % {"n": done}, messages.SUCCESS)


@admin.register(LeadImport)
class LeadImportAdmin(TenantModelAdmin):
    list_display = ["filename", "status", "total_rows", "created_count", "unchanged_count", "error_rows",
                    "assigned_count", "created_by", date_column(LeadImport, "created_at")]
    list_filter = ["status", "route_after_import"]
    exclude = ["file", "preview"]

    def has_add_permission(self, request, *args):
        return False  # uploaded on the import page (validation pass, preview, queued run)

    def has_change_permission(self, request, obj=None):
        return False
