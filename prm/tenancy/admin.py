"""Admin registrations of the core models; the tenant-aware machinery is in admin_site."""

from django.contrib import admin

from prm.tenancy.admin_site import (  # noqa: F401  (re-exported for the apps' admin modules)
    AdminOnlyMixin,
    TenantAdminMixin,
    TenantModelAdmin,
    TenantStackedInline,
    TenantTabularInline,
)
from prm.tenancy.models import Tenant, TenantDomain


class TenantDomainInline(admin.TabularInline):
    model = TenantDomain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "base_currency", "is_active", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["is_active"]
    inlines = [TenantDomainInline]
