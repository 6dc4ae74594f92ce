"""Back office: scoring settings (tenant admins change them), runs and snapshots (read-only)."""

from django.contrib import admin

from analytics.models import AnalyticsSettings, HealthRun, HealthRunChunk, PartnerHealthSnapshot
from prm.tenancy.admin import AdminOnlyMixin, TenantModelAdmin, TenantTabularInline
from prm.tenancy.admin_display import date_column


class NoDeleteUrlMixin:
    """Rows nobody may delete get no delete page at all (rather than one that always answers 403)."""

    def get_urls(self):
        return [u for u in super().get_urls() if not (u.name or "").endswith("_delete")]


class ReadOnlyPermissions:
    """Computed by the nightly job: nobody edits these by hand."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnalyticsSettings)
class AnalyticsSettingsAdmin(NoDeleteUrlMixin, AdminOnlyMixin, TenantModelAdmin):
    list_display = ["__str__", "weight_activity", "weight_recency", "weight_deals", "at_risk_percent",
                    date_column(AnalyticsSettings, "updated_at")]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request, *args):
        return False  # one row per tenant, created on first use

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteUrlMixin, ReadOnlyPermissions):
    pass


class ChunkInline(ReadOnlyPermissions, TenantTabularInline):
    model = HealthRunChunk
    extra = 0
    fields = ["seq", "status", "partners", "attempts", "started_at", "finished_at", "error"]
    readonly_fields = fields


@admin.register(HealthRun)
class HealthRunAdmin(ReadOnlyMixin, TenantModelAdmin):
    list_display = [date_column(HealthRun, "date"), "status", "trigger", "started_at", "finished_at", "partners_scored",
                    "chunks_done", "chunks_total"]
    list_filter = ["status", "trigger"]
    date_hierarchy = "date"
    inlines = [ChunkInline]


@admin.register(PartnerHealthSnapshot)
class PartnerHealthSnapshotAdmin(ReadOnlyMixin, TenantModelAdmin):
    list_display = ["partner", date_column(PartnerHealthSnapshot, "date"), "score", "churn_risk", "churn_method",
                    "recommendation", "tier_action"]
    list_filter = ["date", "churn_method", "recommendation", "tier_action", "status"]
    search_fields = ["partner__name"]
    list_select_related = ["partner"]
    date_hierarchy = "date"
