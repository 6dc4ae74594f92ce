from django.contrib import admin

from partners.models import Partner, PartnerType, Tier
from prm.tenancy.admin import AdminOnlyMixin, TenantModelAdmin


@admin.register(PartnerType)
class PartnerTypeAdmin(AdminOnlyMixin, TenantModelAdmin):
    list_display = ["name", "code", "transacts"]
    search_fields = ["name", "code"]


@admin.register(Tier)
class TierAdmin(AdminOnlyMixin, TenantModelAdmin):
    list_display = ["name", "rank", "min_won_revenue_12m", "min_active_certifications", "discount_percent", "mdf_eligible"]
    ordering = ["rank"]
    search_fields = ["name"]


@admin.register(Partner)
class PartnerAdmin(TenantModelAdmin):
    list_display = ["name", "partner_type", "tier", "status", "country", "owner"]
    list_filter = ["status", "partner_type", "tier"]
    search_fields = ["name", "domain"]
    autocomplete_fields = ["partner_type", "tier"]
