from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prm.accounts.models import Invitation, User
from prm.accounts.policy import RoleChangeRefused, check_change, role_choices
from prm.tenancy.admin import TenantModelAdmin
from prm.tenancy.admin_display import date_column
from prm.tenancy.models import Membership
from prm.tenancy.roles import Role


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
    list_display = ["email", "role", "partner", "status", date_column(Invitation, "created_at"),
                    date_column(Invitation, "expires_at")]
    list_filter = ["role"]
    search_fields = ["email"]
    readonly_fields = ["email", "role", "partner", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by", "revoked_at"]

    def has_add_permission(self, request, *args):
        return False  # invitations are sent from the People page, which emails the link


class MembershipAdminForm(forms.ModelForm):
    """Role choices are those the signed-in member may give; the policy is checked again on save."""

    class Meta:
        model = Membership
        fields = ["role", "is_active"]

    actor: Membership | None = None  # set per request by MembershipAdmin.get_form, with the request
    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "role" in self.fields and self.instance.pk:
            # Any role passes the field, so that a forged one reaches the policy (its reason, audited);
            # the list offers only what the actor may give.
            allowed = dict(role_choices(self.actor, partner_side=self.instance.is_partner))
            allowed.setdefault(self.instance.role, self.instance.get_role_display())
            cast(forms.ChoiceField, self.fields["role"]).choices = Role.choices
            self.fields["role"].widget.choices = [(v, label) for v, label in Role.choices if v in allowed]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.instance.pk and not self.errors:
            original = Membership.objects.get(pk=self.instance.pk)
            try:
                with transaction.atomic():
                    check_change(self.actor, original, role=data.get("role"), is_active=data.get("is_active"))
            except RoleChangeRefused as exc:
                from prm.accounts.services import audit_refusal

                audit_refusal(original.tenant, self.actor.user if self.actor else None, original,
                              {k: data.get(k) for k in ("role", "is_active")}, exc, self.request)
                # On the field that changed: the model's own checks then see the unchanged value.
                self.add_error("role" if data.get("role") != original.role else "is_active", exc.message)
        return data


@admin.register(Membership)
class MembershipAdmin(TenantModelAdmin):
    list_display = ["user", "role", "partner", "is_active", "last_seen_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "user__full_name", "partner__name"]
    readonly_fields = ["user", "partner", "created_at", "last_seen_at"]
    form = MembershipAdminForm

    def has_add_permission(self, request, *args):
        return False  # people join through invitations

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the membership's history stays

    def has_change_permission(self, request, obj=None):
        # Only a tenant admin edits a tenant admin's membership; managers may still look.
        if obj is not None and obj.is_tenant_admin and not request.membership.is_tenant_admin:
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.membership, "request": request})

    def save_model(self, request, obj, form, change):
        # Through the service both paths share: the policy is enforced under the row lock and audited.
        from prm.accounts.services import membership_update

        membership_update(tenant=request.tenant, membership=obj, actor=request.user,
                          role=form.cleaned_data.get("role"), is_active=form.cleaned_data.get("is_active"),
                          request=request)
