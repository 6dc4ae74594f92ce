"""Admin registrations of the core models; the tenant-aware machinery is in admin_site."""

from django.contrib import admin

from prm.tenancy.admin_site import (  # noqa: F401  (re-exported for the apps' admin modules)
    AdminOnlyMixin,
    TenantAdminMixin,
    TenantModelAdmin,
    TenantStackedInline,
    TenantTabularInline,
)
from prm.tenancy.models import Membership, Tenant, TenantDomain


class TenantDomainInline(admin.TabularInline):
    model = TenantDomain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "base_currency", "is_active", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["is_active"]
    inlines = [TenantDomainInline]



@admin.register(Membership)
class MembershipAdmin(TenantModelAdmin):
    list_display = ["user", "role", "partner", "is_active", "last_seen_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "user__full_name", "partner__name"]
    readonly_fields = ["user", "created_at", "last_seen_at"]
    autocomplete_fields = ["partner"]

    def has_add_permission(self, request, *args):
        return False  # people join through invitations
