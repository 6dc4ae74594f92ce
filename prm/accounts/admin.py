from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from prm.accounts.models import Invitation, User
from prm.tenancy.admin import TenantModelAdmin


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_superuser", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "job_title")}),
        (_("Platform"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ["is_active", "is_superuser"]


@admin.register(Invitation)
class InvitationAdmin(TenantModelAdmin):
    list_display = ["email", "role", "partner", "status", "created_at", "expires_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    readonly_fields = ["email", "role", "partner", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by", "revoked_at"]

    def has_add_permission(self, request, *args):
        return False  # invitations are sent from the People page, which emails the link
